"""Writing the open data and feeds into a built site."""

from __future__ import annotations

import json
from pathlib import Path

from entries import Directory
from open_data import oruk
from open_data.tables import activities_csv, provision_csv
from open_data.web import atom_feed, site_urls, sitemap

LICENCE = "https://creativecommons.org/licenses/by/4.0/"


def write_open_data(
    directory: Directory, output: Path, base_url: str, title: str, pages: list[str]
) -> None:
    """``data/`` (ORUK-shaped JSON and CSV), ``sitemap.xml`` and ``feeds/activities.atom``."""
    data = output / "data"
    services = [oruk.service(a, directory, base_url) for a in directory.listed_activities()]
    organizations = [
        oruk.organization(p, base_url) for p in directory.providers if p.listed_activities
    ]
    _records(data, "services", services)
    _records(data, "organizations", organizations)
    taxonomy = oruk.taxonomy(directory, base_url)
    _json(data / "taxonomies.json", oruk.page([taxonomy]))
    _json(data / "taxonomy_terms.json", oruk.page(taxonomy["taxonomy_terms"]))
    _json(
        data / "index.json",
        {
            "title": f"{title}: open data",
            "description": "An Open Referral UK-shaped feed of every live activity (HSDS 3.0, UK profile). Static files, not a query API.",
            "licence": LICENCE,
            "updated": directory.today.isoformat(),
            "files": [
                "services.json",
                "services/<id>.json",
                "organizations.json",
                "organizations/<id>.json",
                "taxonomies.json",
                "taxonomy_terms.json",
                "activities.csv",
                "provision.csv",
            ],
        },
    )
    (data / "activities.csv").write_text(activities_csv(directory, base_url), encoding="utf-8")
    (data / "provision.csv").write_text(provision_csv(directory), encoding="utf-8")
    (output / "sitemap.xml").write_text(
        sitemap(site_urls(directory, pages), base_url), encoding="utf-8"
    )
    (output / "feeds").mkdir(exist_ok=True)
    (output / "feeds" / "activities.atom").write_text(
        atom_feed(directory, base_url, title), encoding="utf-8"
    )


def _records(data: Path, kind: str, records: list[dict]) -> None:
    """``<kind>.json`` (one page of all records) and ``<kind>/<id>.json`` (each record).

    Each record is encoded once and the page is assembled from the same text.
    """
    texts = [json.dumps(record, ensure_ascii=False) for record in records]
    (data / kind).mkdir(parents=True, exist_ok=True)
    for record, text in zip(records, texts, strict=True):
        (data / kind / f"{record['id']}.json").write_text(text, encoding="utf-8")
    wrapper = json.dumps(
        oruk.page([])
        | {"contents": None, "size": len(texts), "total_items": len(texts), "empty": not texts}
    )
    (data / f"{kind}.json").write_text(
        wrapper.replace('"contents": null', '"contents": [' + ",".join(texts) + "]"),
        encoding="utf-8",
    )


def _json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def own_pages(content: Path) -> list[str]:
    """The site's own pages in ``content/pages`` (``about.md`` → ``about/``)."""
    return sorted(f"{page.stem}/" for page in (content / "pages").glob("*.md"))
