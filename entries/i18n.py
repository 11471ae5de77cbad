"""The interface in the area's languages (issue 17), from gettext catalogs.

Every word of the interface is an English message looked up in the catalog of the
language being built or served (``entries/locales/<code>/LC_MESSAGES/messages.po``,
compiled to ``.mo`` by ``make setup``). The language is a context variable, set around a
page's rendering (:func:`use`), so the same templates, summaries and messages serve every
language. Group's own words (names, descriptions) are never translated.

A translation is only as good as its review: a message marked ``fuzzy`` in its catalog has
not been checked by a fluent speaker, and a language with any such message says so on
every page (:attr:`Language.reviewed`).
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.pofile import read_po

LOCALES = Path(__file__).parent / "locales"
DOMAIN = "messages"
DEFAULT = "en-GB"


class LanguageProblem(ValueError):
    """A language in the settings that cannot be used, said for the directory team."""


@dataclass(frozen=True)
class Language:
    """One language of the site: its code (as in URLs and ``lang``), its own name, its
    direction and its translations."""

    code: str
    name: str
    direction: str  # "ltr" or "rtl"
    prefix: str  # where its pages are: "" for the first language, "bn/" for Bengali
    reviewed: bool  # every message checked by a fluent speaker
    translations: gettext_module.NullTranslations = field(repr=False, compare=False)

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.code, sep="-")


_current: ContextVar[Language | None] = ContextVar("healthdir_language", default=None)


def languages(settings: Mapping[str, Any]) -> list[Language]:
    """The site's languages from ``LANGUAGES`` (the first at the site's root), or just
    ``DEFAULT_LANG``; each must have a catalog in ``LOCALES_PATH`` unless it is English."""
    codes = list(settings.get("LANGUAGES") or [settings.get("DEFAULT_LANG", DEFAULT)])
    folder = Path(settings.get("LOCALES_PATH") or LOCALES)
    return [_language(code, folder, first=i == 0) for i, code in enumerate(codes)]


@cache
def _language(code: str, folder: Path, first: bool) -> Language:
    try:
        locale = Locale.parse(code, sep="-")
    except (ValueError, UnknownLocaleError):
        raise LanguageProblem(
            f"LANGUAGES: {code!r} is not a language code (use codes like en-GB, bn, ur)."
        ) from None
    translations, reviewed = _catalog(code, folder) if locale.language != "en" else (None, True)
    return Language(
        code=code,
        name=locale.get_language_name(locale) or code,
        direction=locale.text_direction,
        prefix="" if first else f"{code}/",
        reviewed=reviewed,
        translations=translations or gettext_module.NullTranslations(),
    )


def _catalog(code: str, folder: Path) -> tuple[gettext_module.GNUTranslations, bool]:
    messages = folder / code / "LC_MESSAGES"
    po, mo = messages / f"{DOMAIN}.po", messages / f"{DOMAIN}.mo"
    if not po.is_file():
        raise LanguageProblem(f"LANGUAGES: there is no translation for {code!r} ({po}).")
    if not mo.is_file() or mo.stat().st_mtime < po.stat().st_mtime:
        raise LanguageProblem(
            f"The translation for {code!r} has not been compiled since it changed. "
            "Run `make setup` (or `make translations`)."
        )
    with po.open("rb") as source:
        catalog = read_po(source, locale=code.replace("-", "_"))
    reviewed = all(message.string and not message.fuzzy for message in catalog if message.id)
    with mo.open("rb") as compiled:
        return gettext_module.GNUTranslations(compiled), reviewed


@contextmanager
def use(language: Language) -> Iterator[Language]:
    """Everything inside speaks ``language``."""
    token = activate(language)
    try:
        yield language
    finally:
        deactivate(token)


def current() -> Language | None:
    """The language being built or served; ``None`` outside :func:`use` (English)."""
    return _current.get()


def translate(message: str) -> str:
    """``message`` in the current language, as it is: the templates fill it in."""
    language = _current.get()
    return language.translations.gettext(message) if language else message


def translate_plural(singular: str, plural: str, n: int) -> str:
    """The form for ``n`` by the current language's plural rules, as it is."""
    language = _current.get()
    if language:
        return language.translations.ngettext(singular, plural, n)
    return singular if n == 1 else plural


def gettext(message: str, **variables: Any) -> str:
    """``message`` in the current language, with ``%(name)s`` filled from ``variables``."""
    text = translate(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    """The form for ``n`` in the current language; ``%(num)s`` is ``n``."""
    return translate_plural(singular, plural, n) % {"num": n, **variables}


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs where it is declared; translated where shown."""
    return message


def activate(language: Language) -> Token[Language | None]:
    """Speak ``language`` until :func:`deactivate` (a web request's own context)."""
    return _current.set(language)


def deactivate(token: Token[Language | None]) -> None:
    _current.reset(token)


@cache
def _codes_by_english_name() -> dict[str, str]:
    return {name.casefold(): code for code, name in Locale("en").languages.items()}


def language_name(name: str) -> str:
    """A spoken language a group wrote in English ("Polish"), named in the current
    language where the locale data knows it ("polski", "পোলিশ"); else as written."""
    language = _current.get()
    code = _codes_by_english_name().get(name.strip().casefold()) if language else None
    if language is None or code is None or language.locale.language == "en":
        return name
    return language.locale.languages.get(code, name)
