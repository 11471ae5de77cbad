"""The directory team's rules for reading another directory's records: which topic, which
area, how to join, how it runs, what it costs. Kept in a YAML file they can edit
(``oruk_mapping.yaml`` beside this module is the default), so no rule is buried in code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from entries.model import ALL_LOCALITIES, normalise_postcode
from entries.schema import labels
from entries.yaml_source import read_yaml

DEFAULT_MAPPING = Path(__file__).with_name("oruk_mapping.yaml")
_SECTIONS = {
    "domains", "otherwise", "localities", "how_to_join", "how_to_join_otherwise", "delivery",
    "cost",
}  # fmt: skip
_COSTS = ("free", "donation")


class MappingError(Exception):
    """The mapping file cannot be used; the message says where and why."""


class Words:
    """Words and phrases to look for in text, as a team writes them (``walk*``: any ending)."""

    def __init__(self, written: Iterable[str]) -> None:
        self._patterns = [(word, _pattern(word)) for word in written]

    def found(self, text: str) -> set[str]:
        """The words and phrases that occur in ``text``."""
        return {word for word, pattern in self._patterns if pattern.search(text)}


def _pattern(word: str) -> re.Pattern[str]:
    stem, any_ending = (word[:-1], True) if word.endswith("*") else (word, False)
    parts = [re.escape(part) for part in stem.split()]
    body = r"[\s\-]+".join(parts) + (r"\w*" if any_ending else "")
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def _key(text: str) -> str:
    """Feed values compared whole: capitals, full stops and spacing ignored."""
    return " ".join(text.casefold().replace(".", " ").split())


@dataclass(frozen=True)
class Area:
    locality: str
    postcodes: frozenset[str]  # districts (AB1) and areas (AB), upper case
    words: Words


@dataclass(frozen=True)
class ImportMapping:
    """The rules, checked against the site's topics and areas."""

    terms: dict[str, frozenset[str]]  # domain id -> category names
    words: dict[str, Words]  # domain id -> words in names and descriptions
    otherwise: tuple[str, ...]
    areas: tuple[Area, ...]
    joins: dict[str, str]  # feed value -> how_to_join
    join_otherwise: str
    deliveries: dict[str, str]  # feed value -> delivery
    costs: dict[str, str]  # fees text -> free | donation

    def domains_for(self, categories: list[str], name: str, description: str) -> tuple[str, ...]:
        """Topics from the categories, else the name's words, else the description's."""
        keys = {_key(c) for c in categories}
        found = tuple(d for d, terms in self.terms.items() if keys & terms)
        if found:
            return found
        found = tuple(d for d, words in self.words.items() if words.found(name))
        if found:
            return found
        counts = {d: len(words.found(description)) for d, words in self.words.items()}
        best = max(counts.values(), default=0)
        if best:
            return tuple(d for d, n in counts.items() if n == best)
        return self.otherwise

    def locality_for(self, postcode: str, address: str) -> str:
        """The first area whose postcode districts or words match, else area-wide."""
        outward = normalise_postcode(postcode).split(" ")[0].upper() if postcode else ""
        area = re.match(r"[A-Z]+", outward)
        for rule in self.areas:
            if outward and (outward in rule.postcodes or (area and area[0] in rule.postcodes)):
                return rule.locality
            if address and rule.words.found(address):
                return rule.locality
        return ALL_LOCALITIES

    def join_for(self, values: Iterable[str]) -> str:
        """How to join, from the first of the feed's words the mapping knows."""
        for value in values:
            if (found := self.joins.get(_key(value))) is not None:
                return found
        return self.join_otherwise

    def delivery_for(self, values: Iterable[str]) -> list[str]:
        """How it runs: every one of the feed's words the mapping knows, once each."""
        found = [self.deliveries.get(_key(value)) for value in values]
        return list(dict.fromkeys(value for value in found if value))

    def cost_for(self, fees: str) -> str | None:
        """``free`` or ``donation`` when the fees text says exactly that; else ``None``."""
        return self.costs.get(_key(fees.strip().rstrip("!")))


def load_mapping(
    path: Path | None, domain_ids: list[str], locality_ids: list[str]
) -> ImportMapping:
    """Read and check a mapping file (the default one if ``path`` is ``None``)."""
    path = path or DEFAULT_MAPPING
    doc = read_yaml(path)
    if doc.errors:
        line, field, message = doc.errors[0]
        where = f"{path}:{line}" if line else str(path)
        raise MappingError(f"The mapping file {where}: {field + ': ' if field else ''}{message}")
    return mapping_from(doc.data, str(path), domain_ids, locality_ids)


def mapping_from(
    data: Any, shown: str, domain_ids: list[str], locality_ids: list[str]
) -> ImportMapping:
    """The rules in ``data`` (a mapping file's content), or :class:`MappingError`."""
    check = _Checker(shown)
    if not isinstance(data, Mapping):
        raise check.error("", "should be a set of sections (domains:, localities:…)")
    unknown = sorted(set(data) - _SECTIONS)
    if unknown:
        raise check.error(
            unknown[0], f"is not a section we know. Sections: {', '.join(sorted(_SECTIONS))}"
        )
    domains = check.table(data.get("domains"), "domains", domain_ids, "a topic (domain id)")
    terms = {
        d: frozenset(_key(t) for t in check.texts(v.get("terms"), f"domains.{d}.terms"))
        for d, v in domains.items()
    }
    words = {
        d: Words(check.texts(v.get("words"), f"domains.{d}.words")) for d, v in domains.items()
    }
    otherwise = check.texts(data.get("otherwise"), "otherwise")
    check.known(otherwise, domain_ids, "otherwise", "a topic (domain id)")
    areas = tuple(
        Area(
            locality,
            frozenset(
                p.upper().strip()
                for p in check.texts(rule.get("postcodes"), f"localities.{locality}.postcodes")
            ),
            Words(check.texts(rule.get("words"), f"localities.{locality}.words")),
        )
        for locality, rule in check.table(
            data.get("localities"), "localities", locality_ids, "an area (locality id)"
        ).items()
    )
    joins = check.reverse(data.get("how_to_join"), "how_to_join", list(labels("how_to_join")))
    join_otherwise = data.get("how_to_join_otherwise", "contact-first")
    check.known(
        [join_otherwise], list(labels("how_to_join")), "how_to_join_otherwise", "a way to join"
    )
    return ImportMapping(
        terms=terms,
        words=words,
        otherwise=tuple(otherwise),
        areas=areas,
        joins=joins,
        join_otherwise=join_otherwise,
        deliveries=check.reverse(data.get("delivery"), "delivery", list(labels("delivery"))),
        costs=check.reverse(data.get("cost"), "cost", list(_COSTS)),
    )


class _Checker:
    """Checks the parts of a mapping file, naming the file and section of any mistake."""

    def __init__(self, shown: str) -> None:
        self.shown = shown

    def error(self, where: str, message: str) -> MappingError:
        return MappingError(
            f"The mapping file {self.shown}: {where + ' ' if where else ''}{message}."
        )

    def texts(self, value: Any, where: str) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(where, "should be a list of words, such as [walking, walk*]")
        return [v.strip() for v in value]

    def known(self, values: Iterable[str], allowed: list[str], where: str, what: str) -> None:
        for value in values:
            if value not in allowed:
                raise self.error(
                    where,
                    f'names "{value}", which is not {what} of this site. Use one of: {", ".join(allowed)}',
                )

    def table(
        self, value: Any, where: str, allowed: list[str], what: str
    ) -> dict[str, Mapping[str, Any]]:
        if value is None:
            return {}
        if not isinstance(value, Mapping) or not all(
            isinstance(v, Mapping) for v in value.values()
        ):
            raise self.error(where, f"should list, for each {what}, its terms and words")
        self.known(value, allowed, where, what)
        return dict(value)

    def reverse(self, value: Any, where: str, allowed: list[str]) -> dict[str, str]:
        """``{ours: [theirs…]}`` as ``{their value: ours}``."""
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.error(
                where, f"should list, for each of {', '.join(allowed)}, the feed's words for it"
            )
        self.known(value, allowed, where, "a value")
        return {
            _key(theirs): ours
            for ours, words in value.items()
            for theirs in self.texts(words, f"{where}.{ours}")
        }
