"""The registration form's answers, checked and turned into an entry.

The form asks about ten questions; everything it collects maps onto the entry format,
and the entry is then checked by the same model as ``healthdir check``, so a form can
never queue something the build would refuse.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from entries.directory import validate_entry
from entries.model import ALL_LOCALITIES, Site, normalise_postcode, slugify
from entries.schema import schema_pattern
from entries.text_safety import without_controls

WHERE_KINDS = {
    "venue": "At a venue",
    "no-fixed-place": "In different places, or outdoors with no fixed address",
    "online": "Online",
    "telephone": "By phone",
    "home-visit": "In people's homes (home visits)",
}
DELIVERY = {"venue": "in-person", "no-fixed-place": "in-person", "online": "online",
            "telephone": "telephone", "home-visit": "home-visit"}  # fmt: skip

# Field name -> longest answer accepted (the schema has the final word on content).
TEXT_FIELDS = {
    "group_name": 120, "activity_name": 120, "summary": 300, "where": 20, "locality": 40,
    "venue_name": 120, "address": 200, "postcode": 10, "when": 200, "cost": 10, "price": 120,
    "how_to_join": 20, "phone": 40, "email": 254, "website": 300, "your_name": 120,
    "your_email": 254, "consent": 5, "about": 1000, "details": 5000, "who_for": 1000,
    "age_min": 3, "age_max": 3, "languages": 300, "accessibility_notes": 1000,
    "charity_number": 20,
}  # fmt: skip
LIST_FIELDS = ("domains", "accessibility")
# Under "Add more detail": none of these is required.
OPTIONAL = ("about", "details", "who_for", "age_min", "age_max", "languages", "accessibility",
            "accessibility_notes", "charity_number")  # fmt: skip
EMAIL = schema_pattern("email")  # the schema's own rule: the form and files agree

# Where a problem the entry model finds is shown on the form.
_FIELD_FOR_PATH = {
    ("name",): "group_name", ("about",): "about", ("website",): "website",
    ("email",): "email", ("phone",): "phone", ("charity_number",): "charity_number",
    ("name", 0): "activity_name", ("summary", 0): "summary", ("details", 0): "details",
    ("domains", 0): "domains", ("locality", 0): "locality", ("when", 0): "when",
    ("cost", 0): "cost", ("price", 0): "price", ("how_to_join", 0): "how_to_join",
    ("venue", 0): "venue_name", ("who_for", 0): "who_for", ("age_min", 0): "age_min",
    ("age_max", 0): "age_max", ("languages", 0): "languages",
    ("accessibility", 0): "accessibility", ("accessibility_notes", 0): "accessibility_notes",
}  # fmt: skip
LABELS = {
    "group_name": "Your group's name", "activity_name": "The activity's name",
    "summary": "What happens", "domains": "Topics", "where": "Where it happens",
    "locality": "Area", "venue_name": "Name of the place", "address": "Address",
    "postcode": "Postcode", "when": "When it happens", "cost": "What it costs",
    "price": "Price", "how_to_join": "How people join", "phone": "Phone number",
    "email": "Email address", "website": "Website", "your_name": "Your name",
    "your_email": "Your email address", "consent": "Permission to publish",
    "about": "About your group", "details": "More detail", "who_for": "Who it is for",
    "age_min": "Youngest age", "age_max": "Oldest age", "languages": "Languages",
    "accessibility": "Accessibility", "accessibility_notes": "Accessibility notes",
    "charity_number": "Charity number",
}  # fmt: skip


@dataclass
class Checked:
    """The outcome of checking a form: an entry to queue, or errors to show."""

    answers: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    entry: dict[str, Any] | None = None
    private: dict[str, str] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        """The file name to suggest; a name with no Latin letters gets a stable made-up one."""
        name = self.answers.get("group_name", "")
        return (
            slugify(name)[:60].strip("-")
            or "group-" + hashlib.sha256(name.encode()).hexdigest()[:8]
        )


def read_answers(form: Mapping[str, Any]) -> dict[str, Any]:
    """What was typed, trimmed; lists for checkboxes. Nothing here is trusted yet."""
    answers: dict[str, Any] = {}
    for name, longest in TEXT_FIELDS.items():
        value = str(form.get(name, "") or "")
        multiline = name in ("details", "about")
        value = without_controls(value, multiline=multiline)
        value = value.strip() if multiline else " ".join(value.split())
        answers[name] = value[: longest * 2]  # keep a too-long answer to say so, not forever
    getlist = getattr(form, "getlist", lambda key: [form[key]] if key in form else [])
    for name in LIST_FIELDS:
        answers[name] = [without_controls(str(v)) for v in getlist(name)][:20]
    return answers


def check_answers(
    answers: dict[str, Any], domain_ids: list[str], site: Site, today: date
) -> Checked:
    """Check the answers and build the entry; errors are keyed by form field, in order."""
    result = Checked(answers=answers)
    errors = result.errors
    a = answers
    _require(a, errors, "group_name", "Enter your group's name")
    _require(
        a,
        errors,
        "activity_name",
        "Enter the name of the activity, such as ‘Dog walking volunteers’",
    )
    _require(a, errors, "summary", "Describe what happens, in a sentence or two")
    if not a["domains"]:
        errors["domains"] = "Select at least one topic"
    if a["where"] not in WHERE_KINDS:
        errors["where"] = "Select where it happens"
    elif a["where"] == "venue":
        _require(
            a,
            errors,
            "venue_name",
            "Enter the name of the place, such as ‘Mill Lane Community Centre’",
        )
    if a["locality"] not in [*site.localities, ALL_LOCALITIES]:
        errors["locality"] = "Select the area it is in, or ‘All of " + site.area_name + "’"
    _require(a, errors, "when", "Enter when it happens, such as ‘Tuesdays, 10am to 12 noon’")
    if a["cost"] not in ("free", "donation", "paid"):
        errors["cost"] = "Select what it costs"
    elif a["cost"] == "paid" and not a["price"]:
        errors["price"] = "Enter the price, such as ‘£3 a session’"
    if a["how_to_join"] not in ("drop-in", "contact-first", "referral"):
        errors["how_to_join"] = "Select how people join"
    if not (a["phone"] or a["email"] or a["website"]):
        errors["phone"] = (
            "Enter a phone number, email address or website people can use to get in touch"
        )
    _require(a, errors, "your_name", "Enter your name")
    if not a["your_email"]:
        errors["your_email"] = "Enter your email address, so we can ask you about the listing"
    elif not EMAIL.search(a["your_email"]) or len(a["your_email"]) > TEXT_FIELDS["your_email"]:
        errors["your_email"] = "Enter your email address in the right format, like name@example.com"
    if a["consent"] != "yes":
        errors["consent"] = "Confirm that we can publish these details"
    for name in ("age_min", "age_max"):
        if a[name] and not a[name].isdigit():
            errors[name] = f"Enter {LABELS[name].lower()} as a whole number, like 16"
    for name, longest in TEXT_FIELDS.items():
        if name not in errors and len(a[name]) > longest:
            errors[name] = f"{LABELS[name]} must be {longest} characters or fewer"

    entry = _entry(a, today)
    for path, message in validate_entry(entry, domain_ids, list(site.localities), today):
        name = _field_for(path)
        if name not in errors:
            errors[name] = _sentence(name, message)
    if not errors:
        result.entry = entry
        result.private = {"name": a["your_name"], "email": a["your_email"]}
    result.errors = {name: errors[name] for name in LABELS if name in errors}  # form order
    return result


def answers_from_entry(data: dict[str, Any], activity: dict[str, Any]) -> dict[str, Any]:
    """Prefill the form from a published entry, to update it."""
    venue = activity.get("venue") or {}
    delivery = activity.get("delivery") or []
    where = (
        "venue"
        if venue
        else next(
            (kind for kind, way in DELIVERY.items() if way in delivery and kind != "venue"),
            "no-fixed-place",
        )
    )
    answers = {name: "" for name in TEXT_FIELDS} | {name: [] for name in LIST_FIELDS}
    answers.update(
        group_name=data.get("name", ""), about=data.get("about", ""),
        phone=data.get("phone", "") or activity.get("phone", ""),
        email=data.get("email", "") or activity.get("email", ""),
        website=data.get("website", "") or activity.get("website", ""),
        charity_number=data.get("charity_number", ""),
        activity_name=activity.get("name", ""), summary=activity.get("summary", ""),
        details=activity.get("details", ""), domains=list(activity.get("domains", [])),
        where=where, locality=activity.get("locality", ""), venue_name=venue.get("name", ""),
        address=venue.get("address", ""), postcode=venue.get("postcode", ""),
        when=activity.get("when", ""), cost=activity.get("cost", ""),
        price=activity.get("price", ""), how_to_join=activity.get("how_to_join", ""),
        who_for=activity.get("who_for", ""),
        age_min=str(activity.get("age_min", "")), age_max=str(activity.get("age_max", "")),
        languages=", ".join(activity.get("languages", [])),
        accessibility=list(activity.get("accessibility", [])),
        accessibility_notes=activity.get("accessibility_notes", ""),
    )  # fmt: skip
    return answers


def _entry(a: dict[str, Any], today: date) -> dict[str, Any]:
    activity: dict[str, Any] = {
        "name": a["activity_name"],
        "summary": a["summary"],
        "domains": a["domains"],
        "locality": a["locality"],
        "when": a["when"],
        "cost": a["cost"],
        "how_to_join": a["how_to_join"],
    }
    optional = {
        "details": a["details"],
        "price": a["price"],
        "who_for": a["who_for"],
        "accessibility_notes": a["accessibility_notes"],
    }
    activity.update({k: v for k, v in optional.items() if v})
    if a["where"] == "venue" and a["venue_name"]:
        venue = {
            "name": a["venue_name"],
            "address": a["address"],
            "postcode": normalise_postcode(a["postcode"]),
        }
        activity["venue"] = {k: v for k, v in venue.items() if v}
    if a["where"] in DELIVERY:
        activity["delivery"] = [DELIVERY[a["where"]]]
    for name in ("age_min", "age_max"):
        if a[name].isdigit():
            activity[name] = int(a[name])
    languages = [part.strip() for part in a["languages"].split(",") if part.strip()]
    if languages:
        activity["languages"] = list(dict.fromkeys(languages))
    if a["accessibility"]:
        activity["accessibility"] = list(dict.fromkeys(a["accessibility"]))
    entry: dict[str, Any] = {"name": a["group_name"]}
    website = a["website"]
    if website:
        website = _web_address(website)
    contact = {"about": a["about"], "website": website, "email": a["email"], "phone": a["phone"],
               "charity_number": a["charity_number"]}  # fmt: skip
    entry.update({k: v for k, v in contact.items() if v})
    entry["last_confirmed"] = today.isoformat()
    entry["activities"] = [activity]
    return entry


def _web_address(typed: str) -> str:
    """``www.Group.org`` → ``https://www.group.org``: people leave out the scheme, and a
    scheme and host in capitals are the same address in lower case."""
    if not re.match(r"https?://", typed, re.IGNORECASE):
        typed = "https://" + typed
    parts = urlsplit(typed)
    return urlunsplit(parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()))


def _require(answers: dict[str, Any], errors: dict[str, str], name: str, message: str) -> None:
    if not answers[name]:
        errors[name] = message


def _field_for(path: tuple[str | int, ...]) -> str:
    if path[:1] == ("activities",) and len(path) >= 3:
        key = (str(path[2]), 0)
        if path[2] == "venue" and len(path) > 3:
            return {"name": "venue_name", "address": "address", "postcode": "postcode"}[
                str(path[3])
            ]
        return _FIELD_FOR_PATH.get(key, "summary")
    if path[:1] == ("activities",):
        return "phone"  # "no way to get in touch"
    return _FIELD_FOR_PATH.get(path[:1], "group_name")


def _sentence(name: str, message: str) -> str:
    """A model message such as "is too long (…)" as a sentence about the form field."""
    if message.split(" ", 1)[0] in ("is", "should", "has", "needs", "lists", "appears", "uses"):
        return f"{LABELS[name]} {message}"
    return message[0].upper() + message[1:]
