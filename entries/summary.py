"""The one summary of an activity: the facts every list, search result and signposting
sheet shows, made here and nowhere else.

Directory pages make it from the model (:func:`summarise`); the search index stores it
as JSON and gives it back with each result (:meth:`ActivitySummary.from_json`), so a list
and a result show the same words, and "Add to my list" keeps the same facts.
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass, fields
from functools import cached_property

from entries.formatting import and_list, label, labelled, long_date
from entries.model import Activity


@dataclass(frozen=True)
class ActivitySummary:
    url: str  # the page, from the site's root: /activities/<provider>/<activity>/
    name: str
    provider: str  # the provider's name
    summary: str
    when: str
    where: str
    cost: str  # as people read it: "Paid (£3 a session)"
    join: str
    contact: str
    access: str
    confirmed: str  # "14 October 2026"
    due_for_review: bool
    paused: bool

    @cached_property
    def json(self) -> str:
        """For a ``data-activity`` attribute (the template escapes it) and the index."""
        return json.dumps(asdict(self), ensure_ascii=False)

    def message(self, base_url: str) -> str:
        """The activity as a short text to send to a phone or by email, or to keep with a
        calendar entry: enough to get there with no internet, and its page at the
        directory's public address ``base_url`` for the rest."""
        lines = [
            f"{self.name} ({self.provider})",
            f"When: {self.when}",
            f"Where: {self.where}",
            f"Cost: {self.cost}",
            f"Contact: {self.contact}" if self.contact else "",
            f"Details: {base_url}{self.url}",
        ]
        return "\n".join(line for line in lines if line)

    @classmethod
    def from_json(cls, text: str) -> ActivitySummary:
        data = json.loads(text)
        return cls(**{f.name: data[f.name] for f in fields(cls)})


@functools.lru_cache(maxsize=50_000)
def summarise(activity: Activity, locality_name: str) -> ActivitySummary:
    """``activity`` summarised; ``locality_name`` says where an activity with no venue and
    no way of delivery given happens. Kept once made: a build lists each activity on
    several pages."""
    contact = activity.contact
    provider = activity.provider
    return ActivitySummary(
        url="/" + activity.url,
        name=activity.name,
        provider=provider.name,
        summary=activity.summary,
        when=activity.when,
        where=where(activity, locality_name),
        cost=label(activity.cost, "cost") + (f" ({activity.price})" if activity.price else ""),
        join=label(activity.how_to_join, "how_to_join"),
        contact="; ".join(p for p in (contact.phone, contact.email, contact.website) if p),
        access=and_list(labelled(activity.accessibility, "accessibility")),
        confirmed=long_date(provider.last_confirmed),
        due_for_review=provider.is_due_for_review,
        paused=activity.is_paused,
    )


def where(activity: Activity, locality_name: str) -> str:
    """Where to go, in words: the venue with its address, or how it is delivered."""
    if venue := activity.venue:
        return ", ".join(part for part in (venue.name, venue.address, venue.postcode) if part)
    return and_list(labelled(activity.delivery, "delivery")) or locality_name
