"""The registration form's questions, declared once.

Each :class:`Question` says what is asked (label, hint, kind), how long an answer may be,
whether it must be answered, which part of the form it sits in, whether it is asked once,
once per activity or once per day-and-time, and where the answer goes in the entry.
Reading the answers, checking them, building the entry, placing the entry model's errors
and the template (``partials/form_fields.html``) all follow this table, so asking a new
question is one line here.

At most ten answers are required, the consent tick included: everything else is
optional, asked only when it applies, or worked out (the area, from the postcode; where
it happens is a postcode, or else how it happens, one answer either way).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import urlsplit, urlunsplit

from entries.formatting import and_list
from entries.model import Domain, normalise_postcode
from entries.schema import labels
from registration.schedule import VARIES, day_choices, time_choices

KINDS = ("text", "email", "tel", "number", "textarea", "count", "radios", "checkboxes",
         "select", "tick")  # fmt: skip
SCOPES = ("group", "activity", "session")  # asked once, per activity, per day-and-time


def web_address(typed: str) -> str:
    """``www.Group.org`` → ``https://www.group.org``: people leave out the scheme, and a
    scheme and host in capitals are the same address in lower case."""
    if not re.match(r"https?://", typed, re.IGNORECASE):
        typed = "https://" + typed
    parts = urlsplit(typed)
    return urlunsplit(parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()))


def comma_list(typed: str) -> list[str]:
    """``"English, Urdu, English"`` → ``["English", "Urdu"]``."""
    return list(dict.fromkeys(part.strip() for part in typed.split(",") if part.strip()))


def whole_number(typed: str) -> int | str:
    """A whole number as a number; anything else as typed, for the checks to refuse."""
    return int(typed) if typed.isdigit() else typed


@dataclass(frozen=True)
class Section:
    """A part of the form: a heading, a fieldset with a legend, or a "more" details."""

    name: str
    title: str = ""
    wrapper: str = "plain"  # plain | heading | fieldset | details
    scope: str = "group"
    size: str = "m"  # a fieldset legend's size
    hint: str = ""


@dataclass(frozen=True)
class Question:
    """One question on the form, and where its answer goes."""

    name: str  # the form field's name and id (with a prefix for a later activity or time)
    label: str  # the question people read
    kind: str  # how it is asked: one of KINDS
    section: str
    limit: int = 0  # the longest answer, in characters (text kinds)
    hint: str = ""
    required: str = ""  # what to say when it is left empty; "" if it may be
    optional: bool = False  # the label says "(optional)"
    called: str = ""  # how messages name it, if not by its label
    entry: tuple[str, ...] = ()  # its place in the entry, from the provider or the activity
    tidy: Callable[[str], Any] | None = None  # the answer as the entry holds it
    choices: Mapping[str, str] | str = ""  # value → words, or where they come from
    offer: tuple[str, ...] = ()  # of a schema field's values, only these (all if empty)
    exclusive: str = ""  # a choice that excludes the others, after "or"
    autocomplete: str = ""
    classes: str = ""
    rows: int = 0

    @property
    def noun(self) -> str:
        """The question's name in a sentence, such as "What happens must be …"."""
        return self.called or self.label

    @property
    def multiline(self) -> bool:
        return self.kind in ("textarea", "count")

    @property
    def is_list(self) -> bool:
        return self.kind == "checkboxes"

    @property
    def scope(self) -> str:
        return _SECTION[self.section].scope


class Option(NamedTuple):
    """One choice a question offers: its value, the words people read, and a hint."""

    value: str
    text: str
    hint: str = ""


SECTIONS = (
    Section("group", "Your group", "heading"),
    Section("activity", "About the activity", "heading", "activity"),
    Section("where", "Where does it happen?", "fieldset", "activity",
            hint="Give the postcode of the place where it happens. If there is no one place, "
                 "choose how it happens instead."),
    Section("session", "When does it happen?", "fieldset", "session"),
    Section("when", scope="activity"),
    Section("joining", scope="activity"),
    Section("more", "Add more detail about this activity (optional)", "details", "activity"),
    Section("contact", "How can people get in touch?", "fieldset",
            hint="Give at least one. These are published."),
    Section("group_more", "Add more about your group (optional)", "details"),
    Section("you", "About you", "fieldset",
            hint="So we can tell you when your listing is published, or ask about it. We "
                 "never publish these."),
    Section("consent"),
)  # fmt: skip
_SECTION = {section.name: section for section in SECTIONS}

# Ways an activity with no one place happens; with a postcode, it is at a venue.
WHERE_KINDS = {
    "online": "Online",
    "telephone": "By phone",
    "home-visit": "In people's homes (home visits)",
    "no-fixed-place": "In different places, or outdoors with no fixed address",
}
VENUE = "venue"
DELIVERY = {VENUE: "in-person", "no-fixed-place": "in-person", "online": "online",
            "telephone": "telephone", "home-visit": "home-visit"}  # fmt: skip

Q = Question
QUESTIONS = (
    Q("group_name", "Your group's name", "text", "group", 120,
      hint="As people know it, such as ‘Anytown Cat and Dog Shelter’",
      required="Enter your group's name", entry=("name",), autocomplete="organization"),
    Q("activity_name", "The activity's own name", "text", "activity", 120, optional=True,
      called="The activity's name",
      hint="Only if it is not the same as your group's name, such as ‘Dog walking "
           "volunteers’ or ‘Tuesday knit and natter’",
      entry=("activity", "name")),
    Q("summary", "What happens?", "count", "activity", 300, called="What happens",
      hint="A sentence or two in everyday words, such as ‘Walk our rescue dogs around Mill "
           "Park. No experience needed.’",
      required="Describe what happens, in a sentence or two", entry=("activity", "summary"),
      rows=3),
    Q("domains", "Which of these does it help with?", "checkboxes", "activity", called="Topics",
      hint="Select all that apply", required="Select at least one topic",
      entry=("activity", "domains"), choices="domains"),
    Q("postcode", "Postcode of the place", "text", "where", 10, called="Postcode",
      hint="Such as AB1 2CD. It shows people which part of {area} it is in, and how far away",
      entry=("activity", "venue", "postcode"), tidy=normalise_postcode,
      autocomplete="postal-code", classes="nhsuk-input--width-10"),
    Q("venue_name", "Name of the place", "text", "where", 120, optional=True,
      hint="Such as ‘Mill Lane Community Centre’. Leave it empty if it is your group's own "
           "place.",
      entry=("activity", "venue", "name")),
    Q("address", "Address", "text", "where", 200, optional=True,
      entry=("activity", "venue", "address"), autocomplete="street-address"),
    Q("where", "If there is no one place, how does it happen?", "radios", "where", 20,
      called="How it happens", choices=WHERE_KINDS),
    Q("days", "Which days?", "checkboxes", "session", called="Days",
      required="Select the days it happens, or ‘It varies, or by arrangement’",
      choices="days", exclusive=VARIES),
    Q("starts", "Starts", "select", "session", 5, called="Start time", choices="times"),
    Q("ends", "Ends", "select", "session", 5, called="End time", choices="times"),
    Q("when_notes", "Anything else about when?", "text", "when", 150, optional=True,
      called="When it happens",
      hint="Such as ‘First Tuesday of the month’ or ‘Not in August’"),
    Q("cost", "What does it cost?", "radios", "joining", 10, called="What it costs",
      required="Select what it costs", entry=("activity", "cost"), choices="cost",
      offer=("free", "donation", "paid")),
    Q("price", "Price, if there is a charge or a suggested donation", "text", "joining", 120,
      called="Price", hint="Such as ‘£3 a session’ or ‘£1 if you can’",
      entry=("activity", "price"), classes="nhsuk-u-width-two-thirds"),
    Q("how_to_join", "How do people join?", "radios", "joining", 20, called="How people join",
      required="Select how people join", entry=("activity", "how_to_join"),
      choices="how_to_join"),
    Q("details", "More about the activity", "textarea", "more", 5000, optional=True,
      called="More detail", hint="What to bring, what to expect the first time",
      entry=("activity", "details"), rows=4),
    Q("who_for", "Who is it for?", "text", "more", 1000, optional=True, called="Who it is for",
      hint="Such as ‘Adults; under-16s with a parent or carer’", entry=("activity", "who_for")),
    Q("age_min", "Youngest age", "number", "more", 3, optional=True,
      entry=("activity", "age_min"), tidy=whole_number, classes="nhsuk-input--width-3"),
    Q("age_max", "Oldest age", "number", "more", 3, optional=True,
      entry=("activity", "age_max"), tidy=whole_number, classes="nhsuk-input--width-3"),
    Q("languages", "Languages spoken", "text", "more", 300, optional=True, called="Languages",
      hint="Separate them with commas, such as ‘English, Urdu’",
      entry=("activity", "languages"), tidy=comma_list),
    Q("accessibility", "Accessibility", "checkboxes", "more", optional=True,
      hint="Select all that are true", entry=("activity", "accessibility"),
      choices="accessibility", classes="nhsuk-checkboxes--small"),
    Q("accessibility_notes", "Anything else about access?", "text", "more", 1000,
      optional=True, called="Accessibility notes", hint="Such as ‘Paths can be muddy’",
      entry=("activity", "accessibility_notes")),
    Q("phone", "Phone number", "tel", "contact", 40, entry=("phone",), autocomplete="tel",
      classes="nhsuk-u-width-one-half"),
    Q("email", "Email address", "email", "contact", 254, entry=("email",),
      autocomplete="email"),
    Q("website", "Website or social media page", "text", "contact", 300, called="Website",
      entry=("website",), tidy=web_address, autocomplete="url"),
    Q("about", "About your group", "textarea", "group_more", 1000, optional=True,
      hint="A sentence or two about who you are", entry=("about",), rows=3),
    Q("charity_number", "Registered charity number", "text", "group_more", 20, optional=True,
      called="Charity number", entry=("charity_number",), classes="nhsuk-input--width-10"),
    Q("your_name", "Your name", "text", "you", 120, optional=True, autocomplete="name"),
    Q("your_email", "Your email address", "email", "you", 254,
      required="Enter your email address, so we can tell you when your listing is "
               "published",
      autocomplete="email"),
    Q("consent", "Permission to publish", "tick", "consent", 5,
      required="Confirm that we can publish these details",
      choices={"yes": "I am allowed to share these details, and I agree they can be "
                      "published in the directory"}),
)  # fmt: skip
del Q

BY_NAME = {question.name: question for question in QUESTIONS}
assert all(q.kind in KINDS and q.section in _SECTION for q in QUESTIONS)
assert all(section.scope in SCOPES for section in SECTIONS)


def in_section(section: str) -> list[Question]:
    """The questions of one part of the form, in order."""
    return [question for question in QUESTIONS if question.section == section]


def in_scope(scope: str) -> list[Question]:
    """The questions asked once (``group``), per activity or per day-and-time."""
    return [question for question in QUESTIONS if question.scope == scope]


def options(question: Question, domains: Mapping[str, Domain], site: Any) -> list[Option]:
    """The choices a choice question offers, in order, in the words people read."""
    source = question.choices
    if isinstance(source, Mapping):
        return [Option(value, text) for value, text in source.items()]
    if source == "domains":
        return [
            Option(id_, domain.title, f"For example: {and_list(domain.examples)}")
            for id_, domain in domains.items()
        ]
    if source == "days":
        return [Option(value, text) for value, text in day_choices().items()]
    if source == "times":
        return [Option(value, text) for value, text in time_choices().items()]
    if source:  # an enumerated field of the schema: its own words, in one place
        offered = labels(source).items()
        return [Option(v, t) for v, t in offered if not question.offer or v in question.offer]
    return []


def question_at(path: tuple[str | int, ...]) -> Question | None:
    """The question whose answer is at ``path`` in the entry (as the entry model reports
    it, such as ``("activities", 0, "venue", "postcode")``), if any."""
    place = ("activity", *path[2:]) if path[:1] == ("activities",) else path
    place = tuple(str(part) for part in place)
    while place:
        found = _BY_PLACE.get(place) or next(
            (q for q in QUESTIONS if len(place) > 1 and q.entry[: len(place)] == place), None
        )  # a part such as the venue: its first question
        if found:
            return found
        place = place[:-1]
    return None


# Fields the form writes that no single question holds: where a problem with one is shown.
_BY_PLACE = {question.entry: question for question in QUESTIONS if question.entry} | {
    ("activity", "when"): BY_NAME["when_notes"],
    ("activity", "schedule"): BY_NAME["days"],
    ("activity", "locality"): BY_NAME["postcode"],
    ("activity", "delivery"): BY_NAME["where"],
}
