"""Days and times as the form offers them, and the plain words an entry's ``when`` is
written in from them (``Saturdays and Sundays, 10am to 12 noon``).

Choices, not free text, so that every entry made with the form carries a ``schedule``
and the search's day filter finds it. The choices are in the language of the form; the
``when`` is part of the entry, and like the rest of it is written in English.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import time as clock_time
from typing import Any

from babel import Locale
from babel.dates import format_time

from entries.formatting import and_list, locale
from entries.i18n import DEFAULT, gettext
from entries.schema import labels, provider_schema

VARIES = "varies"  # the "It varies, or by arrangement" choice among the days
FIRST_TIME, LAST_TIME, STEP_MINUTES = 6 * 60, 23 * 60, 15
VARIES_WORDS = "Times vary, or by arrangement"  # in the entry: English, as its other words
_ENGLISH = Locale.parse(DEFAULT, sep="-")


def clock_words(time: str) -> str:
    """``"10:00"`` → ``10am``, ``"14:30"`` → ``2:30pm``, ``"12:00"`` → ``12 noon`` in
    English (NHS style); in another language, on the 24-hour clock ("18:30"), which
    every language reads (Bengali's and Urdu's 12-hour forms would say "PM" in English)."""
    where = locale()
    if where.language == "en":
        return _english_clock(time)
    hours, minutes = (int(part) for part in time.split(":"))
    return format_time(clock_time(hours, minutes), "HH:mm", locale=where)


def _english_clock(time: str) -> str:
    hours, minutes = (int(part) for part in time.split(":"))
    if (hours, minutes) == (12, 0):
        return "12 noon"
    if (hours, minutes) == (0, 0):
        return "midnight"
    suffix = "am" if hours < 12 else "pm"
    shown = hours % 12 or 12
    return f"{shown}{suffix}" if minutes == 0 else f"{shown}:{minutes:02d}{suffix}"


def time_choices() -> dict[str, str]:
    """Every quarter of an hour from 6am to 11pm, by its 24-hour value."""
    times = range(FIRST_TIME, LAST_TIME + 1, STEP_MINUTES)
    values = [f"{minutes // 60:02d}:{minutes % 60:02d}" for minutes in times]
    return {"": gettext("Choose a time"), **{value: clock_words(value) for value in values}}


def day_choices() -> dict[str, str]:
    """The days, in the schema's words, then "It varies"."""
    return {**labels("day"), VARIES: gettext("It varies, or by arrangement")}


def session_words(days: Iterable[str], start: str, end: str) -> str:
    """``(["sat", "sun"], "10:00", "12:00")`` → ``Saturdays and Sundays, 10am to 12 noon``."""
    names = provider_schema()["$defs"]["day"]["x-labels"]  # English, whatever the form's
    plural = and_list((names[day] + "s" for day in days), _ENGLISH)
    return f"{plural}, {_english_clock(start)} to {_english_clock(end)}"


def when_words(schedule: list[Mapping[str, Any]], notes: str) -> str:
    """The entry's ``when``: the schedule in words, then anything else the group said."""
    said = "; ".join(session_words(s["days"], s["from"], s["to"]) for s in schedule)
    if said and notes:
        return f"{said}. {notes}"
    return said or notes or VARIES_WORDS
