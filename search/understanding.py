"""Filters said in words: "walking near Anytown South on Tuesdays" is a search for
"walking", in that area, on that day.

Only what is unambiguous becomes a filter: a place after "in", "near" or "around", a day
of the week, and a postcode (to measure distances from). Everything else stays words to search for (where ``synonyms.yaml`` may
still point it at a filter value, as evidence rather than a rule). What was understood
is handed back, so the page can show it as filters the person can remove.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from entries.places import postcode_point
from entries.schema import provider_schema
from search.synonyms import normalise

PLACE_WORDS = ("in", "near", "around", "near to", "close to")
DAY_WORDS = ("on", "every", "on a", "each")


@dataclass
class Understood:
    """The words left to search for, the filters the rest of the query asked for, and a
    postcode to measure distances from."""

    text: str
    filters: dict[str, list[str]] = field(default_factory=dict)
    near: str = ""


def understand(text: str, places: dict[str, str], *, find_postcode: bool = True) -> Understood:
    """Take places (``places``: normalised name -> locality id), days and (with
    ``find_postcode``) a postcode out of ``text``."""
    words = normalise(text)
    found: dict[str, list[str]] = {}
    original = words
    near = _postcode_in(words) if find_postcode else ""
    if near:
        words = re.sub(rf"\b(?:(?:{'|'.join(PLACE_WORDS)})\s+)?{re.escape(near)}\b", " ", words)
    for name in sorted(places, key=len, reverse=True):
        pattern = rf"\b(?:{'|'.join(PLACE_WORDS)})\s+(?:the\s+)?{re.escape(name)}\b"
        if re.search(pattern, words):
            words = re.sub(pattern, " ", words)
            found.setdefault("locality", []).append(places[name])
    for day, name in _day_names().items():
        pattern = rf"\b(?:(?:{'|'.join(DAY_WORDS)})\s+)?{name}s?\b"
        if re.search(pattern, words):
            words = re.sub(pattern, " ", words)
            found.setdefault("day", []).append(day)
    if words == original:
        return Understood(text=text)  # nothing understood: the words as typed
    return Understood(text=" ".join(words.split()), filters=found, near=near.upper())


def _postcode_in(words: str) -> str:
    """A full postcode, sector or district in the words that the tables can place
    (``"walking bs3"`` → ``"bs3"``), else ``""``."""
    tokens = words.split()
    for size in (2, 1):
        for start in range(len(tokens) - size + 1):
            candidate = " ".join(tokens[start : start + size])
            if any(ch.isdigit() for ch in candidate) and postcode_point(candidate):
                return candidate
    return ""


def _day_names() -> dict[str, str]:
    """``mon`` -> ``monday``, from the schema's labels in English (as the words around
    them here are), whatever the language of the page."""
    english = provider_schema()["$defs"]["day"]["x-labels"]
    return {day: name.casefold() for day, name in english.items()}
