"""The Whoosh schema: what is indexed for each activity, and how text is analysed."""

from __future__ import annotations

import itertools
import unicodedata

from whoosh import fields
from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)


def _latin_accents() -> dict[int, str]:
    """Accented Latin letters → the plain letter ("café" → "cafe", "Zoë" → "Zoe"): people
    type them either way. Other scripts are left alone (their marks are letters)."""
    table = {}
    for code in range(0xC0, 0x250):
        base = unicodedata.normalize("NFKD", chr(code))[0]
        if base.isascii() and base.isalpha() and base != chr(code):
            table[code] = base
    return table


ACCENTS = _latin_accents()
STEMMED = (
    RegexTokenizer() | LowercaseFilter() | CharsetFilter(ACCENTS) | StopFilter() | StemFilter()
)
# Whole words as written (lower-cased, accents folded), for "did you mean" suggestions.
WORDS = (
    RegexTokenizer()
    | LowercaseFilter()
    | CharsetFilter(ACCENTS)
    | StopFilter(stoplist=None, minsize=3)
)

# Text fields searched, with how much a match in each one counts: the activity's name
# above its provider's name, above its summary, above everything else said about it.
TEXT_WEIGHTS = {
    "name_text": 4.0,  # the activity's name
    "org_text": 2.5,  # the provider's name
    "summary_text": 1.8,  # the one-line summary
    "body": 1.0,  # details, about, topics, place, languages, access…
}
# Pairs of neighbouring words (as stems), for the bonus when a query's words occur
# together and in order ("knit natter", "walk group").
PAIRS = "pairs"


def word_pairs(text: str) -> list[str]:
    """``"Health walks in the park"`` → ``["health_walk", "walk_park"]``: stop words skipped."""
    stems = [token.text for token in STEMMED(text)]
    return [f"{a}_{b}" for a, b in itertools.pairwise(stems)]


def schema() -> fields.Schema:
    return fields.Schema(
        key=fields.ID(stored=True, unique=True),
        provider=fields.STORED,
        activity=fields.STORED,
        name=fields.STORED,
        summary=fields.STORED,
        details=fields.STORED,
        # No word positions: nothing searches phrases (``pairs`` does that job cheaply).
        **{name: fields.TEXT(analyzer=STEMMED, phrase=False) for name in TEXT_WEIGHTS},
        pairs=fields.KEYWORD(scorable=True),
        spelling=fields.TEXT(analyzer=WORDS, phrase=False),
        domains=fields.KEYWORD(commas=True, stored=True),
        locality=fields.ID(stored=True),
        locality_name=fields.STORED,  # so a place named in a query can be recognised
        point=fields.STORED,  # (lat, lon) of the venue, for distances; None without one
        cost=fields.ID(stored=True),
        join=fields.ID(stored=True),
        days=fields.KEYWORD(commas=True),
        delivery=fields.KEYWORD(commas=True),
        accessibility=fields.KEYWORD(commas=True),
        languages=fields.KEYWORD(commas=True, lowercase=True, stored=True),
        item=fields.STORED,  # the activity's summary (entries.summary), as JSON
        last_confirmed=fields.STORED,
    )
