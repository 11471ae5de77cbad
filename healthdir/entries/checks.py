"""Checks a schema cannot express: ids that must exist, contact, dates, postcodes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from healthdir.entries.model import ALL_LOCALITIES, activity_slugs, is_uk_postcode

Found = Iterator[tuple[tuple[str | int, ...], str]]


def check_entry(
    data: Mapping[str, Any], domain_ids: list[str], locality_ids: list[str], today: date
) -> Found:
    """Yield ``(field path, message)`` for each semantic problem in a schema-valid entry."""
    yield from _check_date(data["last_confirmed"], ("last_confirmed",), today)
    if "checked" in data:
        yield from _check_date(data["checked"]["on"], ("checked", "on"), today)
    provider_contact = any(data.get(key) for key in ("phone", "email", "website"))
    activities = data["activities"]
    first_use: dict[str, int] = {}
    for index, (slug, item) in enumerate(
        zip(activity_slugs([a["name"] for a in activities]), activities, strict=True)
    ):
        here = ("activities", index)
        if slug in first_use:
            yield (
                (*here, "name"),
                (
                    f'has the same name as activity {first_use[slug] + 1} ("{activities[first_use[slug]]["name"]}"). '
                    "Give each activity its own name."
                ),
            )
        first_use.setdefault(slug, index)
        for d, domain in enumerate(item["domains"]):
            if domain not in domain_ids:
                yield (
                    (*here, "domains", d),
                    (f'"{domain}" is not one of the directory\'s domains: {", ".join(domain_ids)}'),
                )
        if item["locality"] not in [*locality_ids, ALL_LOCALITIES]:
            yield (
                (*here, "locality"),
                (
                    f'"{item["locality"]}" is not one of: {", ".join(locality_ids)}, or all '
                    "(for activities open to the whole area)"
                ),
            )
        if not provider_contact and not any(item.get(k) for k in ("phone", "email", "website")):
            yield (
                here,
                (
                    "has no way to get in touch. Add a phone, email or website to this activity "
                    "or to the provider."
                ),
            )
        postcode = (item.get("venue") or {}).get("postcode", "")
        if postcode and not is_uk_postcode(postcode):
            yield (
                (*here, "venue", "postcode"),
                (f'"{postcode}" doesn\'t look like a full UK postcode, such as AB1 2CD.'),
            )
        low, high = item.get("age_min"), item.get("age_max")
        if low is not None and high is not None and low > high:
            yield (*here, "age_min"), f"({low}) is more than age_max ({high}). Swap them round."
        for s, session in enumerate(item.get("schedule", [])):
            if session["from"] >= session["to"]:
                yield (
                    (*here, "schedule", s),
                    (
                        f"starts at {session['from']} but ends at {session['to']}: "
                        '"from" must be earlier than "to".'
                    ),
                )


def _check_date(text: str, path: tuple[str, ...], today: date) -> Found:
    if date.fromisoformat(text) > today:
        yield (
            path,
            (f"{text} is in the future. Use the day someone actually confirmed these details."),
        )
