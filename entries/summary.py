"""The one summary of an activity: the facts every list, search result and signposting
sheet shows, made here and nowhere else.

Directory pages make it from the model (:func:`summarise`), in the language being built
or served; the search index stores it as JSON with the facts behind its words, and gives
it back with each result in the language of the search (:func:`from_index`), so a list
and a result show the same words, and "Add to my list" keeps the same facts.
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from functools import cached_property
from typing import Any

from entries import i18n
from entries.formatting import and_list, catalog, label, labelled, long_date
from entries.i18n import gettext
from entries.model import ALL_LOCALITIES, Activity, Site


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
            gettext("When: %(when)s", when=self.when),
            gettext("Where: %(where)s", where=self.where),
            gettext("Cost: %(cost)s", cost=self.cost),
            gettext("Contact: %(contact)s", contact=self.contact) if self.contact else "",
            gettext("Details: %(url)s", url=f"{base_url}{self.url}"),
        ]
        return "\n".join(line for line in lines if line)

    @classmethod
    def from_json(cls, text: str) -> ActivitySummary:
        data = json.loads(text)
        return cls(**{f.name: data[f.name] for f in fields(cls)})


def summarise(activity: Activity, locality_name: str) -> ActivitySummary:
    """``activity`` summarised in the current language; ``locality_name`` says where an
    activity with no venue and no way of delivery given happens."""
    return _summarise(activity, locality_name, catalog())


@functools.lru_cache(maxsize=50_000)
def _summarise(activity: Activity, locality_name: str, _catalog: object) -> ActivitySummary:
    """Kept once made: a build lists each activity on several pages."""
    provider = activity.provider
    return ActivitySummary(
        url="/" + activity.url,
        name=activity.name,
        provider=provider.name,
        summary=activity.summary,
        when=activity.when,
        where=where(activity, locality_name),
        due_for_review=provider.is_due_for_review,
        paused=activity.is_paused,
        **_said(_facts(activity)),
    )


def where(activity: Activity, locality_name: str) -> str:
    """Where to go, in words: the venue with its address, or how it is delivered."""
    if venue := activity.venue:
        return ", ".join(part for part in (venue.name, venue.address, venue.postcode) if part)
    return and_list(labelled(activity.delivery, "delivery")) or locality_name


def for_index(activity: Activity, site: Site) -> str:
    """The summary as the search index stores it: in the current language, with the facts
    behind the words that depend on the language, to say them again in another."""
    locality = activity.locality
    facts = {
        **_facts(activity),
        "language": _language(),
        "delivery": list(activity.delivery),
        "place": "" if locality == ALL_LOCALITIES else site.locality_name(locality),
        "area": site.area_name,
    }
    data = asdict(summarise(activity, site.locality_name(locality)))
    return json.dumps({**data, "facts": facts}, ensure_ascii=False)


def from_index(text: str) -> ActivitySummary:
    """A summary the index stores (:func:`for_index`), in the current language."""
    return _from_index(text, _language(), catalog())


@functools.lru_cache(maxsize=20_000)
def _from_index(text: str, language: str, _catalog: object) -> ActivitySummary:
    """Read once per language (results show the same activities again and again)."""
    data = json.loads(text)
    summary = ActivitySummary(**{f.name: data[f.name] for f in fields(ActivitySummary)})
    facts = data.get("facts")
    if not facts or facts.get("language") == language:
        return summary
    said = _said(facts)
    if not facts["venue"]:
        everywhere = gettext("All of %(area)s", area=facts["area"])
        delivery = and_list(labelled(facts["delivery"], "delivery"))
        said["where"] = delivery or facts["place"] or everywhere
    return replace(summary, **said)


def _facts(activity: Activity) -> dict[str, Any]:
    contact = activity.contact
    return {
        "contact": "; ".join(p for p in (contact.phone, contact.email, contact.website) if p),
        "no_contact_from": activity.no_contact_from,
        "venue": activity.venue is not None,
        "cost": activity.cost,
        "price": activity.price,
        "join": activity.how_to_join,
        "access": list(activity.accessibility),
        "confirmed": activity.provider.last_confirmed.isoformat(),
    }


def _said(facts: dict[str, Any]) -> dict[str, str]:
    """The summary's words that depend on the language, from its facts."""
    cost = label(facts["cost"], "cost")
    if facts["price"]:
        cost = gettext("%(cost)s (%(price)s)", cost=cost, price=facts["price"])
    return {
        "cost": cost,
        "contact": facts["contact"] or _no_contact(facts),
        "join": label(facts["join"], "how_to_join"),
        "access": and_list(labelled(facts["access"], "accessibility")),
        "confirmed": long_date(date.fromisoformat(facts["confirmed"])),
    }


def _no_contact(facts: dict[str, Any]) -> str:
    """What to do when the directory an activity was imported from gave no contact
    details: said plainly, never left blank as if we had forgotten them."""
    if not facts["no_contact_from"]:
        return ""
    if facts["venue"]:
        return gettext(
            "No contact details were given. Ask at the venue, or check the %(feed)s "
            "directory, where this listing comes from.",
            feed=facts["no_contact_from"],
        )
    return gettext(
        "No contact details were given. Check the %(feed)s directory, where this listing "
        "comes from.",
        feed=facts["no_contact_from"],
    )


def _language() -> str:
    language = i18n.current()
    return language.code if language else ""
