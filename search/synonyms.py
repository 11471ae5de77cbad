"""Query-time synonyms from ``synonyms.yaml``: everyday words to what groups write."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from whoosh.lang.porter import stem

from search.facets import FACET_OF_FIELD
from search.fields import ACCENTS

SYNONYMS_FILE = Path(__file__).with_name("synonyms.yaml")


# What a group's words may point at besides topics (``domains``), as the entry's field
# names: "wheelchair" → accessibility step-free, "drop in" → how_to_join drop-in.
FACET_KEYS = tuple(name for name in FACET_OF_FIELD if name not in ("domains", "languages"))


@dataclass(frozen=True)
class Expansion:
    also: tuple[str, ...]
    domains: tuple[str, ...]
    avoid: tuple[str, ...] = ()  # topics that offer the opposite of what is meant
    facets: tuple[tuple[str, str], ...] = ()  # (entry field, value) the words point at
    same: tuple[str, ...] = ()  # other ways of writing the very same thing


@cache
def synonyms(path: Path = SYNONYMS_FILE) -> dict[str, Expansion]:
    """Trigger word or phrase (by its stems, so "drinks" finds "drinking") -> what else to
    look for. The words of a group stand in for each other too; later groups add to
    earlier ones."""
    table: dict[str, Expansion] = {}
    for group in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
        same = tuple(str(word).lower() for word in group.get("same", []))
        triggers = [str(word).lower() for word in group.get("words", [])] or list(same)
        also = tuple(dict.fromkeys([*(str(w).lower() for w in group.get("also", [])), *triggers]))
        domains = tuple(group.get("domains", []))
        avoid = tuple(group.get("avoid", []))
        facets = tuple(
            (facet, str(value)) for facet in FACET_KEYS for value in group.get(facet, [])
        )
        for trigger in triggers:
            key = stem_key(trigger)
            old = table.get(key, Expansion((), ()))
            table[key] = Expansion(
                old.also + also,
                old.domains + domains,
                old.avoid + avoid,
                old.facets + facets,
                old.same + tuple(word for word in same if stem_key(word) != key),
            )
    return table


def expansion(part: str) -> Expansion | None:
    """What the thesaurus says about a word or phrase, if anything."""
    return synonyms().get(stem_key(part))


def normalise(text: str) -> str:
    """Lower case, accents folded, apostrophes kept, everything else that isn't a letter or
    digit a space."""
    return " ".join(re.sub(r"[^\w']+", " ", text.casefold().translate(ACCENTS)).split())


# Words that change nothing about a need: "paying my rent" is "paying the rent".
DETERMINERS = frozenset(["a", "an", "the", "my", "his", "her", "their", "our", "your"])


def stem_key(text: str) -> str:
    """A phrase as the stems of its words, without determiners ("paying my rent" and
    "paying the rent" are one key): how triggers are matched."""
    words = normalise(text).split()
    kept = [word for word in words if word not in DETERMINERS] or words
    return " ".join(stem(word) for word in kept)


def split_phrases(text: str, extra: Mapping[str, object] | None = None) -> list[str]:
    """Split a query into trigger phrases (longest first) and single words, in order.

    ``extra`` adds phrases to recognise besides the thesaurus's (the area's places).
    """
    words = normalise(text).split()
    more = {stem_key(phrase) for phrase in extra or {}}
    longest = max([_longest_trigger(), *(len(key.split()) for key in more)]) + 1
    parts, i = [], 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 1, -1):
            if words[i] in DETERMINERS or words[i + size - 1] in DETERMINERS:
                continue  # a phrase neither starts nor ends with "the" or "my"
            phrase = stem_key(" ".join(words[i : i + size]))
            if phrase in synonyms() or phrase in more:
                parts.append(" ".join(words[i : i + size]))
                i += size
                break
        else:
            parts.append(words[i])
            i += 1
    return parts


@cache
def _longest_trigger() -> int:
    return max((len(key.split()) for key in synonyms()), default=1)
