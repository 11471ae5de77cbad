"""One ORUK service as one of our activities, and its organisation as a provider.

Nothing is invented: a fact the record does not give is left out, or stated as unknown
in the words people read ("Contact the group for times", cost "Ask the group").
``last_confirmed`` is the day the record was assured, or else last changed, never the day
of the import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from entries.formatting import and_list
from entries.model import Site, is_uk_postcode, normalise_postcode
from entries.schema import labels, schema_pattern
from open_data.html_text import (
    Block,
    as_markdown,
    as_text,
    blocks,
    link_targets,
    shorten,
    summary_and_rest,
)
from open_data.oruk_feed import ServiceRecord, Session
from open_data.oruk_mapping import ImportMapping

NO_TIMES = "Contact the group for times"
NO_DESCRIPTION = "Contact the group for details."
SHORTENED = "This description has been shortened. Contact the group for the full details."
COST_UNKNOWN = "ask"
_DAYS = {"MO": "mon", "TU": "tue", "WE": "wed", "TH": "thu", "FR": "fri", "SA": "sat", "SU": "sun"}
_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
_CHARITY = re.compile(r"[0-9A-Z]{5,12}(-[0-9]{1,3})?")
_BARE_WEBSITE = re.compile(r"[\w-]+(\.[\w-]+)+([/?#]\S*)?")
LIMITS = {"name": 120, "summary": 300, "details": 5000, "about": 1000, "when": 200,
          "price": 120, "alert": 200, "who_for": 1000, "accessibility_notes": 1000,
          "venue": 120, "address": 200, "language": 120}  # fmt: skip


class NotImported(Exception):
    """This record cannot become an activity; the message says why, for the report."""


def activity(
    record: ServiceRecord, mapping: ImportMapping, site: Site, feed: str, today: date
) -> tuple[dict[str, Any], date]:
    """The activity for ``record`` (with its own contact details and ``imported_from``),
    and the day its details were last confirmed."""
    if not record.name:
        raise NotImported("has no name")
    confirmed = record.confirmed()
    if confirmed is None:
        raise NotImported(
            "gives no date it was assured or changed, so no date its details were confirmed"
        )
    if confirmed > today:
        raise NotImported(f"is dated {confirmed} (assured or changed), which is after today")
    found = blocks(record.description)
    domains = mapping.domains_for(record.categories(), record.name, as_text(found))
    if not domains:
        raise NotImported("matches none of the mapping's categories or words for a topic")
    summary, rest = summary_and_rest(found, LIMITS["summary"])
    extra: list[str] = []
    when, schedule = when_and_schedule(record.sessions())
    if len(when) > LIMITS["when"]:
        extra.append(f"Times: {when}")
        when = shorten(when, LIMITS["when"])
    cost, price = cost_and_price(record, mapping)
    if len(price) > LIMITS["price"]:
        extra.append(f"Costs: {price}")
        price = shorten(price, LIMITS["price"])
    entry: dict[str, Any] = {
        "name": shorten(record.name, LIMITS["name"]),
        "summary": summary or NO_DESCRIPTION,
        "domains": list(domains),
        "when": when or NO_TIMES,
        "cost": cost,
        "how_to_join": mapping.join_for(record.attending()),
    }
    venue, others = venue_and_others(record)
    postcode = venue.get("postcode", "")
    entry["locality"] = (postcode and site.locality_of(postcode)) or mapping.locality_for(
        postcode, f"{venue.get('name', '')}, {venue.get('address', '')}"
    )
    if others:
        extra.append(f"Also at: {'; '.join(others)}.")
    details = details_text(rest, extra)
    optional = {
        "details": details,
        "schedule": schedule,
        "price": price,
        "venue": venue,
        "delivery": mapping.delivery_for(record.delivery_words()),
        "who_for": shorten("; ".join(record.audiences()), LIMITS["who_for"]),
        "languages": [shorten(n, LIMITS["language"]) for n in record.languages()],
        "accessibility_notes": shorten(
            " ".join(_accessibility(record)), LIMITS["accessibility_notes"]
        ),
        "status": "paused" if record.status == "temporarily closed" else "",
        "alert": shorten(" ".join(record.alert.split()), LIMITS["alert"]),
        **contact(record.url, record.email, record.phones()),
        **_ages(record),
    }
    entry.update({key: value for key, value in optional.items() if value or value == 0})
    entry["imported_from"] = {"feed": feed, "id": record.id}
    return entry, confirmed


def provider_fields(org: dict[str, Any]) -> dict[str, Any]:
    """A provider's own fields from an ORUK organisation record."""
    found = blocks(_text(org.get("description")))
    fields = {
        "name": shorten(" ".join(_text(org.get("name")).split()), LIMITS["name"]),
        "about": shorten(as_text(found), LIMITS["about"]),
        **contact(
            _text(org.get("website")) or _text(org.get("url")),
            _text(org.get("email")),
            _phones(org),
        ),
        "charity_number": _charity_number(org),
    }
    return {key: value for key, value in fields.items() if value}


def contact(website: str, email: str, phones: Iterable[str]) -> dict[str, str]:
    """The website, email and first phone number that our schema accepts."""
    found = {"website": _website(website), "email": email if _EMAIL.search(email) else ""}
    found["phone"] = next((p for p in phones if p and _PHONE.search(p)), "")
    return {key: value for key, value in found.items() if value}


def contact_in_text(description: str) -> dict[str, str]:
    """The first web address, email and phone number a description links to: for a
    record whose own fields give none (a listing of places, each with its details)."""
    targets = link_targets(description)
    return contact(
        next((t for t in targets if _website(t) and t.casefold().startswith("http")), ""),
        next(
            (e for t in targets if (e := t.removeprefix("mailto:")) != t and _EMAIL.search(e)), ""
        ),
        (t.removeprefix("tel:") for t in targets if t.startswith("tel:")),
    )


def unusable_contact(website: str, email: str) -> str:
    """Why a website or email the record gives could not be used, for the report."""
    if website and not _website(website):
        return f' (its website "{website}" is not a full web address)'
    if email and not _EMAIL.search(email):
        return f' (its email "{email}" is not an email address)'
    return ""


_WEBSITE, _EMAIL, _PHONE = (schema_pattern(name) for name in ("website", "email", "phone"))


def _website(text: str) -> str:
    """A web address as our schema wants it; ``www.group.org`` gets its ``http://``."""
    text = text.strip()
    if _BARE_WEBSITE.fullmatch(text) and "@" not in text:
        text = f"http://{text}"
    return text if _WEBSITE.search(text) else ""


def _phones(org: dict[str, Any]) -> list[str]:
    phones = org.get("phones")
    return (
        [_text(p.get("number")) for p in phones if isinstance(p, dict)]
        if isinstance(phones, list)
        else []
    )


def _charity_number(org: dict[str, Any]) -> str:
    for item in org.get("organization_identifiers") or []:
        if not isinstance(item, dict):
            continue
        kind = f"{_text(item.get('identifier_scheme'))} {_text(item.get('identifier_type'))}".casefold()
        number = re.sub(r"\s+", "", _text(str(item.get("identifier") or ""))).upper()
        if ("gb-chc" in kind or "charity" in kind) and _CHARITY.fullmatch(number):
            return number
    return ""


def when_and_schedule(sessions: list[Session]) -> tuple[str, list[dict[str, Any]]]:
    """Times in words, and the structured weekly sessions our filters can use."""
    words: list[str] = []
    schedule: list[dict[str, Any]] = []
    for session in sessions:
        days = [_DAYS[d] for d in session.days if d in _DAYS]
        weekly = session.freq in ("", "WEEKLY") and days and len(days) == len(session.days)
        timed = (
            bool(_TIME.fullmatch(session.opens) and _TIME.fullmatch(session.closes))
            and session.opens < session.closes
        )
        every = f"Every {session.interval} weeks on " if session.interval > 1 else ""
        if weekly and timed and not every:
            schedule.append({"days": days, "from": session.opens, "to": session.closes})
        if session.description:
            words.append(session.description)
        elif weekly:
            plural = and_list(f"{labels('day')[d]}s" for d in days)
            times = f", {_clock(session.opens)} to {_clock(session.closes)}" if timed else ""
            words.append(f"{every}{plural}{times}" if every else f"{plural}{times}")
    return "; ".join(dict.fromkeys(words)), schedule


def _clock(time: str) -> str:
    """``"14:30"`` → ``2:30pm``; ``"12:00"`` → ``12 noon`` (NHS style)."""
    hours, minutes = int(time[:2]), time[3:]
    if (hours, minutes) == (12, "00"):
        return "12 noon"
    if (hours, minutes) == (0, "00"):
        return "midnight"
    suffix = "am" if hours < 12 else "pm"
    shown = hours % 12 or 12
    return f"{shown}{suffix}" if minutes == "00" else f"{shown}:{minutes}{suffix}"


def cost_and_price(record: ServiceRecord, mapping: ImportMapping) -> tuple[str, str]:
    """``free``, ``donation`` or ``paid`` only when the record says so; else ``ask``."""
    options = record.costs()
    amounts = [amount for amount, _ in options]
    described = "; ".join(_cost_words(amount, words) for amount, words in options)
    if any(a is not None and a > 0 for a in amounts):
        return "paid", described
    if options and all(a == 0 for a in amounts):
        return "free", ""
    for text in (record.fees, *(words for _, words in options)):
        if text and (said := mapping.cost_for(text)):
            return said, ""
    return COST_UNKNOWN, "; ".join(part for part in (record.fees, described) if part)


def _cost_words(amount: float | None, words: str) -> str:
    if amount is None:
        return words
    money = f"£{amount:.0f}" if amount == int(amount) else f"£{amount:.2f}"
    return f"{money} {words}".strip()


def venue_and_others(record: ServiceRecord) -> tuple[dict[str, str], list[str]]:
    """The first place it runs at, as our venue; the others in a few words."""
    places = [p for p in record.locations() if not p.virtual and (p.name or p.address)]
    if not places:
        return {}, []
    first = places[0]
    name = first.name or first.address.split(",")[0]
    address = first.address if first.address != name else ""
    postcode = normalise_postcode(first.postcode) if is_uk_postcode(first.postcode) else ""
    if first.postcode and not postcode:  # kept as written, as part of the address
        address = ", ".join(part for part in (address, first.postcode) if part)
    venue = {
        "name": shorten(name, LIMITS["venue"]),
        "address": shorten(address, LIMITS["address"]),
        "postcode": postcode,
    }
    venue = {key: value for key, value in venue.items() if value}
    others = [", ".join(part for part in (p.name, p.postcode) if part) for p in places[1:]]
    return venue, [other for other in others if other]


def _accessibility(record: ServiceRecord) -> list[str]:
    places = [p for p in record.locations() if not p.virtual]
    return list(places[0].accessibility) if places else []


def _ages(record: ServiceRecord) -> dict[str, int]:
    low, high = record.ages()
    ages = {
        key: int(value)
        for key, value in (("age_min", low), ("age_max", high))
        if value is not None and value == int(value) and 0 <= value <= 120
    }
    if len(ages) == 2 and ages["age_min"] > ages["age_max"]:
        return {}
    return ages


def details_text(rest: list[Block], extra: list[str]) -> str:
    """Facts that did not fit their own field, then the description after the summary,
    within the most ``details`` may hold (the end cut off, and said so, if need be)."""
    found = [Block(line) for line in extra] + rest
    text = as_markdown(found)
    if len(text) <= LIMITS["details"]:
        return text
    room = LIMITS["details"] - len(SHORTENED) - 2
    kept: list[Block] = []
    for block in found:
        if len(as_markdown([*kept, block])) > room:
            break
        kept.append(block)
    cut = room
    while not kept:  # the first paragraph alone is too long
        cut -= 200
        shortened = Block(shorten(found[0].text, cut), found[0].kind)
        kept = [shortened] if len(as_markdown([shortened])) <= room else []
    return f"{as_markdown(kept)}\n\n{SHORTENED}"


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
