"""Checks a schema cannot express: ids that must exist, contact, dates, postcodes.

They run alongside the schema, on whatever parts of the entry have the right shape, so a
volunteer sees every problem in one go rather than one layer at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from entries.model import ALL_LOCALITIES, activity_slugs, imported_feed, is_uk_postcode
from entries.schema import multiline_fields
from entries.text_safety import describe_control, first_control

Found = Iterator[tuple[tuple[str | int, ...], str]]
CONTACT_FIELDS = ("phone", "email", "website")


def check_entry(
    data: Mapping[str, Any], domain_ids: list[str], locality_ids: list[str], today: date
) -> Found:
    """Yield ``(field path, message)`` for each semantic problem in an entry."""
    yield from _control_characters(data, ())
    yield from _check_date(data.get("last_confirmed"), ("last_confirmed",), today)
    checked = data.get("checked")
    if isinstance(checked, Mapping):
        yield from _check_date(checked.get("on"), ("checked", "on"), today)
    provider_contact = _has_contact(data)
    activities = data.get("activities")
    if not isinstance(activities, list):
        return
    names = [_text(a.get("name")) if isinstance(a, Mapping) else "" for a in activities]
    first_use: dict[str, int] = {}
    for index, (slug, item) in enumerate(zip(activity_slugs(names), activities, strict=True)):
        if not isinstance(item, Mapping):
            continue
        here = ("activities", index)
        if names[index] and slug in first_use:
            yield (
                (*here, "name"),
                (
                    f'has the same name as activity {first_use[slug] + 1} ("{names[first_use[slug]]}"). '
                    "Give each activity its own name."
                ),
            )
        first_use.setdefault(slug, index)
        yield from _check_activity(item, here, domain_ids, locality_ids, provider_contact)


def _check_activity(
    item: Mapping[str, Any],
    here: tuple[str | int, ...],
    domain_ids: list[str],
    locality_ids: list[str],
    provider_contact: bool,
) -> Found:
    domains = item.get("domains")
    for d, domain in enumerate(domains if isinstance(domains, list) else []):
        if isinstance(domain, str) and domain not in domain_ids:
            yield (
                (*here, "domains", d),
                (f'"{domain}" is not one of the directory\'s domains: {", ".join(domain_ids)}'),
            )
    locality = item.get("locality")
    if isinstance(locality, str) and locality not in [*locality_ids, ALL_LOCALITIES]:
        yield (
            (*here, "locality"),
            (
                f'"{locality}" is not one of: {", ".join(locality_ids)}, or all '
                "(for activities open to the whole area)"
            ),
        )
    # An imported service whose directory gives no contact details is still listed (its
    # page says so); anything written by hand or through the form must give one.
    if not provider_contact and not _has_contact(item) and not imported_feed(item):
        yield (
            here,
            (
                "has no way to get in touch. Add a phone, email or website to this activity "
                "or to the provider."
            ),
        )
    venue = item.get("venue")
    postcode = venue.get("postcode") if isinstance(venue, Mapping) else None
    if isinstance(postcode, str) and postcode.strip() and not is_uk_postcode(postcode):
        yield (
            (*here, "venue", "postcode"),
            (f'"{postcode}" doesn\'t look like a full UK postcode, such as AB1 2CD.'),
        )
    low, high = item.get("age_min"), item.get("age_max")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        yield (*here, "age_min"), f"({low}) is more than age_max ({high}). Swap them round."
    schedule = item.get("schedule")
    for s, session in enumerate(schedule if isinstance(schedule, list) else []):
        start, end = (
            session.get(k) if isinstance(session, Mapping) else None for k in ("from", "to")
        )
        if isinstance(start, str) and isinstance(end, str) and start >= end:
            yield (
                (*here, "schedule", s),
                (f'starts at {start} but ends at {end}: "from" must be earlier than "to".'),
            )


def _control_characters(value: Any, path: tuple[str | int, ...]) -> Found:
    """Invisible control characters anywhere in the entry (tab and line breaks are fine in
    a field of several lines, and around a one-line value)."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _control_characters(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _control_characters(item, (*path, index))
    elif isinstance(value, str):
        names = [part for part in path if isinstance(part, str)]
        multiline = bool(names) and names[-1] in multiline_fields()
        char = first_control(value if multiline else value.strip(), multiline=multiline)
        if char is not None:
            yield (
                path,
                f"contains an invisible control character ({describe_control(char)}). "
                "Delete it: retype the text, or paste it as plain text.",
            )


def _check_date(text: Any, path: tuple[str, ...], today: date) -> Found:
    try:
        when = date.fromisoformat(text)
    except (TypeError, ValueError):
        return  # the schema reports dates that are missing or not real
    if when > today:
        yield (
            path,
            f"{text} is in the future. Use the day someone actually confirmed these details.",
        )


def _has_contact(data: Mapping[str, Any]) -> bool:
    return any(_text(data.get(key)) for key in CONTACT_FIELDS)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
