"""The registration form's answers, checked and turned into an entry.

The questions are declared in :mod:`registration.fields`. A form holds the group's
answers once and, for each activity, the activity's answers with its days and times: the
first activity's fields have the plain names (``summary``), a later one's a prefix
(``a2-summary``), and a later day-and-time of an activity another (``a2-s2-days``). The
entry the answers make is checked by the same model as ``healthdir check``, so a form can
never queue something the build would refuse.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from entries.directory import validate_entry
from entries.i18n import gettext, ngettext, translate
from entries.model import ALL_LOCALITIES, SLUG, Site, activity_slugs, is_uk_postcode, slugify
from entries.schema import schema_pattern
from entries.text_safety import without_controls
from registration.fields import (
    BY_NAME,
    DELIVERY,
    SECTIONS,
    VENUE,
    WHERE_KINDS,
    Question,
    in_scope,
    in_section,
    options,
    question_at,
)
from registration.schedule import VARIES, VARIES_WORDS, time_choices, when_words

EMAIL = schema_pattern("email")  # the schema's own rule: the form and files agree
MAX_ACTIVITIES = 20
MAX_SESSIONS = 7
MAX_SAID = 200  # the current "when" wording, shown while updating


def prefix(activity: int, session: int = 0) -> str:
    """The start of a field's name for the ``activity``-th activity's ``session``-th
    day-and-time (both from 0): ``""``, ``"a2-"``, ``"s2-"``, ``"a2-s2-"``…"""
    return (f"a{activity + 1}-" if activity else "") + (f"s{session + 1}-" if session else "")


@dataclass
class Checked:
    """The outcome of checking a form: an entry to queue, or errors to show."""

    answers: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)  # by field name, in page order
    entry: dict[str, Any] | None = None
    private: dict[str, str] = field(default_factory=dict)
    replaces: list[str] = field(default_factory=list)  # per entry activity: what it updates
    removes: list[str] = field(default_factory=list)  # activities to take off the listing

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
    getlist = getattr(form, "getlist", lambda key: [form[key]] if key in form else [])

    def read(question: Question, name: str) -> Any:
        if question.is_list:
            return [without_controls(str(v)) for v in getlist(name)][:20]
        value = _tidy(question, str(form.get(name, "") or ""))
        return value[: question.limit * 2]  # keep a too-long answer to say so, not forever

    answers: dict[str, Any] = {q.name: read(q, q.name) for q in in_scope("group")}
    answers["activities"] = []
    for index in range(_count(form.get("activities"), MAX_ACTIVITIES)):
        start = prefix(index)
        activity = {q.name: read(q, start + q.name) for q in in_scope("activity")}
        was = str(form.get(start + "was", ""))
        activity["was"] = was if SLUG.fullmatch(was) else ""
        activity["remove"] = "yes" if form.get(start + "remove") == "yes" else ""
        activity["said"] = " ".join(without_controls(str(form.get(start + "said", ""))).split())[
            :MAX_SAID
        ]
        activity["sessions"] = [
            {q.name: read(q, prefix(index, number) + q.name) for q in in_scope("session")}
            for number in range(_count(form.get(start + "sessions"), MAX_SESSIONS))
        ]
        answers["activities"].append(activity)
    return answers


def with_one_more(answers: dict[str, Any], what: str) -> dict[str, Any]:
    """The answers with an empty activity (``what`` is ``activity``) or an empty
    day-and-time for activity *n* (``time-n``, from 1) added: "Add another" buttons."""
    activities = answers["activities"]
    if what == "activity" and len(activities) < MAX_ACTIVITIES:
        activities.append(read_answers({})["activities"][0])
    elif what.startswith("time-") and what[5:].isdigit():
        index = int(what[5:]) - 1
        if 0 <= index < len(activities) and len(activities[index]["sessions"]) < MAX_SESSIONS:
            activities[index]["sessions"].append(read_answers({})["activities"][0]["sessions"][0])
    return answers


def field_names(answers: dict[str, Any]) -> list[str]:
    """Every field's name, in the order the page shows them (the group's name, each
    activity with its days and times, then the rest): errors are listed so."""
    names = [q.name for q in in_section("group")]
    for index, activity in enumerate(answers["activities"]):
        for section in SECTIONS:
            if section.scope == "activity":
                names += [prefix(index) + q.name for q in in_section(section.name)]
            elif section.scope == "session":
                for number in range(len(activity["sessions"])):
                    names += [prefix(index, number) + q.name for q in in_section(section.name)]
        names.append(prefix(index) + "remove")
    later = [s.name for s in SECTIONS if s.scope == "group" and s.name != "group"]
    return names + [q.name for section in later for q in in_section(section)]


def check_answers(
    answers: dict[str, Any], domain_ids: list[str], site: Site, today: date
) -> Checked:
    """Check the answers and build the entry; errors are keyed by field name, in order."""
    result = Checked(answers=answers)
    errors: dict[str, str] = {}
    a = answers
    for question in in_scope("group"):
        _check(question, question.name, a[question.name], errors, site)
    if not (a["phone"] or a["email"] or a["website"]):
        errors["phone"] = gettext(
            "Enter a phone number, email address or website people can use to get in touch"
        )
    if a["your_email"] and "your_email" not in errors and not EMAIL.search(a["your_email"]):
        errors["your_email"] = gettext(
            "Enter your email address in the right format, like name@example.com"
        )
    blocks = _kept(a)
    if not blocks:
        errors["remove"] = gettext(
            "Keep at least one activity. To take the whole listing off, call us."
        )
    for index, activity in blocks:
        _check_activity(index, activity, errors, site)

    entry = build_entry(a, site, today)
    for path, message in validate_entry(entry, domain_ids, list(site.localities), today):
        name = _field_for(path, blocks)
        if name not in errors:
            errors[name] = _sentence(BY_NAME.get(name.rpartition("-")[2]), message)
    order = field_names(a)
    result.errors = dict(sorted(errors.items(), key=lambda item: _place(item[0], order)))
    if not errors:
        result.entry = entry
        result.private = {"name": a["your_name"], "email": a["your_email"]}
        result.replaces = [activity["was"] for _, activity in blocks]
        result.removes = [act["was"] for act in a["activities"] if act["remove"] and act["was"]]
    return result


def build_entry(answers: dict[str, Any], site: Site, today: date) -> dict[str, Any]:
    """The entry the answers make: each answer put where its question says; the area
    worked out from the postcode; the days and times as a ``schedule`` and in words."""
    entry: dict[str, Any] = {"name": answers["group_name"]}
    _place_answers(in_scope("group"), answers, entry, {})
    entry["last_confirmed"] = today.isoformat()
    entry["activities"] = [
        _activity(activity, answers["group_name"], site) for _, activity in _kept(answers)
    ]
    return entry


def answers_from_entry(data: dict[str, Any]) -> dict[str, Any]:
    """Prefill the form from a published entry, to update every activity in it."""
    items = data.get("activities") or []
    answers = {q.name: _from_entry(q, data, items[0] if items else {}) for q in in_scope("group")}
    answers["activities"] = []
    for slug, item in zip(activity_slugs([a.get("name", "") for a in items]), items, strict=True):
        activity = {q.name: _from_entry(q, data, item) for q in in_scope("activity")}
        venue = item.get("venue") or {}
        delivery = item.get("delivery") or []
        activity["where"] = (
            ""
            if venue
            else next(
                (kind for kind in WHERE_KINDS if DELIVERY[kind] in delivery), "no-fixed-place"
            )
        )
        if activity["activity_name"] == data.get("name"):
            activity["activity_name"] = ""  # the group's name: asked only when it differs
        if activity["venue_name"] == data.get("name"):
            activity["venue_name"] = ""
        schedule = item.get("schedule") or []
        activity["sessions"] = [
            {"days": list(s.get("days", [])), "starts": s.get("from", ""), "ends": s.get("to", "")}
            for s in schedule
        ] or [{"days": [VARIES], "starts": "", "ends": ""}]
        when = str(item.get("when", ""))
        activity["when_notes"] = "" if schedule or when == VARIES_WORDS else when
        activity["said"] = when if schedule and when != when_words(schedule, "") else ""
        activity.update(was=slug, remove="")
        answers["activities"].append(activity)
    if not items:
        answers["activities"] = read_answers({})["activities"]
    return answers


def baseline(data: dict[str, Any], site: Site, today: date) -> dict[str, Any]:
    """What the form would make of a published entry left as it is, by activity: an
    update changes only the fields whose answers differ from this."""
    made = build_entry(answers_from_entry(data), site, today)
    items = data.get("activities") or []
    slugs = activity_slugs([a.get("name", "") for a in items])
    group = {k: v for k, v in made.items() if k not in ("activities", "last_confirmed")}
    return {"group": group, "activities": dict(zip(slugs, made["activities"], strict=True))}


def _check(question: Question, name: str, value: Any, errors: dict[str, str], site: Site) -> None:
    """A question's own rules: answered if required, a number if a number, not too long."""
    if question.required and not _answered(question, value, site):
        errors[name] = gettext(question.required).replace("{area}", site.area_name)
    elif question.kind == "number" and value and not value.isdigit():
        errors[name] = gettext(
            "Enter %(question)s as a whole number, like 16", question=question.noun.lower()
        )
    elif not question.is_list and len(value) > question.limit:
        errors[name] = ngettext(
            "%(question)s must be %(num)s character or fewer",
            "%(question)s must be %(num)s characters or fewer",
            question.limit,
            question=question.noun,
        )


def _check_activity(index: int, a: dict[str, Any], errors: dict[str, str], site: Site) -> None:
    start = prefix(index)
    for question in in_scope("activity"):
        _check(question, start + question.name, a[question.name], errors, site)
    postcode = a["postcode"]
    if not postcode and a["where"] not in WHERE_KINDS:
        errors[start + "postcode"] = gettext(
            "Enter the postcode of the place, such as AB1 2CD, or choose how it happens"
        )
    elif postcode and a["where"]:
        errors[start + "where"] = gettext(
            "Choose how it happens only if there is no one place: you gave a postcode"
        )
    elif postcode and start + "postcode" not in errors:
        if not is_uk_postcode(postcode):
            errors[start + "postcode"] = gettext("Enter a full postcode, such as AB1 2CD")
        elif site.locality_postcodes and not site.locality_of(postcode):
            where = {"postcode": postcode.upper(), "area": site.area_name}
            errors[start + "postcode"] = (
                gettext(
                    "We cannot find %(postcode)s in %(area)s. Check the postcode; if the place "
                    "is outside %(area)s, call us on %(phone)s",
                    phone=site.team_phone,
                    **where,
                )
                if site.team_phone
                else gettext(
                    "We cannot find %(postcode)s in %(area)s. Check the postcode; if the place "
                    "is outside %(area)s, call us",
                    **where,
                )
            )
    if a["cost"] == "paid" and not a["price"]:
        errors[start + "price"] = gettext("Enter the price, such as ‘£3 a session’")
    _check_sessions(index, a["sessions"], errors, site)


def _check_sessions(
    index: int, sessions: list[dict[str, Any]], errors: dict[str, str], site: Site
) -> None:
    """Days and times: at least one day (or "It varies"), then when each time starts and
    ends. A later day-and-time left empty is ignored."""
    times = time_choices()
    for number, session in enumerate(sessions):
        start = prefix(index, number)
        days = session["days"]
        if number and not (days or session["starts"] or session["ends"]):
            continue
        if VARIES in days and (len(days) > 1 or number):
            errors[start + "days"] = gettext(
                "Select the days it happens, or ‘It varies, or by arrangement’, not both"
            )
            continue
        if not days:
            errors[start + "days"] = (
                translate(BY_NAME["days"].required)
                if not number
                else gettext("Select the days for this time, or leave all of it empty")
            )
            continue
        if days == [VARIES]:
            continue
        if session["starts"] not in times or not session["starts"]:
            errors[start + "starts"] = gettext("Select the time it starts")
        if session["ends"] not in times or not session["ends"]:
            errors[start + "ends"] = gettext("Select the time it ends")
        elif session["starts"] in times and session["ends"] <= session["starts"]:
            errors[start + "ends"] = gettext("Select an end time after the start time")


def _answered(question: Question, value: Any, site: Site) -> bool:
    """Given, and for a single choice one of those offered (anything else is unanswered)."""
    if question.kind in ("radios", "select", "tick"):
        return bool(value) and value in {option.value for option in options(question, {}, site)}
    return bool(value)


def _kept(answers: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """The activities to publish, with their places on the form: not those marked to be
    removed, nor one added and left empty."""
    return [
        (index, activity)
        for index, activity in enumerate(answers["activities"])
        if not activity["remove"] and (index == 0 or activity["was"] or not _blank(activity))
    ]


def _blank(activity: dict[str, Any]) -> bool:
    answered = [v for k, v in activity.items() if k not in ("sessions", "was", "remove", "said")]
    times = [v for session in activity["sessions"] for v in session.values()]
    return not any(answered) and not any(times)


def _activity(a: dict[str, Any], group_name: str, site: Site) -> dict[str, Any]:
    activity: dict[str, Any] = {}
    _place_answers(in_scope("activity"), a, {}, activity)
    group_name = group_name or "(your group)"  # only while the form says it is missing
    activity.setdefault("name", group_name)
    for required in ("summary", "domains", "cost", "how_to_join"):
        activity.setdefault(required, [] if required == "domains" else "")
    venue = activity.pop("venue", {})
    where = a["where"] if a["where"] in WHERE_KINDS and not a["postcode"] else VENUE
    if where == VENUE:
        activity["venue"] = {"name": venue.get("name") or group_name, **venue}
        found = site.locality_of(a["postcode"])
        activity["locality"] = found or ("" if site.locality_postcodes else ALL_LOCALITIES)
    else:
        activity["locality"] = ALL_LOCALITIES  # online, by phone, at home, or no fixed place
    activity["delivery"] = [DELIVERY[where]]
    times = time_choices()
    schedule = [
        {"days": list(dict.fromkeys(s["days"])), "from": s["starts"], "to": s["ends"]}
        for s in a["sessions"]
        if s["days"]
        and VARIES not in s["days"]
        and "" < s["starts"] < s["ends"]
        and s["starts"] in times
        and s["ends"] in times
    ]
    if schedule:
        activity["schedule"] = schedule
    activity["when"] = when_words(schedule, a["when_notes"])
    for number in ("age_min", "age_max"):
        if not isinstance(activity.get(number, 0), int):
            del activity[number]  # the form has already said what is wrong
    return activity


def _place_answers(
    questions: list[Question], a: dict[str, Any], entry: dict[str, Any], activity: dict[str, Any]
) -> None:
    """Put each answer where its question says, tidied; empty answers are left out."""
    for question in questions:
        value = a[question.name]
        if not question.entry or not value:
            continue
        value = question.tidy(value) if question.tidy else value
        if question.is_list:
            value = list(dict.fromkeys(value))
        target, place = (
            (activity, question.entry[1:])
            if question.entry[0] == "activity"
            else (entry, question.entry)
        )
        for key in place[:-1]:
            target = target.setdefault(key, {})
        target[place[-1]] = value


def _tidy(question: Question, typed: str) -> str:
    """An answer as the form keeps it: no control characters, no spaces at either end, and
    one line unless the question takes several."""
    value = without_controls(typed, multiline=question.multiline)
    return value.strip() if question.multiline else " ".join(value.split())


def _from_entry(question: Question, data: dict[str, Any], activity: dict[str, Any]) -> Any:
    """A question's answer as the entry holds it, for prefilling."""
    place = question.entry
    found: Any = ""
    if place:
        found = activity if place[0] == "activity" else data
        for key in place[1:] if place[0] == "activity" else place:
            found = found.get(key, "") if isinstance(found, dict) else ""
        if place in (("phone",), ("email",), ("website",)) and not found:
            found = activity.get(place[0], "")  # the first activity's own contact
    if question.is_list:
        return list(found or [])
    if isinstance(found, list):
        found = ", ".join(found)
    return _tidy(question, "" if found is None else str(found))


def _field_for(path: tuple[str | int, ...], blocks: list[tuple[int, dict[str, Any]]]) -> str:
    """The field where a problem the entry model finds is shown."""
    question = question_at(path)
    if path[:1] != ("activities",):
        return question.name if question else "group_name"
    if len(path) == 1:
        return "remove"  # no activity left
    if len(path) == 2 or not isinstance(path[1], int) or path[1] >= len(blocks):
        return "phone"  # "no way to get in touch"
    start = prefix(blocks[path[1]][0])
    if question is None or question.scope == "group":
        return start + "summary"
    return start + question.name


def _sentence(question: Question | None, message: str) -> str:
    """A model message such as "is too long (…)" as a sentence about the form field."""
    if message.split(" ", 1)[0] in ("is", "should", "has", "needs", "lists", "appears", "uses"):
        return f"{question.noun if question else 'The activity'} {message}"
    return message[0].upper() + message[1:]


def _place(name: str, order: list[str]) -> int:
    return order.index(name) if name in order else len(order)


def _count(raw: Any, most: int) -> int:
    """How many activities (or times) the form says it holds: at least one."""
    text = str(raw or "")
    return max(1, min(int(text), most)) if text.isdigit() else 1
