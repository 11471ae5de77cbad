"""The one place that says what day it is, so that a run can be pinned to a date.

Every "today" in the project (freshness, submissions, confirmations, approvals) comes
from here. Setting ``HEALTHDIR_TODAY=YYYY-MM-DD`` in the environment fixes the day for
the commands and the web service alike: the tests do, so they never expire, and a
directory team can rehearse a date ahead.
"""

from __future__ import annotations

import os
from datetime import date, datetime

ENVIRONMENT = "HEALTHDIR_TODAY"


class BadClock(ValueError):
    """``HEALTHDIR_TODAY`` is set to something that is not a date."""


def today() -> date:
    """The day to work as: ``HEALTHDIR_TODAY`` if set, else the real date."""
    raw = os.environ.get(ENVIRONMENT, "").strip()
    if not raw:
        return date.today()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadClock(
            f"{ENVIRONMENT} is set to {raw!r}, which is not a date. Write it as YYYY-MM-DD, "
            f"or unset it to use the real date."
        ) from None


def now() -> datetime:
    """This moment, on the day :func:`today` gives (the time of day is the real one)."""
    return datetime.combine(today(), datetime.now().time()).replace(microsecond=0)
