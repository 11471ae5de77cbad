"""Benchmark: how quickly search answers, in-process and over HTTP, for a large directory.

Why this exists: link workers search the directory while someone is sitting with them,
so results have to feel instant even when the directory grows well beyond today's size.
The targets, from the issue, are that with 10,000 activities:

- in-process search (``SearchIndex.search`` on a warm searcher) has p95 <= 25 ms; and
- ``GET /search`` over HTTP, with 10 concurrent clients, has p95 <= 80 ms end to end
  (``healthdir serve`` as it starts by default; it is timed with one worker too).

The script makes a throwaway site of N/2 synthetic providers (two activities each) with
the generator in ``benchmarks/build.py``, loads and indexes it, then times a fixed,
seeded mix of realistic queries: single words and two-word phrases from the generated
activities, everyday words that go through synonyms, misspellings, and filtered searches
(some with no words at all). It prints the figures and whether each target is met, and
exits 0 whether or not they are: it is a benchmark, not a test. It exits 1 only if
something fails (an error, an exception from a search or an HTTP status other than 200).

Run it from the repository root with the project's virtualenv::

    .venv/bin/python benchmarks/search_speed.py [--activities N] [--queries Q] [--http-requests R]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import math
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import Path
from types import ModuleType
from typing import Any

import search
from entries import load_directory
from entries.site_settings import site_settings
from healthdir.serving import default_workers

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

SEED = 20261123
IN_PROCESS_TARGET_MS = 25.0
HTTP_TARGET_MS = 80.0
NEAR_EXTRA_MS = 5.0
NEAR_POSTCODE = "AB11 6"  # a sector among the generated venues (benchmarks/build.py)
TARGET_ACTIVITIES = 10_000
HTTP_CLIENTS = 10
LIMIT = 20
WARM_UP_QUERIES = 5
SLOWEST_SHOWN = 5
REQUEST_TIMEOUT = 60.0

# Everyday words and phrases people search with, which synonyms.yaml knows.
EVERYDAY = [
    "lonely",
    "money worries",
    "keep fit",
    "helping out",
    "memory",
    "someone to talk to",
    "debt",
    "exercise",
    "isolated",
    "healthy eating",
    "knitting",
    "low mood",
    "carers",
    "breathing",
    "give something back",
    "forgetful",
    "benefits",
    "gardening",
]
# Words too common to be a search on their own.
STOP_WORDS = {
    "and",
    "are",
    "for",
    "the",
    "who",
    "with",
    "your",
    "you",
    "our",
    "run",
    "just",
    "come",
    "want",
    "wants",
    "way",
    "bit",
    "own",
    "its",
}
MIN_MISSPELT_CHARS = 6


@dataclass(frozen=True)
class Query:
    """One search in the mix: its words, its filters and which kind of query it is."""

    kind: str
    text: str
    filters: search.Filters

    def describe(self) -> str:
        """The query as someone reading the output would want to see it."""
        active = self.filters.active()
        return f"[{self.kind}] q={self.text!r} filters={active}"

    def url_query(self) -> str:
        """The query string for ``GET /search``."""
        return urllib.parse.urlencode({"q": self.text, **self.filters.active()})


@dataclass(frozen=True)
class FilterChoices:
    """The values each filter can take in the generated site."""

    domains: list[str]
    localities: list[str]
    days: list[str]
    joins: list[str]


def load_site_builder() -> ModuleType:
    """``benchmarks/build.py``, imported by its path, as a module of its own."""
    spec = importlib.util.spec_from_file_location("site_builder", HERE / "build.py")
    if spec is None or spec.loader is None:
        raise RuntimeError(f"Cannot import {HERE / 'build.py'}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def words_of(text: str) -> list[str]:
    """The lower-case words in ``text`` (apostrophes dropped, as in "mens")."""
    return re.findall(r"[^\W\d_]+", text.casefold().replace("'", "").replace("’", ""))


def content_vocabulary(entries: list[tuple[str, dict[str, Any]]]) -> tuple[list[str], list[str]]:
    """Single words and adjacent word pairs from the activities' names and summaries."""
    singles: set[str] = set()
    pairs: set[str] = set()
    for _slug, entry in entries:
        for activity in entry["activities"]:
            for text in (activity["name"], activity["summary"]):
                words = words_of(text)
                singles.update(w for w in words if len(w) >= 3 and w not in STOP_WORDS)
                for first, second in pairwise(words):
                    if all(len(w) >= 3 and w not in STOP_WORDS for w in (first, second)):
                        pairs.add(f"{first} {second}")
    return sorted(singles), sorted(pairs)


def misspell(rng: random.Random, word: str) -> str:
    """``word`` with one letter deleted or doubled, or two neighbouring letters swapped."""
    while True:
        at = rng.randrange(1, len(word) - 1)  # keep the first letter, as most typos do
        how = rng.choice(["delete", "double", "swap"])
        if how == "delete":
            typo = word[:at] + word[at + 1 :]
        elif how == "double":
            typo = word[:at] + word[at] + word[at:]
        else:
            typo = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        if typo != word:
            return typo


def random_filters(rng: random.Random, choices: FilterChoices) -> search.Filters:
    """One to three of domain, locality, free, day and how to join, chosen at random."""
    picked = rng.sample(["domain", "locality", "free", "day", "join"], k=rng.randint(1, 3))
    values: dict[str, Any] = {}
    if "domain" in picked:
        values["domain"] = rng.choice(choices.domains)
    if "locality" in picked:
        values["locality"] = rng.choice(choices.localities)
    if "free" in picked:
        values["free"] = True
    if "day" in picked:
        values["day"] = rng.choice(choices.days)
    if "join" in picked:
        values["join"] = rng.choice(choices.joins)
    return search.Filters(**values)


def query_mix(
    count: int, singles: list[str], pairs: list[str], choices: FilterChoices, seed: int = SEED
) -> list[Query]:
    """``count`` queries in a fixed mix of kinds, the same every run for the same site."""
    rng = random.Random(seed)
    long_words = [w for w in singles if len(w) >= MIN_MISSPELT_CHARS]
    no_filters = search.Filters()
    kinds = ["word"] * 30 + ["phrase"] * 20 + ["everyday"] * 15 + ["typo"] * 15
    kinds += ["filtered"] * 20
    queries: list[Query] = []
    for _ in range(count):
        kind = rng.choice(kinds)
        if kind == "word":
            queries.append(Query(kind, rng.choice(singles), no_filters))
        elif kind == "phrase":
            queries.append(Query(kind, rng.choice(pairs), no_filters))
        elif kind == "everyday":
            queries.append(Query(kind, rng.choice(EVERYDAY), no_filters))
        elif kind == "typo":
            queries.append(Query(kind, misspell(rng, rng.choice(long_words)), no_filters))
        else:
            source = rng.choice(["none", "none", "word", "phrase", "everyday"])
            text = {
                "none": "",
                "word": rng.choice(singles),
                "phrase": rng.choice(pairs),
                "everyday": rng.choice(EVERYDAY),
            }[source]
            queries.append(Query(kind, text, random_filters(rng, choices)))
    return queries


def percentile(sorted_values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` from 0 to 100) of already sorted values."""
    rank = max(1, math.ceil(share / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def print_timings(label: str, millis: list[float]) -> float:
    """Print count, p50, p95, p99 and max of ``millis``; return the p95."""
    ordered = sorted(millis)
    p50, p95, p99 = (percentile(ordered, p) for p in (50, 95, 99))
    print(
        f"{label}: {len(ordered)} timed, p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
        f"p99 {p99:.1f} ms, max {ordered[-1]:.1f} ms"
    )
    return p95


def folder_megabytes(folder: Path) -> float:
    """The total size of the files in ``folder``, in MB (10^6 bytes)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1_000_000


def verdict(met: bool) -> str:
    """How a target's outcome is printed."""
    return "met" if met else "NOT met"


@dataclass(frozen=True)
class Timed:
    """One in-process search: the query, how long it took and how many activities matched."""

    query: Query
    millis: float
    total: int


def time_in_process(index: search.SearchIndex, queries: list[Query], near: str = "") -> list[Timed]:
    """Time each query on the warm ``index``, in order (``near`` a postcode, if given).

    Raises ``RuntimeError`` after timing the rest if any query raised an exception.
    """
    timed: list[Timed] = []
    failures: list[tuple[Query, str]] = []
    for item in queries:
        start = time.perf_counter()
        try:
            found = index.search(item.text, item.filters, limit=LIMIT, near=near)
        except Exception:
            failures.append((item, traceback.format_exc()))
            continue
        timed.append(Timed(item, (time.perf_counter() - start) * 1000, found.total))
    if failures:
        for item, trace in failures:
            print(f"Search raised an exception for {item.describe()}:")
            print(trace)
        raise RuntimeError(f"{len(failures)} of {len(queries)} searches raised an exception")
    return timed


def print_breakdown(timed: list[Timed]) -> None:
    """Timings by kind of query, and the slowest queries, to show where the time goes."""
    for kind in sorted({t.query.kind for t in timed}):
        ordered = sorted(t.millis for t in timed if t.query.kind == kind)
        print(
            f"  {kind:<9} {len(ordered):4d} queries: p50 {percentile(ordered, 50):6.1f} ms, "
            f"p95 {percentile(ordered, 95):6.1f} ms, max {ordered[-1]:6.1f} ms"
        )
    print("  Slowest:")
    for t in sorted(timed, key=lambda t: t.millis, reverse=True)[:SLOWEST_SHOWN]:
        print(f"    {t.millis:6.1f} ms, {t.total:5d} matched: {t.query.describe()}")


@contextlib.contextmanager
def serving(site: Path, output: Path, workers: int = 0) -> Iterator[str]:
    """Run ``healthdir serve`` for ``site`` in its own processes (as in production), so the
    load-generating clients here never compete with it for Python's global lock: with
    ``workers`` worker processes, or its default (one per core)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    healthdir = Path(sys.executable).with_name("healthdir")
    server = subprocess.Popen(
        [str(healthdir), "serve", "--port", str(port), "--output", str(output)]
        + (["--workers", str(workers)] if workers else []),
        cwd=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/search", timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("healthdir serve did not start")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def fetch(base: str, item: Query) -> tuple[float, int, Query]:
    """GET /search for ``item``; return the end-to-end time (ms), the status and the query."""
    url = f"{base}/search?{item.url_query()}"
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        error.read()
        status = error.code
    return (time.perf_counter() - start) * 1000, status, item


def time_http(base: str, queries: list[Query]) -> tuple[list[float], float]:
    """Send every query from ``HTTP_CLIENTS`` threads; return the times (ms) and seconds taken.

    Raises ``RuntimeError`` if any response's status is not 200.
    """
    with ThreadPoolExecutor(max_workers=HTTP_CLIENTS) as pool:
        start = time.perf_counter()
        outcomes = list(pool.map(lambda item: fetch(base, item), queries))
        seconds = time.perf_counter() - start
    bad = [(status, item) for _ms, status, item in outcomes if status != 200]
    if bad:
        for status, item in bad[:20]:
            print(f"GET /search answered {status} for {item.describe()}")
        raise RuntimeError(f"{len(bad)} of {len(queries)} requests did not answer 200")
    return [ms for ms, _status, _item in outcomes], seconds


def run(args: argparse.Namespace) -> None:
    """Build the site and index, then time searches in-process and over HTTP."""
    site_builder = load_site_builder()
    today = date.today()
    print(
        "Load average (1, 5, 15 minutes) at the start: {:.1f} {:.1f} {:.1f}".format(
            *os.getloadavg()
        )
    )
    providers = math.ceil(args.activities / 2)
    with tempfile.TemporaryDirectory(prefix="healthdir-search-bench-") as tmp_name:
        tmp = Path(tmp_name)
        site, output = tmp / "site", tmp / "output"
        index_dir = site / "search-index"  # where the site's settings say, for `healthdir serve`
        site.mkdir()
        output.mkdir()

        start = time.perf_counter()
        entries = site_builder.write_site(site, providers, today)
        generated = time.perf_counter() - start
        start = time.perf_counter()
        directory, problems = load_directory(site, site_settings(site), today=date.today())
        loaded = time.perf_counter() - start
        if problems:
            shown = "\n".join(f"  {problem}" for problem in problems[:20])
            raise RuntimeError(f"The generated site has {len(problems)} problems:\n{shown}")
        start = time.perf_counter()
        indexed = search.build_index(directory, index_dir)
        indexing = time.perf_counter() - start
        print(f"Providers: {len(entries)}  Activities indexed: {indexed}")
        print(f"Generating the site: {generated:.2f} s  Loading it: {loaded:.2f} s")
        print(f"Indexing: {indexing:.2f} s")
        print(f"Index size on disk: {folder_megabytes(index_dir):.2f} MB")

        vocab = site_builder.load_vocabulary(site)
        choices = FilterChoices(
            domains=sorted(vocab.domains),
            localities=sorted(vocab.localities),
            days=list(vocab.days),
            joins=list(vocab.joins),
        )
        singles, pairs = content_vocabulary(entries)
        queries = query_mix(args.queries, singles, pairs, choices)
        counts = Counter(q.kind for q in queries)
        mix = ", ".join(f"{kind} {counts[kind]}" for kind in sorted(counts))
        print(f"Query mix: {mix} (from {len(singles)} words and {len(pairs)} phrases)")

        index = search.SearchIndex(index_dir)
        for item in query_mix(WARM_UP_QUERIES, singles, pairs, choices, seed=SEED + 1):
            index.search(item.text, item.filters, limit=LIMIT)
        timed = time_in_process(index, queries)
        print()
        in_process_p95 = print_timings("In-process search", [t.millis for t in timed])
        empty = sum(t.total == 0 for t in timed)
        print(f"Zero results: {empty} of {len(timed)} ({100 * empty / len(timed):.1f}%)")
        print_breakdown(timed)
        near = NEAR_POSTCODE
        near_p95 = print_timings(
            f"The same, near {near}", [t.millis for t in time_in_process(index, queries, near)]
        )

        http_queries = query_mix(args.http_requests, singles, pairs, choices, seed=SEED + 2)
        # One worker process, then as many as `healthdir serve` starts by default (one
        # per core), on the same queries: the target is for the default.
        for workers, label in ((1, "1 worker"), (0, f"{default_workers()} workers (default)")):
            with serving(site, output, workers) as base:
                for item in query_mix(WARM_UP_QUERIES, singles, pairs, choices, seed=SEED + 3):
                    fetch(base, item)
                http_millis, seconds = time_http(base, http_queries)
            print()
            http_p95 = print_timings(f"GET /search, {HTTP_CLIENTS} clients, {label}", http_millis)
            print(f"Throughput: {len(http_millis) / seconds:.1f} requests per second")

    print()
    print("Load average at the end: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    scale = (
        ""
        if args.activities == TARGET_ACTIVITIES
        else (
            f" (the targets are for {TARGET_ACTIVITIES:,} activities; this run has "
            f"{args.activities:,})"
        )
    )
    print(
        f"Target in-process p95 <= {IN_PROCESS_TARGET_MS:.0f} ms: "
        f"{verdict(in_process_p95 <= IN_PROCESS_TARGET_MS)}{scale}"
    )
    print(
        f"Target HTTP p95 <= {HTTP_TARGET_MS:.0f} ms with {HTTP_CLIENTS} clients: "
        f"{verdict(http_p95 <= HTTP_TARGET_MS)}{scale}"
    )
    print(
        f"Target near a postcode: p95 within {NEAR_EXTRA_MS:.0f} ms of the same searches "
        f"without ({near_p95 - in_process_p95:+.1f} ms): "
        f"{verdict(near_p95 - in_process_p95 <= NEAR_EXTRA_MS)}{scale}"
    )


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and run the benchmark; 1 if anything failed, else 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--activities", type=int, default=10_000, help="activities to index (default 10000)"
    )
    parser.add_argument(
        "--queries", type=int, default=500, help="in-process searches to time (default 500)"
    )
    parser.add_argument(
        "--http-requests", type=int, default=500, help="HTTP requests to time (default 500)"
    )
    args = parser.parse_args(argv)
    if args.activities < 2 or args.queries < 1 or args.http_requests < 1:
        parser.error("--activities must be at least 2; --queries and --http-requests at least 1")
    try:
        run(args)
    except Exception as error:
        traceback.print_exc()
        print(f"Benchmark failed: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
