"""The registration form's questions, declared once, in English words marked with ``N_``
for the catalogs: the templates translate them where they show them (``_(q.label)``), and
the checks' messages here.

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
from entries.i18n import N_, gettext
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
        """The question's name in a sentence, such as "What happens must be …", in the
        current language."""
        return gettext(self.called or self.label)

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
    Section("group", N_("Your group"), "heading"),
    Section("activity", N_("About the activity"), "heading", "activity"),
    Section("where", N_("Where does it happen?"), "fieldset", "activity",
            hint=N_("Give the postcode of the place where it happens. If there is no one "
                    "place, choose how it happens instead.")),
    Section("session", N_("When does it happen?"), "fieldset", "session"),
    Section("when", scope="activity"),
    Section("joining", scope="activity"),
    Section("more", N_("Add more detail about this activity (optional)"), "details", "activity"),
    Section("contact", N_("How can people get in touch?"), "fieldset",
            hint=N_("Give at least one. These are published.")),
    Section("group_more", N_("Add more about your group (optional)"), "details"),
    Section("you", N_("About you"), "fieldset",
            hint=N_("So we can tell you when your listing is published, or ask about it. "
                    "We never publish these.")),
    Section("consent"),
)  # fmt: skip
_SECTION = {section.name: section for section in SECTIONS}

# Ways an activity with no one place happens; with a postcode, it is at a venue.
WHERE_KINDS = {
    "online": N_("Online"),
    "telephone": N_("By phone"),
    "home-visit": N_("In people's homes (home visits)"),
    "no-fixed-place": N_("In different places, or outdoors with no fixed address"),
}
VENUE = "venue"
DELIVERY = {VENUE: "in-person", "no-fixed-place": "in-person", "online": "online",
            "telephone": "telephone", "home-visit": "home-visit"}  # fmt: skip

Q = Question
QUESTIONS = (
    Q("group_name", N_("Your group's name"), "text", "group", 120,
      hint=N_("As people know it, such as ‘Anytown Cat and Dog Shelter’"),
      required=N_("Enter your group's name"), entry=("name",), autocomplete="organization"),
    Q("activity_name", N_("The activity's own name"), "text", "activity", 120, optional=True,
      called=N_("The activity's name"),
      hint=N_("Only if it is not the same as your group's name, such as ‘Dog walking "
              "volunteers’ or ‘Tuesday knit and natter’"),
      entry=("activity", "name")),
    Q("summary", N_("What happens?"), "count", "activity", 300, called=N_("What happens"),
      hint=N_("A sentence or two in everyday words, such as ‘Walk our rescue dogs around "
              "Mill Park. No experience needed.’"),
      required=N_("Describe what happens, in a sentence or two"),
      entry=("activity", "summary"), rows=3),
    Q("domains", N_("Which of these does it help with?"), "checkboxes", "activity",
      called=N_("Topics"), hint=N_("Select all that apply"), required=N_("Select at least one topic"),
      entry=("activity", "domains"), choices="domains"),
    Q("postcode", N_("Postcode of the place"), "text", "where", 10, called=N_("Postcode"),
      hint=N_("Such as AB1 2CD. It shows people which part of {area} it is in, and how far "
              "away"),
      entry=("activity", "venue", "postcode"), tidy=normalise_postcode,
      autocomplete="postal-code", classes="nhsuk-input--width-10"),
    Q("venue_name", N_("Name of the place"), "text", "where", 120, optional=True,
      hint=N_("Such as ‘Mill Lane Community Centre’. Leave it empty if it is your group's "
              "own place."),
      entry=("activity", "venue", "name")),
    Q("address", N_("Address"), "text", "where", 200, optional=True,
      entry=("activity", "venue", "address"), autocomplete="street-address"),
    Q("where", N_("If there is no one place, how does it happen?"), "radios", "where", 20,
      called=N_("How it happens"), choices=WHERE_KINDS),
    Q("days", N_("Which days?"), "checkboxes", "session", called=N_("Days"),
      required=N_("Select the days it happens, or ‘It varies, or by arrangement’"),
      choices="days", exclusive=VARIES),
    Q("starts", N_("Starts"), "select", "session", 5, called=N_("Start time"), choices="times"),
    Q("ends", N_("Ends"), "select", "session", 5, called=N_("End time"), choices="times"),
    Q("when_notes", N_("Anything else about when?"), "text", "when", 150, optional=True,
      called=N_("When it happens"),
      hint=N_("Such as ‘First Tuesday of the month’ or ‘Not in August’")),
    Q("cost", N_("What does it cost?"), "radios", "joining", 10, called=N_("What it costs"),
      required=N_("Select what it costs"), entry=("activity", "cost"), choices="cost",
      offer=("free", "donation", "paid")),
    Q("price", N_("Price, if there is a charge or a suggested donation"), "text", "joining",
      120, called=N_("Price"), hint=N_("Such as ‘£3 a session’ or ‘£1 if you can’"),
      entry=("activity", "price"), classes="nhsuk-u-width-two-thirds"),
    Q("how_to_join", N_("How do people join?"), "radios", "joining", 20,
      called=N_("How people join"), required=N_("Select how people join"), entry=("activity", "how_to_join"),
      choices="how_to_join"),
    Q("details", N_("More about the activity"), "textarea", "more", 5000, optional=True,
      called=N_("More detail"), hint=N_("What to bring, what to expect the first time"),
      entry=("activity", "details"), rows=4),
    Q("who_for", N_("Who is it for?"), "text", "more", 1000, optional=True,
      called=N_("Who it is for"), hint=N_("Such as ‘Adults; under-16s with a parent or carer’"),
      entry=("activity", "who_for")),
    Q("age_min", N_("Youngest age"), "number", "more", 3, optional=True,
      entry=("activity", "age_min"), tidy=whole_number, classes="nhsuk-input--width-3"),
    Q("age_max", N_("Oldest age"), "number", "more", 3, optional=True,
      entry=("activity", "age_max"), tidy=whole_number, classes="nhsuk-input--width-3"),
    Q("languages", N_("Languages spoken"), "text", "more", 300, optional=True,
      called=N_("Languages"), hint=N_("Separate them with commas, such as ‘English, Urdu’"),
      entry=("activity", "languages"), tidy=comma_list),
    Q("accessibility", N_("Accessibility"), "checkboxes", "more", optional=True,
      hint=N_("Select all that are true"), entry=("activity", "accessibility"),
      choices="accessibility", classes="nhsuk-checkboxes--small"),
    Q("accessibility_notes", N_("Anything else about access?"), "text", "more", 1000,
      optional=True, called=N_("Accessibility notes"), hint=N_("Such as ‘Paths can be muddy’"),
      entry=("activity", "accessibility_notes")),
    Q("phone", N_("Phone number"), "tel", "contact", 40, entry=("phone",), autocomplete="tel",
      classes="nhsuk-u-width-one-half"),
    Q("email", N_("Email address"), "email", "contact", 254, entry=("email",),
      autocomplete="email"),
    Q("website", N_("Website or social media page"), "text", "contact", 300,
      called=N_("Website"), entry=("website",), tidy=web_address, autocomplete="url"),
    Q("about", N_("About your group"), "textarea", "group_more", 1000, optional=True,
      hint=N_("A sentence or two about who you are"), entry=("about",), rows=3),
    Q("charity_number", N_("Registered charity number"), "text", "group_more", 20,
      optional=True, called=N_("Charity number"), entry=("charity_number",), classes="nhsuk-input--width-10"),
    Q("your_name", N_("Your name"), "text", "you", 120, optional=True, autocomplete="name"),
    Q("your_email", N_("Your email address"), "email", "you", 254,
      required=N_("Enter your email address, so we can tell you when your listing is "
                  "published"),
      autocomplete="email"),
    Q("consent", N_("Permission to publish"), "tick", "consent", 5,
      required=N_("Confirm that we can publish these details"),
      choices={"yes": N_("I am allowed to share these details, and I agree they can be "
                         "published in the directory")}),
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
    """The choices a choice question offers, in order, in the words people read (in the
    current language)."""
    source = question.choices
    if isinstance(source, Mapping):
        return [Option(value, gettext(text)) for value, text in source.items()]
    if source == "domains":
        return [
            Option(
                id_,
                domain.title,
                gettext("For example: %(examples)s", examples=and_list(domain.examples)),
            )
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
