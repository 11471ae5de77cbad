"""Words and dates as people read them, shared by the static site and the web service."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from markupsafe import Markup, escape

from entries.schema import labels


def long_date(value: date | None) -> str:
    """``2026-10-14`` → ``14 October 2026`` (GOV.UK and NHS style)."""
    return f"{value.day} {value:%B %Y}" if value else ""


def label(value: str, field: str) -> str:
    """The readable label of an enumerated value, e.g. ``("drop-in", "how_to_join")``."""
    return labels(field).get(value, value)


def labelled(values: Iterable[str], field: str) -> list[str]:
    return [label(value, field) for value in values]


def and_list(items: Iterable[str]) -> str:
    """``["a", "b", "c"]`` → ``a, b and c``."""
    items = [str(item) for item in items if item]
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def phone_href(number: str) -> str:
    """A ``tel:`` link target: ``01632 960123`` → ``tel:01632960123``."""
    return "tel:" + re.sub(r"[^0-9+]", "", number.split("ext")[0])


def age_range(activity: Any) -> str:
    """``16 and over``, ``Up to 25`` or ``18 to 65`` from an activity's ages."""
    age_min, age_max = activity.age_min, activity.age_max
    if age_min is not None and age_max is not None:
        return f"{age_min} to {age_max}"
    if age_min is not None:
        return f"{age_min} and over"
    if age_max is not None:
        return f"Up to {age_max}"
    return ""


def website_text(url: str) -> str:
    """``https://www.group.example.org/`` → ``group.example.org`` for link text."""
    text = re.sub(r"^https?://(www\.)?", "", url)
    return text.rstrip("/")


def bdi(text: str) -> Markup:
    """User text isolated from what is around it (``<bdi>``), so a name holding
    right-to-left override characters cannot reorder the rest of the line."""
    return Markup(f"<bdi>{escape(text)}</bdi>")  # Markup.format is ten times slower


def jinja_filters() -> dict[str, Callable[..., Any]]:
    """Filters the theme's templates use, for any Jinja environment that renders them."""
    return {
        "long_date": long_date,
        "label": label,
        "labelled": labelled,
        "and_list": and_list,
        "phone_href": phone_href,
        "website_text": website_text,
        "age_range": age_range,
        "bdi": bdi,
    }
