"""CSV tables: one row per live activity, and provision by domain and locality."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from entries import Directory
from entries.model import ALL_LOCALITIES, FRESH, Activity
from entries.text_safety import SafeCsvWriter

ACTIVITY_COLUMNS = [
    "provider", "activity", "url", "name", "provider_name", "summary", "domains", "locality",
    "when", "days", "cost", "price", "how_to_join", "venue_name", "address", "postcode",
    "delivery", "languages", "accessibility", "age_min", "age_max", "phone", "email",
    "website", "status", "last_confirmed",
]  # fmt: skip


def activities_csv(
    directory: Directory, base_url: str, known: Mapping[str, str] | None = None
) -> str:
    """Every live activity, lists joined with "; ", as UTF-8 CSV. ``known`` gives rows
    already made (of activities whose provider has not changed), by :func:`row_key`."""
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(ACTIVITY_COLUMNS)
    known = known or {}
    for a in directory.listed_activities():
        row = known.get(row_key(a.provider.slug, a.slug))
        if row is None:
            writer.writerow(_row(a, base_url))
        else:
            out.write(row)
    return out.getvalue()


def row_key(provider_slug: str, activity_slug: str) -> str:
    """What an activity's row starts with: its provider's slug and its own (slugs need
    no quotes in a CSV)."""
    return f"{provider_slug},{activity_slug}"


def csv_rows(text: str | None) -> dict[str, str]:
    """Each row of an activities CSV (as :func:`activities_csv` writes it), with its line
    end, by :func:`row_key`; nothing if the text is not one. A line break inside a cell
    is inside quotes, so a row ends at the first line end after an even number of them."""
    lines = (text or "").split("\n")
    if lines[0] != ",".join(ACTIVITY_COLUMNS) or lines[-1] != "":
        return {}
    rows: dict[str, str] = {}
    start, quotes = 1, 0
    for number in range(1, len(lines) - 1):
        quotes += lines[number].count('"')
        if quotes % 2 == 0:
            row = "\n".join(lines[start : number + 1]) + "\n"
            rows[",".join(row.split(",", 2)[:2])] = row
            start, quotes = number + 1, 0
    return rows if quotes == 0 else {}


def _row(a: Activity, base_url: str) -> list[Any]:
    venue, contact = a.venue, a.contact
    row = {
        "provider": a.provider.slug,
        "activity": a.slug,
        "url": f"{base_url}/{a.url}",
        "name": a.name,
        "provider_name": a.provider.name,
        "summary": a.summary,
        "domains": "; ".join(a.domains),
        "locality": a.locality,
        "when": a.when,
        "days": "; ".join(a.days),
        "cost": a.cost,
        "price": a.price,
        "how_to_join": a.how_to_join,
        "venue_name": venue.name if venue else "",
        "address": venue.address if venue else "",
        "postcode": venue.postcode if venue else "",
        "delivery": "; ".join(a.delivery),
        "languages": "; ".join(a.languages),
        "accessibility": "; ".join(a.accessibility),
        "age_min": "" if a.age_min is None else a.age_min,
        "age_max": "" if a.age_max is None else a.age_max,
        "phone": contact.phone,
        "email": contact.email,
        "website": contact.website,
        "status": a.status,
        "last_confirmed": a.provider.last_confirmed.isoformat(),
    }
    return [row[column] for column in ACTIVITY_COLUMNS]


@dataclass(frozen=True)
class Cell:
    """Live activities of one domain in one locality (area-wide ones counted everywhere)."""

    total: int
    free: int
    fresh: int

    @property
    def fresh_percent(self) -> int:
        return round(100 * self.fresh / self.total) if self.total else 0


def provision(directory: Directory) -> dict[str, dict[str, Cell]]:
    """domain id -> locality id -> :class:`Cell`, in site order (in one pass over the
    activities: a page and a file of every build show it)."""
    localities = list(directory.site.localities)
    counts = {
        domain_id: {place: [0, 0, 0] for place in localities} for domain_id in directory.domains
    }
    for a in directory.listed_activities():
        places = localities if a.locality == ALL_LOCALITIES else [a.locality]
        free, fresh = a.cost == "free", a.provider.freshness == FRESH
        for domain_id in dict.fromkeys(a.domains):
            row = counts.get(domain_id, {})
            for place in places:
                if place in row:
                    row[place][0] += 1
                    row[place][1] += free
                    row[place][2] += fresh
    return {
        domain_id: {place: Cell(*cell) for place, cell in row.items()}
        for domain_id, row in counts.items()
    }


def provision_csv(directory: Directory) -> str:
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(["domain", "locality", "activities", "free", "fresh", "fresh_percent"])
    for domain_id, row in provision(directory).items():
        for locality, cell in row.items():
            writer.writerow(
                [domain_id, locality, cell.total, cell.free, cell.fresh, cell.fresh_percent]
            )
    return out.getvalue()
