"""Typed, read-only views of the directory's content, built from validated entries."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from entries import i18n
from entries.places import Point, locality_of, postcode_point
from entries.safe_markdown import html_to_text, render_markdown
from entries.schema import activity_properties

SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")  # a whole name: use fullmatch, never match
# Words in an activity's `when` saying it does not simply happen every week on its
# schedule's days ("second Tuesday of the month", "every other Wednesday", "eight-week
# courses", "by appointment", "March to October"): a weekly calendar entry would send
# people on the wrong days, so such an activity gets none.
_NOT_EVERY_WEEK = re.compile(
    r"\b(months?|monthly|fortnight(ly)?|every other|alternate|courses?|terms?|appointments?|"
    r"booked|between|choose|suits?|january|february|march|april|may|june|july|august|"
    r"september|october|november|december)\b",
    re.IGNORECASE,
)
ALL_LOCALITIES = "all"
FRESH, DUE, OVERDUE = "fresh", "due", "overdue"


def add_months(day: date, months: int) -> date:
    """``2026-08-31`` plus 6 months is ``2027-02-28``: the day, or the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def slugify(text: str) -> str:
    """``"Knit & Natter (Tuesdays)"`` → ``knit-natter-tuesdays``; ASCII only, may be empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


@dataclass(frozen=True)
class Site:
    """The area the directory covers, from the site settings (``pelicanconf.py``)."""

    area_name: str
    localities: dict[str, str]
    review_after_months: int = 6
    hide_after_months: int = 12
    check_after_months: int = 24
    team_name: str = ""
    team_email: str = ""
    team_phone: str = ""
    # Locality id -> the postcode districts ("AB1") and sectors ("AB2 8") in it.
    locality_postcodes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    languages: tuple[str, ...] = ()  # LANGUAGES: the first at the site's root
    locales_path: str = ""  # LOCALES_PATH: where their catalogs are, if not the usual place

    def review_date(self, last_confirmed: date) -> date:
        """From this day the details are "due for review" and say they may have changed."""
        return add_months(last_confirmed, self.review_after_months)

    def hide_date(self, last_confirmed: date) -> date:
        """From this day the details are "overdue" and left out of the published site."""
        return add_months(last_confirmed, self.hide_after_months)

    def freshness(self, last_confirmed: date, today: date) -> str:
        """``fresh``, ``due`` (for review) or ``overdue`` (hidden) on ``today``."""
        if today >= self.hide_date(last_confirmed):
            return OVERDUE
        return DUE if today >= self.review_date(last_confirmed) else FRESH

    def locality_of(self, postcode: str) -> str | None:
        """The locality a postcode is in (``LOCALITY_POSTCODES``), if any of them."""
        return locality_of(postcode, self.locality_postcodes)

    def language(self, code: str) -> i18n.Language | None:
        """The site's language with ``code`` (else its first); ``None`` if it has no
        ``LANGUAGES`` setting (English). :class:`~entries.i18n.LanguageProblem` if that
        language's catalog cannot be used."""
        if not self.languages:
            return None
        settings = {"LANGUAGES": self.languages, "LOCALES_PATH": self.locales_path}
        found = i18n.languages(settings)
        return next((language for language in found if language.code == code), found[0])

    def locality_name(self, locality_id: str) -> str:
        if locality_id == ALL_LOCALITIES:
            return i18n.gettext("All of %(area)s", area=self.area_name)
        return self.localities.get(locality_id, locality_id)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Site:
        team = settings.get("DIRECTORY_TEAM") or {}
        return cls(
            area_name=str(settings.get("AREA_NAME", "")),
            localities=dict(settings.get("LOCALITIES") or {}),
            review_after_months=int(settings.get("REVIEW_AFTER", 6)),
            hide_after_months=int(settings.get("HIDE_AFTER", 12)),
            check_after_months=int(settings.get("CHECK_AFTER", 24)),
            team_name=str(team.get("name", "")),
            team_email=str(team.get("email", "")),
            team_phone=str(team.get("phone", "")),
            locality_postcodes={
                str(locality): tuple([codes] if isinstance(codes, str) else codes)
                for locality, codes in (settings.get("LOCALITY_POSTCODES") or {}).items()
            },
            languages=tuple(settings.get("LANGUAGES") or ()),
            locales_path=str(settings.get("LOCALES_PATH") or ""),
        )


@dataclass(frozen=True)
class DomainText:
    """What a domain's file says of it, in one language."""

    title: str
    summary: str
    examples: tuple[str, ...]
    body_html: str


@dataclass(frozen=True)
class Domain:
    """A self-management domain, defined by ``content/domains/<id>.md``, and translated by
    ``content/domains/<language>/<id>.md``: its words are those of the language being built
    or served, where there is a translation."""

    id: str
    order: int
    written: DomainText
    translations: Mapping[str, DomainText] = field(default_factory=dict)

    @property
    def shown(self) -> DomainText:
        language = i18n.current()
        return self.translations.get(language.code, self.written) if language else self.written

    @property
    def title(self) -> str:
        return self.shown.title

    @property
    def summary(self) -> str:
        return self.shown.summary

    @property
    def examples(self) -> tuple[str, ...]:
        return self.shown.examples

    @property
    def body_html(self) -> str:
        return self.shown.body_html


@dataclass(frozen=True)
class Venue:
    name: str
    address: str = ""
    postcode: str = ""
    location: Point | None = None  # exact, when the entry gives one

    @property
    def point(self) -> Point | None:
        """Where it is: the exact location, else its postcode's sector or district."""
        return self.location or (postcode_point(self.postcode) if self.postcode else None)


@dataclass(frozen=True)
class Session:
    """One line of an activity's structured ``schedule``."""

    days: tuple[str, ...]
    start: str
    end: str


@dataclass(frozen=True)
class Contact:
    phone: str = ""
    email: str = ""
    website: str = ""

    def __bool__(self) -> bool:
        return bool(self.phone or self.email or self.website)


@dataclass(eq=False)
class Activity:
    """One activity; it knows its provider so a page can show both."""

    provider: Provider = field(repr=False)
    slug: str
    name: str
    summary: str
    domains: tuple[str, ...]
    locality: str
    when: str
    cost: str
    how_to_join: str
    details: str = ""
    schedule: tuple[Session, ...] = ()
    price: str = ""
    venue: Venue | None = None
    delivery: tuple[str, ...] = ()
    who_for: str = ""
    age_min: int | None = None
    age_max: int | None = None
    languages: tuple[str, ...] = ()
    accessibility: tuple[str, ...] = ()
    accessibility_notes: str = ""
    suitable_for: tuple[str, ...] = ()
    status: str = "active"
    alert: str = ""
    own_contact: Contact = field(default_factory=Contact)
    data: Mapping[str, Any] = field(default_factory=dict, repr=False)  # as in the file

    def __getattr__(self, name: str) -> Any:
        """Any other field the schema defines, as written (``None`` when left out).

        So a new optional field needs only the schema and the template that shows it.
        """
        if name != "data" and name in activity_properties():
            return self.data.get(name)
        raise AttributeError(name)

    @property
    def url(self) -> str:
        return activity_path(self.provider.slug, self.slug)

    @property
    def runs_every_week(self) -> bool:
        """Whether its ``schedule`` is a plain weekly timetable that a calendar can repeat."""
        return bool(self.schedule) and not _NOT_EVERY_WEEK.search(self.when)

    @property
    def calendar_url(self) -> str | None:
        """Its "Add to calendar" file, from the site's root, if it runs every week and is
        not paused; written with the open data (:mod:`open_data.calendar`)."""
        if not self.runs_every_week or self.is_paused:
            return None
        return f"{self.url}{self.slug}.ics"

    @property
    def contact(self) -> Contact:
        """The activity's own contact details, each falling back to the provider's."""
        own, parent = self.own_contact, self.provider.contact
        return Contact(
            phone=own.phone or parent.phone,
            email=own.email or parent.email,
            website=own.website or parent.website,
        )

    @property
    def no_contact_from(self) -> str:
        """The feed it was imported from, if that gave no way to get in touch with it or
        its provider and none has been added since (its pages say so); else ``""``."""
        return "" if self.contact else imported_feed(self.data)

    @property
    def is_listed(self) -> bool:
        """Closed activities are kept in the file but never published."""
        return self.status != "closed"

    @property
    def is_paused(self) -> bool:
        return self.status == "paused"

    @cached_property
    def details_html(self) -> str:
        """``details`` as safe HTML: raw HTML removed, links made safe."""
        return render_markdown(self.details)

    @cached_property
    def details_text(self) -> str:
        """``details`` as plain words, for search and snippets."""
        return html_to_text(self.details_html)

    @property
    def days(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for session in self.schedule:
            seen.update(dict.fromkeys(session.days))
        return tuple(seen)


@dataclass(eq=False)
class Provider:
    """A group, charity or business, from ``content/providers/<slug>.yaml``."""

    slug: str
    name: str
    last_confirmed: date
    source: str
    about: str = ""
    contact: Contact = field(default_factory=Contact)
    charity_number: str = ""
    checked_by: str = ""
    checked_on: date | None = None
    freshness: str = FRESH  # on the build date: fresh, due (for review) or overdue (hidden)
    activities: list[Activity] = field(default_factory=list)
    data: Mapping[str, Any] = field(default_factory=dict, repr=False)  # as in the file

    @property
    def is_due_for_review(self) -> bool:
        return self.freshness == DUE

    @property
    def url(self) -> str:
        return f"providers/{self.slug}/"

    @property
    def listed_activities(self) -> list[Activity]:
        return [activity for activity in self.activities if activity.is_listed]


def imported_feed(data: Mapping[str, Any]) -> str:
    """The feed an entry or activity was imported from (its ``imported_from``), or ``""``
    if it was written by hand or through the form."""
    source = data.get("imported_from")
    return str(source.get("feed") or "").strip() if isinstance(source, Mapping) else ""


def activity_path(provider_slug: str, activity_slug: str) -> str:
    """An activity's page, from the site's root without the leading slash: the one place
    that says where activity pages live."""
    return f"activities/{provider_slug}/{activity_slug}/"


def activity_slugs(names: list[str]) -> list[str]:
    """Stable URL slugs for a provider's activities, in file order.

    A name with no Latin letters (say, only Bengali script) gets ``activity-<n>``.
    """
    return [slugify(name) or f"activity-{index + 1}" for index, name in enumerate(names)]


def build_provider(slug: str, source: str, data: Mapping[str, Any]) -> Provider:
    """Make a :class:`Provider` from entry data that has already passed the schema."""
    checked = data.get("checked") or {}
    provider = Provider(
        slug=slug,
        name=data["name"].strip(),
        last_confirmed=date.fromisoformat(data["last_confirmed"]),
        source=source,
        about=data.get("about", "").strip(),
        contact=_contact(data),
        charity_number=data.get("charity_number", ""),
        checked_by=checked.get("by", ""),
        checked_on=date.fromisoformat(checked["on"]) if checked.get("on") else None,
        data=data,
    )
    items = data["activities"]
    for slug_, item in zip(activity_slugs([a["name"] for a in items]), items, strict=True):
        provider.activities.append(_activity(provider, slug_, item))
    return provider


def _contact(data: Mapping[str, Any]) -> Contact:
    return Contact(
        phone=data.get("phone", "").strip(),
        email=data.get("email", "").strip(),
        website=data.get("website", "").strip(),
    )


def _activity(provider: Provider, slug: str, item: Mapping[str, Any]) -> Activity:
    venue = item.get("venue")
    return Activity(
        provider=provider,
        slug=slug,
        name=item["name"].strip(),
        summary=item["summary"].strip(),
        domains=tuple(item["domains"]),
        locality=item["locality"],
        when=item["when"].strip(),
        cost=item["cost"],
        how_to_join=item["how_to_join"],
        details=item.get("details", ""),
        schedule=tuple(
            Session(days=tuple(s["days"]), start=s["from"], end=s["to"])
            for s in item.get("schedule", [])
        ),
        price=item.get("price", "").strip(),
        venue=Venue(
            name=venue["name"].strip(),
            address=venue.get("address", "").strip(),
            postcode=normalise_postcode(venue.get("postcode", "")),
            location=Point(**venue["location"]) if venue.get("location") else None,
        )
        if venue
        else None,
        delivery=tuple(item.get("delivery", ())),
        who_for=item.get("who_for", "").strip(),
        age_min=item.get("age_min"),
        age_max=item.get("age_max"),
        languages=tuple(item.get("languages", ())),
        accessibility=tuple(item.get("accessibility", ())),
        accessibility_notes=item.get("accessibility_notes", "").strip(),
        suitable_for=tuple(item.get("suitable_for", ())),
        status=item.get("status", "active"),
        alert=item.get("alert", "").strip(),
        own_contact=_contact(item),
        data=item,
    )


# The shape of a UK postcode (outward code, space, inward code). Deliberately not the
# full Royal Mail rules: "looks like a postcode" catches typos without refusing real ones.
_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}")


def normalise_postcode(text: str) -> str:
    """``ab12cd`` → ``AB1 2CD``; text that is not a postcode comes back unchanged."""
    compact = re.sub(r"\s+", "", text).upper()
    if len(compact) < 5:
        return text.strip()
    return f"{compact[:-3]} {compact[-3:]}"


def is_uk_postcode(text: str) -> bool:
    return bool(_POSTCODE.fullmatch(normalise_postcode(text)))
