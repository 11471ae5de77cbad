"""The facts about an activity that a printed signposting sheet needs, for the shortlist."""

from __future__ import annotations

import functools
import json
from typing import Any

from healthdir.entries import Activity
from healthdir.formatting import and_list, label, labelled, long_date


def card(activity: Activity) -> dict[str, Any]:
    venue = activity.venue
    where = (
        ", ".join(p for p in (venue.name, venue.address, venue.postcode) if p)
        if venue
        else and_list(labelled(activity.delivery, "delivery"))
    )
    contact = activity.contact
    return {
        "url": "/" + activity.url,
        "name": activity.name,
        "provider": activity.provider.name,
        "summary": activity.summary,
        "when": activity.when,
        "where": where,
        "cost": label(activity.cost, "cost") + (f" ({activity.price})" if activity.price else ""),
        "join": label(activity.how_to_join, "how_to_join"),
        "contact": "; ".join(p for p in (contact.phone, contact.email, contact.website) if p),
        "access": and_list(labelled(activity.accessibility, "accessibility")),
        "confirmed": long_date(activity.provider.last_confirmed),
    }


@functools.lru_cache(maxsize=50_000)
def card_json(activity: Activity) -> str:
    """The card as JSON for a ``data-activity`` attribute (the template escapes it).

    Kept once made: a build puts each activity's card on several list pages.
    """
    return json.dumps(card(activity), ensure_ascii=False)
