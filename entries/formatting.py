"""Words and dates as people read them, shared by the static site and the web service.

Dates and lists are written by Babel in the current language's own way (CLDR: month
names, word order, "and"), so ``14 October 2026`` in English is ``14 października 2026``
in Polish; everything else goes through the catalogs (:mod:`entries.i18n`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from markupsafe import Markup, escape

from entries import i18n
from entries.i18n import gettext
from entries.schema import labels


@lru_cache(maxsize=16)
def _locale_of(code: str) -> Locale:
    return Locale.parse(code, sep="-")


def locale() -> Locale:
    """The current language's locale (British English outside :func:`entries.i18n.use`)."""
    language = i18n.current()
    return _locale_of(language.code if language else i18n.DEFAULT)


def long_date(value: date | None) -> str:
    """``2026-10-14`` → ``14 October 2026`` (GOV.UK and NHS style), in the current language."""
    return _long_date(value, locale()) if value else ""


@lru_cache(maxsize=4096)
def _long_date(value: date, where: Locale) -> str:
    return format_date(value, format="long", locale=where)


def catalog() -> object:
    """The current language's translations, to key caches of words made with them."""
    language = i18n.current()
    return language.translations if language else None


def label(value: str, field: str) -> str:
    """The readable label of an enumerated value, e.g. ``("drop-in", "how_to_join")``."""
    return _labels(field, catalog()).get(value, value)


@lru_cache(maxsize=256)
def _labels(field: str, _catalog: object) -> dict[str, str]:
    return labels(field)


def labelled(values: Iterable[str], field: str) -> list[str]:
    return [label(value, field) for value in values]


def and_list(items: Iterable[str], where: Locale | None = None) -> str:
    """``["a", "b", "c"]`` → ``a, b and c``, in the current language (or ``where``'s)."""
    items = [str(item) for item in items if item]
    if len(items) < 2:
        return "".join(items)
    return format_list(items, locale=where or locale())


def phone_href(number: str) -> str:
    """A ``tel:`` link target: ``01632 960123`` → ``tel:01632960123``."""
    return "tel:" + re.sub(r"[^0-9+]", "", number.split("ext")[0])


def age_range(activity: Any) -> str:
    """``16 and over``, ``Up to 25`` or ``18 to 65`` from an activity's ages."""
    age_min, age_max = activity.age_min, activity.age_max
    if age_min is not None and age_max is not None:
        return gettext("%(youngest)s to %(oldest)s", youngest=age_min, oldest=age_max)
    if age_min is not None:
        return gettext("%(youngest)s and over", youngest=age_min)
    if age_max is not None:
        return gettext("Up to %(oldest)s", oldest=age_max)
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
