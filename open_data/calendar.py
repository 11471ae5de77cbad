""" "Add to calendar": an iCalendar file (RFC 5545) for each activity that runs every week.

Written with the open data at build time, beside the activity's page, so it is a static
file like the rest: any calendar on a phone or computer opens it, with no third party in
between. Each session of the schedule is one weekly event in UK time (Europe/London, with
its own time-zone rules in the file), starting on its first day on or after the build.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from entries import Activity, Directory
from entries.outputs import Outputs
from entries.summary import summarise
from open_data.oruk import BYDAY, service_id

TIMEZONE = "Europe/London"
# The UK's clock changes (last Sunday of March and of October), as a calendar reads them.
VTIMEZONE = [
    "BEGIN:VTIMEZONE",
    f"TZID:{TIMEZONE}",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0100",
    "TZNAME:BST",
    "DTSTART:19810329T010000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000",
    "TZNAME:GMT",
    "DTSTART:19961027T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
]
WEEKDAYS = list(BYDAY)  # mon … sun, in the order date.weekday() counts them
ESCAPES = (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\r\n", "\\n"), ("\n", "\\n"))


def write_calendars(directory: Directory, outputs: Outputs, base_url: str, title: str) -> None:
    """One ``.ics`` file per listed activity that has a calendar (``calendar_url``)."""
    for activity in directory.listed_activities():
        if path := activity.calendar_url:
            outputs.file(
                path,
                lambda d, a=activity: calendar(a, d, base_url, title),
                uses=activity,
            )


def calendar(activity: Activity, directory: Directory, base_url: str, title: str) -> str:
    """The activity's weekly sessions as one calendar, from the build date on."""
    item = summarise(activity, directory.site.locality_name(activity.locality))
    notes = [activity.summary, activity.alert, item.message(base_url)]
    description = "\n\n".join(
        [*(note for note in notes if note), f"Details last confirmed on {item.confirmed}."]
    )
    stamp = f"{directory.today:%Y%m%d}T000000Z"
    host = urlsplit(base_url).netloc
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{_text(title)}//healthdir//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        *VTIMEZONE,
    ]
    for number, session in enumerate(activity.schedule, 1):
        first = _first_day(directory.today, session.days)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{service_id(activity)}-{number}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;TZID={TIMEZONE}:{_local(first, session.start)}",
            f"DTEND;TZID={TIMEZONE}:{_local(first, session.end)}",
            "RRULE:FREQ=WEEKLY;BYDAY=" + ",".join(BYDAY[day] for day in session.days),
            f"SUMMARY:{_text(activity.name)}",
            f"LOCATION:{_text(item.where)}",
            f"DESCRIPTION:{_text(description)}",
            f"URL:{base_url}/{activity.url}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _first_day(today: date, days: tuple[str, ...]) -> date:
    """The first of ``days`` (``mon`` … ``sun``) on or after ``today``."""
    return min(today + timedelta(days=(WEEKDAYS.index(day) - today.weekday()) % 7) for day in days)


def _local(day: date, hhmm: str) -> str:
    """``2026-11-28`` at ``"10:00"`` → ``20261128T100000`` (a local time, as TZID says)."""
    return datetime.combine(day, datetime.strptime(hhmm, "%H:%M").time()).strftime("%Y%m%dT%H%M%S")


def _text(value: str) -> str:
    """A TEXT value, escaped as RFC 5545 says."""
    for plain, escaped in ESCAPES:
        value = value.replace(plain, escaped)
    return value


def _fold(line: str) -> str:
    """Lines longer than 75 octets folded (CRLF and a space), never inside a character."""
    if line.isascii():  # one octet a character: cut by position (most lines, and quick)
        rest = line[75:]
        return "\r\n ".join([line[:75], *(rest[i : i + 74] for i in range(0, len(rest), 74))])
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > (74 if parts else 75):  # a folded line starts with its space
            parts.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    return "\r\n ".join([*parts, "".join(current)])
