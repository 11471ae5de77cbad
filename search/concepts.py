"""What a query asks for: its concepts, each with the ways an activity can match it.

A concept is a word or an everyday phrase the person typed. It matches an activity that
uses the word itself (in any of its forms), or, counting for less, a word from
``synonyms.yaml`` or a topic it names, or the nearest real word for a typo. Filler words
("help", "with", "group", "near"…) are not concepts: nobody minds if they are missing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from search.fields import STEMMED, word_pairs
from search.synonyms import Expansion, split_phrases, synonyms

MAX_CONCEPTS = 12
# Words that say little about what is wanted: they never have to match.
FILLER = frozenset(
    [
        "help",
        "helps",
        "helping",
        "with",
        "for",
        "group",
        "groups",
        "class",
        "classes",
        "club",
        "clubs",
        "near",
        "nearby",
        "support",
        "session",
        "sessions",
        "service",
        "services",
        "local",
        "somewhere",
        "someone",
        "something",
        "anything",
        "any",
        "people",
        "person",
        "my",
        "me",
        "i",
        "im",
        "i'm",
        "we",
        "our",
        "us",
        "you",
        "your",
        "want",
        "wants",
        "need",
        "needs",
        "looking",
        "find",
        "get",
        "got",
        "can",
        "could",
        "would",
        "like",
        "please",
        "where",
        "what",
        "which",
        "who",
        "how",
        "when",
        "place",
        "places",
        "activity",
        "activities",
        "thing",
        "things",
        "ideas",
    ]
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
    domains: tuple[str, ...] = ()
    facets: tuple[tuple[str, str], ...] = ()
    avoid: tuple[str, ...] = ()
    correction: tuple[str, ...] = ()
    corrected_to: str = ""


def concepts(
    text: str,
    is_unknown: Callable[[str], bool],
    correct: Callable[[str], str | None],
    places: Mapping[str, Expansion] | None = None,
) -> list[Concept]:
    """The concepts in ``text``, in order. Filler words are dropped unless nothing else is
    left; a word no activity uses gets the nearest real word as well; ``places`` are the
    area's place names, each pointing at its locality."""
    places = places or {}
    parts = split_phrases(text, places)
    wanted = [part for part in parts if part not in FILLER] or parts
    found: list[Concept] = []
    for part in wanted[:MAX_CONCEPTS]:
        stems = tuple(token.text for token in STEMMED(part))
        expansion = places.get(part) or synonyms().get(part)
        if not stems and expansion is None:
            continue  # a stop word or punctuation
        correction: tuple[str, ...] = ()
        corrected_to = ""
        if expansion is None and is_unknown(part):
            corrected_to = correct(part) or ""
            correction = tuple(token.text for token in STEMMED(corrected_to))
        found.append(
            Concept(
                text=part,
                stems=stems,
                together=tuple(word_pairs(part)),
                also=tuple(tuple(token.text for token in STEMMED(word)) for word in expansion.also)
                if expansion
                else (),
                domains=expansion.domains if expansion else (),
                facets=expansion.facets if expansion else (),
                avoid=expansion.avoid if expansion else (),
                correction=correction,
                corrected_to=corrected_to,
            )
        )
    return found
