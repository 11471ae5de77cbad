"""Reading an Open Referral UK services feed, whichever version a directory publishes.

Councils publish ORUK v1 and v2 list views (a few fields per service, sometimes with
their own ``pc_`` extras) and full records, including HSDS 3.0 with the UK profile. The
same facts sit in different places in each; :class:`ServiceRecord` finds them, so the
importer reads one shape. Nothing here guesses: a fact the record does not give is
empty.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

MAX_FEED_BYTES = 200_000_000
# Fields only a service record has: a list of organisations, taxonomies or anything else
# has none of them.
_SERVICE_FIELDS = {
    "status", "organization", "organization_id", "service_at_locations", "schedules",
    "regular_schedules", "fees", "cost_options", "attending_type", "attending_access",
    "eligibilitys", "service_taxonomys", "assured_date", "deliverable_type",
}  # fmt: skip


class FeedError(Exception):
    """The file is not a readable ORUK services feed; the message says why, in one go."""


@dataclass(frozen=True)
class Feed:
    records: list[Any]
    complete: bool  # every record of the feed: one that is missing has gone from it


def read_feed(path: Path) -> Feed:
    """The service records in ``path``: a JSON list, or a page with ``contents``."""
    try:
        if path.stat().st_size > MAX_FEED_BYTES:
            raise FeedError(f"{path} is too big to be a services feed (over 200 MB).")
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise FeedError(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise FeedError(f"{path} is a folder: give the feed's JSON file.") from None
    except OSError as exc:
        raise FeedError(f"{path} cannot be read: {exc.strerror}.") from None
    except UnicodeDecodeError:
        raise FeedError(f"{path} is not text (UTF-8): is it the feed's JSON file?") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FeedError(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}). "
            "An Open Referral UK feed is a JSON file."
        ) from None
    records, complete = _records(data)
    if records is None:
        raise FeedError(
            f"{path} is not an Open Referral UK services feed: it should hold a list of "
            'services, or a page of them with "contents".'
        )
    if not records:
        raise FeedError(f"{path} holds no services.")
    if not any(
        isinstance(r, dict) and "id" in r and "name" in r and _SERVICE_FIELDS & set(r)
        for r in records
    ):
        raise FeedError(
            f"{path} holds no Open Referral UK service records (each has an id, a name and "
            "a status or organisation): is it a list of organisations, or another kind of file?"
        )
    return Feed(records, complete)


def _records(data: Any) -> tuple[list[Any] | None, bool]:
    if isinstance(data, list):
        return data, True
    if not isinstance(data, dict):
        return None, False
    for key in ("contents", "content"):  # HSDS 3.0 pages; ORUK v1 pages
        if isinstance(data.get(key), list):
            pages = data.get("total_pages", data.get("totalPages", 1))
            return data[key], not isinstance(pages, int) or pages <= 1
    if "id" in data and "name" in data:  # one service's own file
        return [data], False
    return None, False


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _list(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _day(value: Any) -> date | None:
    text = _text(value)[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(_text(value).lstrip("£")) if _text(value) else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Location:
    name: str
    address: str
    postcode: str
    virtual: bool
    accessibility: tuple[str, ...]


@dataclass(frozen=True)
class Session:
    """One schedule line as the feed gives it (times ``HH:MM``, days ``MO``…)."""

    freq: str
    interval: int
    days: tuple[str, ...]
    opens: str
    closes: str
    description: str
    attending: str


class ServiceRecord:
    """One service of the feed, its facts read from wherever its version keeps them."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.id = _text(str(raw.get("id", "")))
        self.name = " ".join(_text(raw.get("name")).split())
        self.description = _text(raw.get("description"))
        self.url = _text(raw.get("url")) or _text(raw.get("website"))
        self.email = _text(raw.get("email"))
        self.status = _text(raw.get("status")).casefold()
        self.fees = _text(raw.get("fees"))
        self.alert = _text(raw.get("alert"))

    @property
    def organization(self) -> dict[str, Any]:
        org = self.raw.get("organization")
        return org if isinstance(org, dict) and _text(org.get("name")) else {}

    @property
    def organization_id(self) -> str:
        return _text(str(self.organization.get("id") or self.raw.get("organization_id") or ""))

    def confirmed(self) -> date | None:
        """When the record was last assured (checked), else last modified."""
        meta = self.raw.get("pc_metadata") if isinstance(self.raw.get("pc_metadata"), dict) else {}
        for value in (
            self.raw.get("assured_date"),
            meta.get("date_assured"),
            self.raw.get("last_modified"),
            meta.get("date_modified"),
        ):
            if day := _day(value):
                return day
        return None

    def phones(self) -> Iterator[str]:
        """Phone numbers of the service itself, then of its named contacts."""
        for phone in _list(self.raw.get("phones")):
            yield _text(phone.get("number"))
        for contact in _list(self.raw.get("contacts")):
            for phone in _list(contact.get("phones")):
                yield _text(phone.get("number"))

    def categories(self) -> list[str]:
        """Taxonomy terms and categories, as the feed names them."""
        found: list[str] = []
        for attribute in _list(self.raw.get("attributes")):
            term = attribute.get("taxonomy_term")
            if isinstance(term, dict):
                found += [_text(term.get("name")), _text(term.get("term"))]
        for link in _list(self.raw.get("service_taxonomys")):
            taxonomy = link.get("taxonomy")
            if isinstance(taxonomy, dict):
                found.append(_text(taxonomy.get("name")))
        for key in ("taxonomy_terms", "categories"):
            for item in self.raw.get(key) or []:
                found.append(_text(item.get("name")) if isinstance(item, dict) else _text(item))
        found.append(_text(self.raw.get("deliverable_type")))
        return [term for term in dict.fromkeys(found) if term]

    def audiences(self) -> list[str]:
        """Who the service is for, where the feed says (``pc_targetAudience``, eligibility)."""
        found = [_text(a.get("audienceType")) for a in _list(self.raw.get("pc_targetAudience"))]
        found += [_text(e.get("eligibility")) for e in _list(self.raw.get("eligibilitys"))]
        # "Sensory Impaired>Visually Impaired": the narrowest term says it
        return list(dict.fromkeys(a.split(">")[-1].strip() for a in found if a))

    def ages(self) -> tuple[float | None, float | None]:
        low, high = _number(self.raw.get("minimum_age")), _number(self.raw.get("maximum_age"))
        for rule in _list(self.raw.get("eligibilitys")):
            low = low if low is not None else _number(rule.get("minimum_age"))
            high = high if high is not None else _number(rule.get("maximum_age"))
        return low, high

    def languages(self) -> list[str]:
        names = [
            _text(item.get("name")) or _text(item.get("language"))
            for item in _list(self.raw.get("languages"))
        ]
        return list(dict.fromkeys(name for name in names if name))

    def attending(self) -> list[str]:
        """How people attend and get access, in the feed's words."""
        found = [_text(self.raw.get("attending_access")), _text(self.raw.get("attending_type"))]
        found += [session.attending for session in self.sessions()]
        return [value for value in found if value]

    def delivery_words(self) -> list[str]:
        found = [_text(self.raw.get("attending_type"))]
        found += [session.attending for session in self.sessions()]
        found += ["virtual" for location in self.locations() if location.virtual]
        return [value for value in found if value]

    def costs(self) -> list[tuple[float | None, str]]:
        """Each cost option's amount (``None`` if not given) and its words."""
        return [
            (
                _number(option.get("amount")),
                " ".join(
                    part
                    for part in (
                        _text(option.get("option")),
                        _text(option.get("amount_description")),
                    )
                    if part
                ),
            )
            for option in _list(self.raw.get("cost_options"))
        ]

    def sessions(self) -> list[Session]:
        """Schedules of the service and of each place it runs at."""
        found = []
        places = [self.raw, *_list(self.raw.get("service_at_locations"))]
        for holder in places:
            for key in ("schedules", "regular_schedules", "regular_schedule"):
                for item in _list(holder.get(key)):
                    found.append(_session(item))
        return found

    def locations(self) -> list[Location]:
        found = []
        for link in _list(self.raw.get("service_at_locations")):
            place = link.get("location")
            if isinstance(place, dict):
                found.append(_location(place))
        return found


_WEEKDAYS = {"monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH",
             "friday": "FR", "saturday": "SA", "sunday": "SU"}  # fmt: skip


def _session(item: dict[str, Any]) -> Session:
    days = [d.strip().upper() for d in _text(item.get("byday")).split(",") if d.strip()]
    weekday = _text(str(item.get("weekday") or "")).casefold()
    if weekday:
        days.append(_WEEKDAYS.get(weekday, weekday[:2].upper()))
    return Session(
        freq=_text(item.get("freq")).upper(),
        interval=int(_number(item.get("interval")) or 1),
        days=tuple(dict.fromkeys(days)),
        opens=_text(item.get("opens_at"))[:5],
        closes=_text(item.get("closes_at"))[:5],
        description=" ".join(_text(item.get("description")).split()),
        attending=_text(item.get("attending_type")),
    )


def _location(place: dict[str, Any]) -> Location:
    addresses = _list(place.get("addresses")) or _list(place.get("physical_addresses"))
    physical = [a for a in addresses if _text(a.get("address_type")) in ("", "physical")]
    address = (physical or addresses or [{}])[0]
    lines = [_text(address.get(k)) for k in ("address_1", "address_2", "city")]
    features = _list(place.get("accessibility")) + _list(
        place.get("accessibility_for_disabilities")
    )
    notes = [
        _text(f.get("description")) or _text(f.get("accessibility")) or _text(f.get("details"))
        for f in features
    ]
    return Location(
        name=" ".join(_text(place.get("name")).split()),
        address=", ".join(dict.fromkeys(line for line in lines if line)),
        postcode=_text(address.get("postal_code")),
        virtual=_text(place.get("location_type")).casefold() == "virtual",
        accessibility=tuple(dict.fromkeys(n for n in notes if n)),
    )
