"""Writing the open data and feeds into a built site."""

from __future__ import annotations

import json
from pathlib import Path

from healthdir.entries import Directory
from healthdir.open_data import oruk
from healthdir.open_data.tables import activities_csv, provision_csv
from healthdir.open_data.web import atom_feed, sitemap

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
    taxonomy = oruk.taxonomy(directory, base_url)
    _json(data / "services.json", oruk.page(services))
    for record in services:
        _json(data / "services" / f"{record['id']}.json", record)
    _json(data / "organizations.json", oruk.page(organizations))
    for record in organizations:
        _json(data / "organizations" / f"{record['id']}.json", record)
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
    (output / "sitemap.xml").write_text(sitemap(pages, base_url), encoding="utf-8")
    (output / "feeds").mkdir(exist_ok=True)
    (output / "feeds" / "activities.atom").write_text(
        atom_feed(directory, base_url, title), encoding="utf-8"
    )


def _json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
