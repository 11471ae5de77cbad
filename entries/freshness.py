"""How fresh the directory is: the figures behind the public page and the team's report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from entries.directory import Directory
from entries.model import DUE, FRESH, OVERDUE, Activity, Provider, add_months

STATES = (FRESH, DUE, OVERDUE)
STATE_WORDS = {FRESH: "fresh", DUE: "due for review", OVERDUE: "overdue (hidden)"}


@dataclass(frozen=True)
class Share:
    months: int
    confirmed: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.confirmed / self.total) if self.total else 0


def confirmed_within(directory: Directory, months: int) -> Share:
    """How many of all activities on file (published or hidden, not closed) had their
    details confirmed in the last ``months`` months before the build date."""
    since = add_months(directory.today, -months)
    activities = [(p, a) for p in directory.all_providers for a in p.listed_activities]
    recent = sum(1 for p, _ in activities if p.last_confirmed > since)
    return Share(months=months, confirmed=recent, total=len(activities))


def counts_by(directory: Directory, key: str) -> dict[str, Counter[str]]:
    """Activities by freshness state, grouped by ``locality`` or ``domain``."""
    table: dict[str, Counter[str]] = {}
    for provider in directory.all_providers:
        for activity in provider.listed_activities:
            groups = activity.domains if key == "domain" else (activity.locality,)
            for group in groups:
                table.setdefault(group, Counter())[provider.freshness] += 1
    return table


def oldest_first(directory: Directory) -> list[Provider]:
    return sorted(directory.all_providers, key=lambda p: (p.last_confirmed, p.name.casefold()))


def check_overdue(directory: Directory) -> list[Provider]:
    """Providers the directory team last checked more than ``CHECK_AFTER`` months ago (or never)."""
    limit = add_months(directory.today, -directory.site.check_after_months)
    return [p for p in oldest_first(directory) if p.checked_on is None or p.checked_on <= limit]


def without_contact(directory: Directory) -> list[Activity]:
    """Activities imported from a directory that gave no way to get in touch: listed, and
    saying so, until the team finds a phone number, email or website for them."""
    return [a for p in oldest_first(directory) for a in p.listed_activities if a.no_contact_from]


def review_and_hide_dates(provider: Provider, directory: Directory) -> tuple[date, date]:
    site = directory.site
    return site.review_date(provider.last_confirmed), site.hide_date(provider.last_confirmed)
