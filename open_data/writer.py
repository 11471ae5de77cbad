"""Writing the open data and feeds into a built site."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from entries import Activity, Directory, Provider
from entries.outputs import Outputs, providers_in
from open_data import oruk
from open_data.calendar import write_calendars
from open_data.tables import activities_csv, csv_rows, provision_csv
from open_data.web import atom_feed, site_urls, sitemap

LICENCE = "https://creativecommons.org/licenses/by/4.0/"
_CONTENTS = '"contents": [\n'  # where a page of all records lists them, one a line
_ID = '{"id": "'  # how each record starts
_BETWEEN = ",\n"  # what is between two records
T = TypeVar("T", Activity, Provider)


def write_open_data(
    directory: Directory,
    output: Path,
    base_url: str,
    title: str,
    pages: list[str],
    outputs: Outputs | None = None,
) -> None:
    """``data/`` (ORUK-shaped JSON and CSV), ``sitemap.xml``, ``feeds/activities.atom``
    and each weekly activity's calendar file, through ``outputs`` when a build records
    what each file is made from (:mod:`entries.outputs`)."""
    out = outputs or Outputs(output, directory)
    for part in open_data_parts(directory, base_url, title, pages):
        part(out)


def open_data_parts(
    directory: Directory, base_url: str, title: str, pages: list[str]
) -> list[Callable[[Outputs], None]]:
    """The open data in three parts of about the same work, each writing its files
    through the ``Outputs`` it is given, so that two processes can share them."""
    listed = directory.listed_activities()
    providers = [p for p in directory.providers if p.listed_activities]

    def services(out: Outputs) -> None:
        _records(out, "services", listed, lambda a, d: oruk.service(a, d, base_url))

    def calendars(out: Outputs) -> None:
        write_calendars(directory, out, base_url, title)

    def the_rest(out: Outputs) -> None:
        _records(out, "organizations", providers, lambda p, d: oruk.organization(p, base_url))
        _the_rest(out, base_url, title, pages)

    return [services, calendars, the_rest]


def _the_rest(out: Outputs, base_url: str, title: str, pages: list[str]) -> None:
    """The small files: the taxonomies, the data's index, the tables, sitemap and feed."""
    out.file("data/taxonomies.json", lambda d: _json(oruk.page([oruk.taxonomy(d, base_url)])))
    out.file(
        "data/taxonomy_terms.json",
        lambda d: _json(oruk.page(oruk.taxonomy(d, base_url)["taxonomy_terms"])),
    )
    out.file(
        "data/index.json",
        lambda d: _json(
            {
                "title": f"{title}: open data",
                "description": "An Open Referral UK-shaped feed of every live activity (HSDS 3.0, UK profile). Static files, not a query API.",
                "licence": LICENCE,
                "updated": d.today.isoformat(),
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
            }
        ),
    )
    rows = csv_rows(out.published("data/activities.csv"))  # unchanged rows are kept
    known = {key: row for key, row in rows.items() if out.unchanged(key.split(",")[0])}
    out.file("data/activities.csv", lambda d: activities_csv(d, base_url, known))
    out.file("data/provision.csv", provision_csv)
    out.file("sitemap.xml", lambda d: sitemap(site_urls(d, pages), base_url))
    out.file("feeds/activities.atom", lambda d: atom_feed(d, base_url, title))


def _records(
    out: Outputs,
    kind: str,
    items: Sequence[T],
    record: Callable[[T, Directory], dict[str, Any]],
) -> None:
    """``<kind>.json`` (one page of all records) and ``<kind>/<id>.json`` (each record).

    Each record is encoded once, in its own file, and the page is written from the same
    text as it goes, one record a line. Records that have not changed are taken from
    the published page of all records (one file read, not one for each record: 20,000
    of them at 10,000 providers), as whole runs of the records that follow each other
    there.
    """
    published = out.published(f"data/{kind}.json") or ""
    pieces = _pieces(out, kind, items, record, published)
    wrapper = json.dumps(
        oruk.page([])
        | {"contents": None, "size": len(items), "total_items": len(items), "empty": not items}
    )
    head, tail = wrapper.split('"contents": null')
    out.file(f"data/{kind}.json", lambda d: _page(head, pieces, tail), uses=items)
    for _ in pieces:  # the published page was taken: its records are, one by one
        pass


def _pieces(
    out: Outputs,
    kind: str,
    items: Sequence[T],
    record: Callable[[T, Directory], dict[str, Any]],
    published: str,
) -> Iterator[str]:
    """Each record's text, or runs of them as published, each file written or taken."""
    spans = records_in(published)
    run: tuple[int, int] | None = None  # the run of published records being taken
    for item in items:
        record_id = _record_id(item)
        path, span = f"data/{kind}/{record_id}.json", spans.get(record_id)
        if span is not None and out.reuse(path, providers_in(item)):
            if run is not None and run[1] + len(_BETWEEN) == span[0]:  # the next one there
                run = (run[0], span[1])
                continue
            if run is not None:
                yield published[run[0] : run[1]]
            run = span
            continue
        if run is not None:
            yield published[run[0] : run[1]]
            run = None
        yield out.text(
            path, lambda d, item=item: json.dumps(record(item, d), ensure_ascii=False), item
        )
    if run is not None:
        yield published[run[0] : run[1]]


def _page(head: str, pieces: Iterator[str], tail: str) -> Iterator[str]:
    first = next(pieces, None)
    if first is None:
        yield f'{head}"contents": []{tail}'
        return
    yield from (head, _CONTENTS, first)
    for piece in pieces:
        yield from (_BETWEEN, piece)
    yield from ("\n]", tail)


def records_in(page: str | None) -> dict[str, tuple[int, int]]:
    """Where each record's text is in a page of all records (as :func:`_records` writes
    it), by id; nothing if the page is not one. A record is one line: JSON text has no
    line break of its own, so the lines are the records."""
    if not page or (start := page.find(_CONTENTS)) < 0 or (end := page.find("\n]", start)) < 0:
        return {}
    spans: dict[str, tuple[int, int]] = {}
    at = start + len(_CONTENTS)
    while True:
        stop = page.find(_BETWEEN, at, end)
        stop = end if stop < 0 else stop
        if not page.startswith(_ID, at) or page[stop - 1] != "}":
            return {}
        spans[page[at + len(_ID) : page.index('"', at + len(_ID))]] = (at, stop)
        if stop == end:
            return spans
        at = stop + len(_BETWEEN)


def _record_id(item: Activity | Provider) -> str:
    return oruk.service_id(item) if isinstance(item, Activity) else oruk.organization_id(item)


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


def own_pages(content: Path) -> list[str]:
    """The site's own pages in ``content/pages`` (``about.md`` → ``about/``)."""
    return sorted(f"{page.stem}/" for page in (content / "pages").glob("*.md"))
