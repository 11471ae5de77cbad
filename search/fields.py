"""The Whoosh schema: what is indexed for each activity, and how text is analysed."""

from __future__ import annotations

import functools
import itertools
import unicodedata
from collections import Counter
from collections.abc import Iterator
from typing import Any

from whoosh import fields, formats
from whoosh.analysis import (
    STOP_WORDS,
    CharsetFilter,
    CompositeAnalyzer,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
)
from whoosh.analysis.tokenizers import default_pattern
from whoosh.lang.porter import stem
from whoosh.system import pack_uint

_STOPPED = object()  # a word that gives no term
_REMEMBERED = 200_000  # words whose terms an analyzer keeps (far more than a directory uses)


class QuickAnalyzer(CompositeAnalyzer):
    """A tokenizer and filters, as Whoosh chains them, that index the same terms quicker.

    Each filter changes one word at a time, so the term a word gives (or that it gives
    none) is worked out once, through the filters, and remembered: indexing then costs a
    look-up a word, not a pass through each filter (a third of the time indexing took).
    Anything but indexing (a query, positions, highlighting) goes the usual way. The
    index keeps its schema, so this class keeps its name and module."""

    def __init__(self, *items: Any) -> None:
        super().__init__(*items)
        self._terms: dict[str, object] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_terms"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._terms = {}

    def __call__(self, value: str, **kwargs: Any) -> Iterator[Token]:
        plain = not any(kwargs.get(k) for k in ("positions", "chars", "keeporiginal", "no_morph"))
        usual = kwargs.get("removestops", True) and kwargs.get("tokenize", True)
        if kwargs.get("mode") == "index" and plain and usual:
            return self._indexed(value, kwargs)
        return super().__call__(value, **kwargs)

    def _indexed(self, value: str, kwargs: dict[str, Any]) -> Iterator[Token]:
        terms, token = self._terms, Token(**kwargs)
        for match in self.items[0].expression.finditer(value):
            word = match.group(0)
            term = terms.get(word)
            if term is None:
                if len(terms) >= _REMEMBERED:  # a service asked for ever new words
                    terms.clear()
                term = terms[word] = self._term(word, kwargs)
            if term is not _STOPPED:
                token.text, token.boost, token.stopped = term, 1.0, False
                yield token

    def _term(self, word: str, kwargs: dict[str, Any]) -> object:
        token = Token(**kwargs)
        token.text, token.boost, token.stopped = word, 1.0, False
        stream: Iterator[Token] = iter([token])
        for item in self.items[1:]:
            stream = item(stream)
        return next((t.text for t in stream if not t.stopped), _STOPPED)


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
STEMMED = QuickAnalyzer(
    RegexTokenizer() | LowercaseFilter() | CharsetFilter(ACCENTS) | StopFilter() | StemFilter()
)


def stem_set(text: str) -> frozenset[str]:
    """The stems ``STEMMED`` makes of ``text``, as a set, without its token objects: a
    result's snippet looks for the query's words in every sentence, and the analyser's
    per-token cost was most of a search's time."""
    words = (match.group().lower().translate(ACCENTS) for match in default_pattern.finditer(text))
    return frozenset(_stem(word) for word in words if len(word) >= 2 and word not in STOP_WORDS)


@functools.lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    return stem(word)


# Whole words as written (lower-cased, accents folded), for "did you mean" suggestions.
WORDS = QuickAnalyzer(
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
    stems = [token.text for token in STEMMED(text, mode="index")]
    return [f"{a}_{b}" for a, b in itertools.pairwise(stems)]


class CountedFrequency(formats.Frequency):
    """Whoosh's format of a word's count in a field, with each field's words counted by
    one ``Counter``: Whoosh's own counting, a dictionary update a word, was a fifth of the
    time indexing took. The same counts and weights, as no analyser here gives a word a
    boost of its own. The index keeps its schema, so this class keeps its name."""

    def word_values(
        self, value: Any, analyzer: Any, **kwargs: Any
    ) -> Iterator[tuple[str, int, float, bytes]]:
        counts = Counter(t.text for t in formats.tokens(value, analyzer, kwargs))
        boost = self.field_boost
        return ((word, n, n * boost, pack_uint(n)) for word, n in counts.items())


def _counted(field: fields.FieldType) -> fields.FieldType:
    field.format = CountedFrequency(field_boost=field.format.field_boost)
    return field


def schema() -> fields.Schema:
    return fields.Schema(
        key=fields.ID(stored=True, unique=True),
        provider=fields.STORED,
        activity=fields.STORED,
        name=fields.STORED,
        summary=fields.STORED,
        details=fields.STORED,
        # No word positions: nothing searches phrases (``pairs`` does that job cheaply).
        **{name: _counted(fields.TEXT(analyzer=STEMMED, phrase=False)) for name in TEXT_WEIGHTS},
        pairs=_counted(fields.KEYWORD(scorable=True)),
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
