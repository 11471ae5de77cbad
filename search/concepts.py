"""What a query asks for: its concepts, each with the ways an activity can match it.

A concept is a word or an everyday phrase the person typed. It matches an activity that
uses the word itself (in any of its forms), or, counting for less, a word from
``synonyms.yaml`` or a topic it names, or the nearest real word for a typo. Filler words
("help", "with", "group", "near"…) are not concepts: nobody minds if they are missing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from search.fields import STEMMED, word_pairs
from search.synonyms import Expansion, expansion, split_phrases, stem_key

MAX_CONCEPTS = 12
# Words that say little about what is wanted: they never have to match. Besides the
# stop words the analyser drops, they are what people wrap a need in ("help with…", "a
# group for…", "my dad…", "what can I do"), never what a group's listing is about.
FILLER = frozenset(
    """
    help helps helping helpful with for group groups class classes club clubs near nearby
    project projects scheme schemes programme programmes initiative initiatives
    organisation organisations organization organizations charity charities
    support supports session sessions service services local somewhere someone something
    anything any people person my me i im i'm we our us you your want wants wanted need
    needs needed looking look find get got can could would should like please where what
    which who how when why place places activity activities thing things ideas do does
    doing done go going about after again all also am because been before being but did
    each every few had has have he her here him his into its just more most much many
    nor now only other out own same she so some such than then there these they those
    too very was were while whom yes lot lots really keep kind sort take up start try so
    son sons daughter daughters husband wife partner dad father mum mom mother brother
    sister grandson granddaughter grandad grandma nan
    """.split()  # noqa: SIM905 - a list of 150 quoted words is harder to review
)


@dataclass(frozen=True)
class Concept:
    """One thing the query asks for, and how an activity can show it.

    ``stems`` must all be present for the words as typed (for a phrase, side by side:
    ``together``); each of ``also`` (a synonym's
    stems), ``domains`` and ``facets`` (filter values, such as step-free access) is a
    looser match; ``correction`` the stems of the nearest real
    word, for a word no activity uses. ``avoid`` are topics that offer the opposite of
    what is meant ("lonely" wants company, not a volunteering role).
    """

    text: str
    stems: tuple[str, ...]
    together: tuple[str, ...] = ()  # a phrase's words must also be side by side
    also: tuple[tuple[str, ...], ...] = ()
    same: tuple[tuple[str, ...], ...] = ()  # other ways of writing it, nearly as typed
    domains: tuple[str, ...] = ()
    facets: tuple[tuple[str, str], ...] = ()
    avoid: tuple[str, ...] = ()
    correction: tuple[str, ...] = ()
    corrected_to: str = ""
    optional: bool = False  # a filler word: evidence where found, no loss where not


def concepts(
    text: str,
    is_unknown: Callable[[str], bool],
    correct: Callable[[str, tuple[str, ...]], str | None],
    places: Mapping[str, Expansion] | None = None,
) -> list[Concept]:
    """The concepts in ``text``, in order. Filler words count only where found; a word no
    activity uses gets the nearest real word as well (``correct`` is given the word and
    its neighbours), and a correction that completes a thesaurus phrase ("asylum seaker")
    makes it that phrase; ``places`` are the area's place names, each pointing at its
    locality."""
    places = {stem_key(name): place for name, place in (places or {}).items()}
    parts = split_phrases(text, places)
    fixes = {
        part: correct(part, _neighbours(parts, part)) or ""
        for part in parts
        if places.get(stem_key(part)) is None and expansion(part) is None and is_unknown(part)
    }
    words = [word for part in parts for word in part.split()]
    optional = any(part not in FILLER for part in parts)
    asked: list[Concept] = []
    at = 0
    for meant in split_phrases(" ".join(fixes.get(word) or word for word in words), places):
        part = " ".join(words[at : at + len(meant.split())])
        at += len(meant.split())
        if len(asked) == MAX_CONCEPTS:
            break
        stems = stems_of(part)
        corrected_to = meant if meant != part else ""
        # What the thesaurus says about the words meant ("alzhiemers" → dementia).
        filler = optional and part in FILLER
        known = None if filler else places.get(stem_key(meant)) or expansion(meant)
        if not stems and known is None:
            continue  # a stop word or punctuation
        if known is not None and all(stem in _FILLER_STEMS for stem in stems):
            stems = ()  # "helping out" means volunteering, not any listing that says "help"
        asked.append(
            Concept(
                text=part,
                stems=stems,
                together=tuple(word_pairs(part)),
                also=tuple(stems_of(word) for word in known.also) if known else (),
                same=tuple(stems_of(word) for word in known.same) if known else (),
                domains=known.domains if known else (),
                facets=known.facets if known else (),
                avoid=known.avoid if known else (),
                correction=stems_of(corrected_to) if corrected_to else (),
                corrected_to=corrected_to,
                optional=filler,
            )
        )
    return asked


_FILLER_STEMS = frozenset(stem for word in FILLER for stem in (t.text for t in STEMMED(word)))


@functools.lru_cache(maxsize=20_000)
def stems_of(text: str) -> tuple[str, ...]:
    """The stems of a word or phrase, as the index keeps them (kept: the thesaurus's words
    come up again and again)."""
    return tuple(token.text for token in STEMMED(text))


def _neighbours(parts: list[str], part: str) -> tuple[str, ...]:
    """The words either side of ``part`` in the query, to choose among corrections."""
    at = parts.index(part)
    return tuple(parts[max(at - 1, 0) : at] + parts[at + 1 : at + 2])
