"""The filters people combine, in one table: every part of search reads it.

The index stores each facet's field, the searcher filters and counts by it, the search
page and the ``healthdir search`` command offer it, all from :data:`FACETS`. To add a
filter, add a row here (and, if its values are new, the index field in ``fields.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from entries.i18n import N_, gettext, language_name
from entries.model import ALL_LOCALITIES, Domain, Site
from entries.schema import labels
from entries.text_safety import one_line

MAX_VALUE_CHARS = 60
MAX_VALUES = 20


@dataclass(frozen=True)
class Facet:
    """One filter.

    ``name`` is its query-string key and CLI flag; ``field`` the index field it filters
    on, ``entry_field`` the activity's field it comes from (as ``synonyms.yaml`` names it); ``vocabulary`` the schema field whose labels name its values (else the values
    come from the site or the index). With ``multiple``, several values may be chosen:
    an activity must have ``all`` of them or ``any`` of them (``combine``). A ``toggle``
    is a single yes/no for one value (``free``). ``everywhere`` is a value that matches
    every choice (area-wide activities are in every area).
    """

    name: str
    field: str
    entry_field: str
    heading: str  # marked with N_: translated where shown
    help: str  # for the ``healthdir search`` command (the team's, in English)
    vocabulary: str = ""
    multiple: bool = False
    combine: str = "any"
    toggle: str = ""
    everywhere: str = ""

    def labels(self) -> dict[str, str]:
        """Value -> the words people read, for facets with a vocabulary in the schema."""
        return labels(self.vocabulary) if self.vocabulary else {}


FACETS: tuple[Facet, ...] = (
    Facet("domain", "domains", "domains", N_("Topic"), "only this topic (domain id)"),
    Facet(
        "locality",
        "locality",
        "locality",
        N_("Area"),
        "only this area (locality id); activities for the whole area are always included",
        everywhere=ALL_LOCALITIES,
    ),
    Facet(
        "free", "cost", "cost", N_("Cost"), "only free activities", vocabulary="cost", toggle="free"
    ),
    Facet(
        "day", "days", "days", N_("Day"), "on any of these days", vocabulary="day", multiple=True
    ),
    Facet(
        "join",
        "join",
        "how_to_join",
        N_("How to join"),
        "only this way of joining",
        vocabulary="how_to_join",
    ),
    Facet(
        "delivery",
        "delivery",
        "delivery",
        N_("How it runs"),
        "run in any of these ways",
        vocabulary="delivery",
        multiple=True,
    ),
    Facet(
        "accessibility",
        "accessibility",
        "accessibility",
        N_("Accessibility"),
        "with all of these",
        vocabulary="accessibility",
        multiple=True,
        combine="all",
    ),
    Facet("language", "languages", "languages", N_("Language"), "in this language"),
)
FACET = {facet.name: facet for facet in FACETS}
FACET_OF_FIELD = {facet.entry_field: facet.name for facet in FACETS}

_YES = ("1", "true", "yes", "on", "free")


class Filters:
    """The values chosen for each facet. Empty means "any"; every facet given must hold.

    ``Filters(domain="befriending", day=["tue", "thu"], free=True)``.
    """

    def __init__(self, **chosen: Any) -> None:
        values: dict[str, tuple[str, ...]] = {}
        for name, given in chosen.items():
            facet = FACET.get(name)
            if facet is None:
                raise TypeError(f"{name!r} is not a filter: use one of {', '.join(FACET)}")
            values[name] = _tidy(facet, given)
        self.values: dict[str, tuple[str, ...]] = {k: v for k, v in values.items() if v}

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> Filters:
        """From a query string or form: unknown keys ignored, values tidied and capped.

        A facet of several values may come as repeated keys (checkboxes) or commas.
        """
        getlist = getattr(args, "getlist", None)
        chosen: dict[str, Any] = {}
        for facet in FACETS:
            raw = getlist(facet.name) if getlist else args.get(facet.name)
            if facet.toggle:
                raw = raw[-1] if isinstance(raw, list) and raw else raw
                chosen[facet.name] = one_line(raw).lower() in _YES
            else:
                chosen[facet.name] = raw
        return cls(**chosen)

    def get(self, name: str) -> tuple[str, ...]:
        return self.values.get(name, ())

    def chosen(self, name: str, value: str) -> bool:
        return value in self.get(name)

    def active(self) -> dict[str, str]:
        """The filters that are set, as query-string pairs (several values joined by
        commas; a toggle as ``"1"``)."""
        return {
            facet.name: "1" if facet.toggle else ",".join(self.values[facet.name])
            for facet in FACETS
            if facet.name in self.values
        }

    def without(self, name: str) -> Filters:
        """The same filters with one facet cleared (to undo what emptied a page)."""
        return Filters(**{k: v for k, v in self.values.items() if k != name})

    def __bool__(self) -> bool:
        return bool(self.values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Filters) and self.values == other.values

    def __repr__(self) -> str:
        return f"Filters({self.active()!r})"


def facet_options(
    filters: Filters,
    site: Site,
    domains: Mapping[str, Domain],
    counts: Mapping[str, Mapping[str, int]] | None = None,
    languages: Mapping[str, str] | None = None,
    names: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """Every facet (or those ``names``), with each choice's words, whether it is chosen
    and, given ``counts``, how many activities choosing it would show; the search page
    and the filters on topic and area pages both show them. Topics and areas are named
    by the site, languages by the index (``languages``). Choices never vanish when
    nothing is found, so a person can always undo what emptied the page."""
    from_site = {
        "domain": {key: domain.title for key, domain in domains.items()},
        "locality": {key: site.locality_name(key) for key in site.localities},
        "language": {key: language_name(name) for key, name in (languages or {}).items()},
    }
    wanted = set(FACET if names is None else names)
    options = []
    for facet in FACETS:
        if facet.name not in wanted:
            continue
        choices = from_site.get(facet.name, facet.labels())
        if facet.toggle:
            choices = {facet.toggle: gettext("%(choice)s only", choice=choices[facet.toggle])}
        chosen = filters.get(facet.name)
        choices = {**choices, **{value: value for value in chosen if value not in choices}}
        options.append(
            {
                "facet": facet,
                "choices": [
                    {
                        "value": value,
                        "text": text,
                        "count": None
                        if counts is None
                        else counts.get(facet.name, {}).get(value, 0),
                        "selected": value in chosen,
                    }
                    for value, text in choices.items()
                ],
            }
        )
    return options


def _tidy(facet: Facet, given: Any) -> tuple[str, ...]:
    if facet.toggle:
        yes = given is True or (isinstance(given, str) and given.lower() in _YES)
        return (facet.toggle,) if yes else ()
    if given is None or given is False:
        return ()
    items: Iterable[Any] = [given] if isinstance(given, str) else given
    values: list[str] = []
    for item in items:
        for part in str(item).split(","):
            value = one_line(part)[:MAX_VALUE_CHARS]
            value = value.casefold() if facet.name == "language" else value.lower()
            if value and value not in values:
                values.append(value)
    return tuple(values[: MAX_VALUES if facet.multiple else 1])
