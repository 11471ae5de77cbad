"""An Open Referral UK-shaped open data feed (HSDS 3.0, UK profile).

The build writes it as static files: ``services.json`` and ``organizations.json`` hold
every record in one page, and each record also has a file of its own. The web service's
query API (``service/oruk_api.py``) serves the same records, searched, filtered and paged.
Identifiers are UUIDs derived from the provider and activity file names, so they stay the
same from build to build.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from typing import Any

from entries import Activity, Directory, Provider
from entries.formatting import label

TAXONOMY_NAME = "Self-management domains"
_NAMESPACE_BYTES = uuid.UUID("6f1c2a52-52b8-4d0e-9a51-4b9d7f7c0b6e").bytes
# Our day ids -> the iCalendar days HSDS schedules use.
BYDAY = {"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}


@functools.lru_cache(maxsize=1 << 17)
def uid(*parts: str) -> str:
    """A stable UUID for a record, from what it is and where it comes from (each worked
    out once a build: every record and calendar of an activity names its ids). The
    UUID 5 worked out directly, as :func:`uuid.uuid5` does, at a third of its cost."""
    name = hashlib.sha1(_NAMESPACE_BYTES + "/".join(parts).encode(), usedforsecurity=False)
    raw = bytearray(name.digest()[:16])
    raw[6], raw[8] = (raw[6] & 0x0F) | 0x50, (raw[8] & 0x3F) | 0x80  # version 5, RFC 4122
    hexa = raw.hex()
    return f"{hexa[:8]}-{hexa[8:12]}-{hexa[12:16]}-{hexa[16:20]}-{hexa[20:]}"


def service_id(activity: Activity) -> str:
    return uid("service", activity.provider.slug, activity.slug)


def service_at_location_id(activity: Activity) -> str:
    return uid("service_at_location", service_id(activity))


def organization_id(provider: Provider) -> str:
    return uid("organization", provider.slug)


def taxonomy_term_id(domain_id: str) -> str:
    return uid("taxonomy_term", domain_id)


def taxonomy(directory: Directory, base_url: str) -> dict[str, Any]:
    """The six (or more) domains as an HSDS taxonomy with its terms."""
    return {
        "id": uid("taxonomy", "domains"),
        "name": TAXONOMY_NAME,
        "description": "The self-management domains activities belong to, such as physical activity or befriending.",
        "uri": f"{base_url}/domains/",
        "version": "1",
        "taxonomy_terms": [
            taxonomy_term(directory, domain_id, base_url) for domain_id in directory.domains
        ],
    }


def taxonomy_term(directory: Directory, domain_id: str, base_url: str) -> dict[str, Any]:
    domain = directory.domains[domain_id]
    return {
        "id": taxonomy_term_id(domain_id),
        "name": domain.title,
        "description": domain.summary or domain.title,
        "taxonomy": TAXONOMY_NAME,
        "taxonomy_id": uid("taxonomy", "domains"),
        "term_uri": f"{base_url}/domains/{domain_id}/",
        "term": domain_id,
    }


def organization(provider: Provider, base_url: str) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": organization_id(provider),
        "name": provider.name,
        "description": provider.about or provider.name,
        "uri": f"{base_url}/{provider.url}",
    }
    if provider.contact.email:
        record["email"] = provider.contact.email
    if provider.contact.website:
        record["website"] = provider.contact.website
    if provider.charity_number:
        record["organization_identifiers"] = [
            {
                "id": uid("organization_identifier", provider.slug),
                "organization_id": record["id"],
                "identifier_scheme": "GB-CHC",
                "identifier_type": "Registered charity number",
                "identifier": provider.charity_number,
            }
        ]
    return record


def service(activity: Activity, directory: Directory, base_url: str) -> dict[str, Any]:
    """One activity as an HSDS service, with its organisation, schedule, costs and more."""
    provider, site = activity.provider, directory.site
    sid = service_id(activity)
    description = " ".join(part for part in (activity.summary, activity.details_text) if part)
    record: dict[str, Any] = {
        "id": sid,
        "organization_id": organization_id(provider),
        "name": activity.name,
        "description": description,
        "url": f"{base_url}/{activity.url}",
        "status": "temporarily closed" if activity.is_paused else "active",
        "fees": activity.price or label(activity.cost, "cost"),
        "last_modified": f"{provider.last_confirmed.isoformat()}T00:00:00Z",
        "organization": organization(provider, base_url),
        "schedules": _schedules(activity, sid),
        "service_areas": [
            {
                "id": uid("service_area", sid),
                "service_id": sid,
                "name": site.locality_name(activity.locality),
            }
        ],
        "service_at_locations": _locations(activity, sid, site.area_name),
        "languages": [
            {"id": uid("language", sid, name), "service_id": sid, "name": name}
            for name in activity.languages
        ],
        "cost_options": [
            {
                "id": uid("cost_option", sid),
                "service_id": sid,
                "option": label(activity.cost, "cost"),
                **({"amount": 0} if activity.cost == "free" else {}),
                **({"amount_description": activity.price} if activity.price else {}),
            }
        ]
        if activity.cost != "ask"  # not known: no cost option to state
        else [],
        "contacts": [{"id": uid("contact", sid), "service_id": sid, "name": provider.name}],
        "phones": [{"id": uid("phone", sid), "service_id": sid, "number": activity.contact.phone}]
        if activity.contact.phone
        else [],
        "attributes": [
            {
                "id": uid("attribute", sid, domain_id),
                "link_id": sid,
                "link_type": "domain",
                "taxonomy_term_id": taxonomy_term_id(domain_id),
                "taxonomy_term": taxonomy_term(directory, domain_id, base_url),
            }
            for domain_id in activity.domains
        ],
    }
    if activity.contact.email:
        record["email"] = activity.contact.email
    if activity.age_min is not None:
        record["minimum_age"] = activity.age_min
    if activity.age_max is not None:
        record["maximum_age"] = activity.age_max
    if provider.checked_on:
        record["assured_date"] = provider.checked_on.isoformat()
    if activity.alert:
        record["alert"] = activity.alert
    return record


def service_at_location(activity: Activity, directory: Directory, base_url: str) -> dict[str, Any]:
    """An activity at its venue, with its service nested (an HSDS full service_at_location).

    Only for an activity with a venue: the others are not at a location.
    """
    record = service(activity, directory, base_url)
    [at_location] = record.pop("service_at_locations")
    return at_location | {"service": record}


def one_to_one(record: dict[str, Any]) -> dict[str, Any]:
    """A record as list responses give it: its own fields and the single records nested in
    it, without the lists of child records (schedules, addresses and the like)."""
    return {
        key: one_to_one(value) if isinstance(value, dict) else value
        for key, value in record.items()
        if not isinstance(value, list)
    }


def page(
    contents: list[dict[str, Any]],
    total_items: int | None = None,
    page_number: int = 1,
    per_page: int | None = None,
) -> dict[str, Any]:
    """One page of an ORUK list response: by default, all the records in one page."""
    total = len(contents) if total_items is None else total_items
    total_pages = max(1, -(-total // (per_page or max(total, 1))))
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": len(contents),
        "first_page": page_number == 1,
        "last_page": page_number >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def _schedules(activity: Activity, sid: str) -> list[dict[str, Any]]:
    base = {
        "service_id": sid,
        "description": activity.when,
        "attending_type": label(activity.how_to_join, "how_to_join"),
    }
    if not activity.schedule:
        return [{"id": uid("schedule", sid), **base}]
    return [
        {
            "id": uid("schedule", sid, str(number)),
            **base,
            "freq": "WEEKLY",
            "interval": 1,
            "byday": ",".join(BYDAY[day] for day in session.days),
            "opens_at": session.start,
            "closes_at": session.end,
        }
        for number, session in enumerate(activity.schedule)
    ]


def _locations(activity: Activity, sid: str, area: str) -> list[dict[str, Any]]:
    venue = activity.venue
    if venue is None:
        return []
    location_id = uid("location", sid)
    location: dict[str, Any] = {
        "id": location_id,
        "location_type": "physical",
        "name": venue.name,
        "accessibility": [
            {
                "id": uid("accessibility", sid, feature),
                "location_id": location_id,
                "description": label(feature, "accessibility"),
            }
            for feature in activity.accessibility
        ],
    }
    if venue.postcode:
        location["addresses"] = [
            {
                "id": uid("address", sid),
                "location_id": location_id,
                "address_1": venue.address or venue.name,
                "city": area,
                "state_province": area,
                "postal_code": venue.postcode,
                "country": "GB",
                "address_type": "physical",
            }
        ]
    return [
        {
            "id": service_at_location_id(activity),
            "service_id": sid,
            "location_id": location_id,
            "location": location,
        }
    ]
