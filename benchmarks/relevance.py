"""Benchmark: how well search ranks real records, against a plain BM25 over the same records.

Why this exists: the sample directory is too small and too tidy to show whether the right
groups come first. This imports a real Open Referral UK feed into a throwaway site with
``healthdir import oruk``'s own code, builds it with the project's real build
(``healthdir.publish.build``), runs each judged query through the same code as
``/api/search`` (``SearchIndex.search(text, limit=10)``), maps each result back to the
feed's service id through ``imported_from``, and prints nDCG@10 and hits@10 per query and
on average, next to a plain BM25 over the same feed's records in the same run.

- nDCG@10: gain 2^grade − 1, discount log2(rank + 1); the ideal ranking is the judged
  grades, best first.
- hits@10: judged-relevant results in the top 10 ÷ min(10, number judged relevant).
- Plain BM25: k1 = 1.2, b = 0.75, idf ln(1 + (N − n + 0.5) / (n + 0.5)), over each named
  service's name (counted twice), its organisation's name and its description with the
  HTML tags stripped; words are runs of letters and digits, lower case, no stemming, no
  stop words.

The throwaway site has the project's topics plus "Other services" for the records the
default mapping places under none (so no record is lost to the topic rules), areas made
from the feed's own postcode districts when it has any, and a freshness policy that
keeps every record published: this measures ranking, not the data's age. Records the
importer cannot take (say, no way to get in touch) are missing from our results but not
from BM25's, and are counted in the "not in directory" column.

The queries file is JSON lines: ``{"qid", "query", "relevant": [{"id", "grade"}]}``.
Judged data is not part of the repository. Run from the repository root::

    .venv/bin/python benchmarks/relevance.py --feed FEED.json --queries QUERIES.jsonl
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

from entries import clock
from entries.model import activity_slugs, is_uk_postcode, normalise_postcode
from entries.yaml_source import read_yaml
from healthdir.publish import build
from open_data.oruk_feed import ServiceRecord, read_feed
from open_data.oruk_import import import_oruk
from open_data.oruk_mapping import DEFAULT_MAPPING
from search import SearchIndex

ROOT = Path(__file__).resolve().parent.parent
K = 10
K1, B = 1.2, 0.75
OTHER_TOPIC = "other-services"
ALWAYS_FRESH_MONTHS = 1200  # nothing is due for review or hidden: rank on text alone

# The maths ----------------------------------------------------------------------------


def ndcg_at(ranked: Sequence[str | None], grades: dict[str, int], k: int = K) -> float:
    """nDCG@k of ``ranked`` ids (``None`` for a result with no id) against judged grades."""
    dcg = sum(
        (2 ** grades.get(doc, 0) - 1) / math.log2(rank + 2)
        for rank, doc in enumerate(ranked[:k])
        if doc is not None
    )
    ideal = sorted(grades.values(), reverse=True)[:k]
    best = sum((2**grade - 1) / math.log2(rank + 2) for rank, grade in enumerate(ideal))
    return dcg / best if best else 0.0


def hits_at(ranked: Sequence[str | None], grades: dict[str, int], k: int = K) -> float:
    """Judged-relevant ids in the top ``k`` ÷ min(k, number judged relevant)."""
    relevant = {doc for doc, grade in grades.items() if grade > 0}
    if not relevant:
        return 0.0
    found = len(relevant & {doc for doc in ranked[:k] if doc is not None})
    return found / min(k, len(relevant))


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.casefold())


class PlainBM25:
    """Okapi BM25 over bags of words; ties keep the documents' order."""

    def __init__(self, documents: dict[str, list[str]], k1: float = K1, b: float = B) -> None:
        self.ids = list(documents)
        self.counts = [Counter(tokens) for tokens in documents.values()]
        self.lengths = [len(tokens) for tokens in documents.values()]
        self.average = sum(self.lengths) / len(self.lengths) if self.lengths else 0.0
        self.k1, self.b = k1, b
        frequency = Counter(word for counts in self.counts for word in counts)
        total = len(self.ids)
        self.idf = {w: math.log(1 + (total - n + 0.5) / (n + 0.5)) for w, n in frequency.items()}

    def score(self, query: Iterable[str], index: int) -> float:
        counts, norm = self.counts[index], self.lengths[index] / (self.average or 1)
        total = 0.0
        for word in query:
            tf = counts.get(word, 0)
            if tf:
                total += (
                    self.idf[word]
                    * tf
                    * (self.k1 + 1)
                    / (tf + self.k1 * (1 - self.b + self.b * norm))
                )
        return total

    def search(self, text: str, limit: int = K) -> list[str]:
        query = words(text)
        scores = [self.score(query, i) for i in range(len(self.ids))]
        order = sorted((i for i in range(len(self.ids)) if scores[i] > 0), key=lambda i: -scores[i])
        return [self.ids[i] for i in order[:limit]]


def service_documents(records: Iterable[ServiceRecord]) -> dict[str, list[str]]:
    """Each named service's words: name twice, organisation, description with its HTML
    tags stripped (no other clean-up: this is the plain reference)."""
    found: dict[str, list[str]] = {}
    for record in records:
        if record.name and record.id and record.id not in found:
            org = str(record.organization.get("name", ""))
            text = BeautifulSoup(record.description, "html.parser").get_text(" ")
            found[record.id] = words(f"{record.name} {record.name} {org} {text}")
    return found


# The run ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    qid: str
    text: str
    grades: dict[str, int]


def read_queries(path: Path) -> list[Query]:
    queries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            grades = {str(r["id"]): int(r["grade"]) for r in item.get("relevant", [])}
            queries.append(Query(str(item["qid"]), str(item["query"]), grades))
    return queries


def make_site(root: Path, records: list[ServiceRecord], area: str) -> Path:
    """A site folder for the feed: the project's theme, topics and pages, its own settings
    and mapping. Returns the mapping file."""
    content = root / "content"
    shutil.copytree(ROOT / "content" / "domains", content / "domains")
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    (content / "providers").mkdir()
    (content / "domains" / f"{OTHER_TOPIC}.md").write_text(
        "Title: Other services\nSummary: Services that fit none of the other topics.\n"
        "Order: 99\n\nServices from the imported feed that fit none of the other topics.\n",
        encoding="utf-8",
    )
    localities, postcodes = feed_localities(records, area)
    settings = {
        "AREA_NAME": area,
        "SITENAME": f"{area} relevance benchmark",
        "LOCALITIES": localities,
        "LOCALITY_POSTCODES": postcodes,
        "REVIEW_AFTER": ALWAYS_FRESH_MONTHS,
        "HIDE_AFTER": ALWAYS_FRESH_MONTHS + 1,
        "PATH": str(content),
        "THEME": str(ROOT / "theme"),
    }
    (root / "pelicanconf.py").write_text(
        (ROOT / "pelicanconf.py").read_text(encoding="utf-8")
        + "\n"
        + "\n".join(f"{key} = {value!r}" for key, value in settings.items())
        + "\n",
        encoding="utf-8",
    )
    mapping = read_yaml(DEFAULT_MAPPING).data
    mapping["localities"] = {}  # the districts are in LOCALITY_POSTCODES
    mapping["otherwise"] = [OTHER_TOPIC]
    path = root / "oruk-mapping.yaml"
    path.write_text(yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def feed_localities(
    records: list[ServiceRecord], area: str
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Up to four areas, one per postcode district the feed's venues use most; a feed
    with fewer than two districts (a list view gives no addresses) gets two placeholder
    areas, and every activity is area-wide."""
    districts = Counter(
        normalise_postcode(place.postcode).split(" ")[0]
        for record in records
        for place in record.locations()
        if place.postcode and is_uk_postcode(place.postcode)
    )
    common = [district for district, _ in districts.most_common(4)]
    if len(common) < 2:
        return {"part-a": f"{area} A", "part-b": f"{area} B"}, {}
    return (
        {d.lower(): f"{area} {d}" for d in common},
        {d.lower(): [d] for d in common},
    )


def imported_ids(providers: Path) -> dict[str, str]:
    """``provider/activity`` (as search results name them) → the feed's service id."""
    found = {}
    for path in sorted(providers.glob("*.yaml")):
        items = read_yaml(path).data.get("activities", [])
        for slug, item in zip(activity_slugs([a["name"] for a in items]), items, strict=True):
            if isinstance(item.get("imported_from"), dict):
                found[f"{path.stem}/{slug}"] = str(item["imported_from"]["id"])
    return found


def run(feed: Path, queries_file: Path, area: str) -> None:
    today = clock.today()
    queries = read_queries(queries_file)
    records = [ServiceRecord(r) for r in read_feed(feed).records if isinstance(r, dict)]
    with tempfile.TemporaryDirectory(prefix="healthdir-relevance-") as folder:
        root = Path(folder)
        mapping = make_site(root, records, area)
        report = import_oruk(root, feed, mapping=mapping, today=today)
        print(next(iter(report.lines())))
        reasons = Counter(s.reason.split(" (")[0] for s in report.skipped)
        for reason, count in reasons.most_common():
            print(f"  not imported: {count} {reason}")
        build(root, root / "output", today=today, preview="http://localhost:8000")
        ids = imported_ids(root / "content" / "providers")
        index = SearchIndex(root / "search-index")
        ours = {
            q.qid: [
                ids.get(f"{r.provider}/{r.activity}") for r in index.search(q.text, limit=K).results
            ]
            for q in queries
        }
    bm25 = PlainBM25(service_documents(records))
    present = set(ids.values())
    print_table(queries, ours, {q.qid: bm25.search(q.text) for q in queries}, present)


def print_table(
    queries: list[Query],
    ours: dict[str, list[str | None]],
    plain: dict[str, list[str]],
    present: set[str],
) -> None:
    print()
    print(f"{'qid':<6}{'nDCG@10':>9}{'BM25':>7}{'hits@10':>9}{'BM25':>7}{'missing':>9}  query")
    totals = [0.0, 0.0, 0.0, 0.0]
    for q in queries:
        row = [
            ndcg_at(ours[q.qid], q.grades),
            ndcg_at(plain[q.qid], q.grades),
            hits_at(ours[q.qid], q.grades),
            hits_at(plain[q.qid], q.grades),
        ]
        totals = [t + v for t, v in zip(totals, row, strict=True)]
        missing = sum(1 for doc in q.grades if doc not in present)
        print(
            f"{q.qid:<6}{row[0]:>9.2f}{row[1]:>7.2f}{row[2]:>9.2f}{row[3]:>7.2f}"
            f"{missing:>6}/{len(q.grades):<3} {q.text}"
        )
    n = len(queries) or 1
    mean = [t / n for t in totals]
    print(f"{'MEAN':<6}{mean[0]:>9.3f}{mean[1]:>7.3f}{mean[2]:>9.3f}{mean[3]:>7.3f}")
    print(
        "\nnDCG@10 and hits@10: ours (healthdir search) then plain BM25 over the same "
        "records. missing: judged-relevant services not in the imported directory."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feed", type=Path, required=True, help="an ORUK services feed (JSON)")
    parser.add_argument("--queries", type=Path, required=True, help="judged queries (JSON lines)")
    parser.add_argument(
        "--area", default="", help="the area's name (default: from the feed's file name)"
    )
    args = parser.parse_args(argv)
    area = args.area or args.feed.stem.split("-")[0].replace("_", " ").title()
    run(args.feed, args.queries, area)
    return 0


if __name__ == "__main__":
    sys.exit(main())
