"""Answering searches: synonyms, typo tolerance, filters, facets, suggestions, snippets."""

from __future__ import annotations

import os
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from whoosh import highlight, index, query
from whoosh.searching import Searcher

from search.fields import STEMMED, TEXT_WEIGHTS
from search.filters import FACETS, Filters
from search.synonyms import normalise, split_phrases, synonyms

MAX_QUERY_CHARS = 200
MAX_QUERY_PARTS = 12
MIN_TYPO_CHARS = 5  # shorter words have too many near neighbours to guess from
MAX_TYPO_CHARS = 20  # longer "words" are not misspellings of anything
CORRECTION_WEIGHT = 0.5  # a guessed spelling counts for less than a word typed correctly
SYNONYM_WEIGHT = 0.35  # a word found only through synonyms.yaml counts for about a third
DOMAIN_WEIGHT = 1.5
SNIPPET_FIELDS = ("summary", "details")


class MissingIndex(Exception):
    """There is no search index yet: the site has not been built."""


@dataclass(frozen=True)
class Result:
    """One activity in a result list; ``snippet`` is safe HTML (text escaped, <mark>s)."""

    provider: str
    activity: str
    url: str
    name: str
    provider_name: str
    summary: str
    snippet: str
    when: str
    where: str
    score: float
    domains: list[str]
    locality: str
    cost: str
    join: str
    last_confirmed: str
    due_for_review: bool


@dataclass
class SearchResults:
    query: str
    filters: Filters
    results: list[Result]
    total: int
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None
    any_word: bool = False  # no activity had every word, so these match some of them
    labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The shape ``/api/search`` and ``healthdir search --json`` return."""
        return {
            "query": self.query,
            "filters": self.filters.active(),
            "total": self.total,
            "results": [asdict(r) for r in self.results],
            "facets": self.facets,
            "suggestion": self.suggestion,
            "any_word": self.any_word,
        }


class _Mark(highlight.HtmlFormatter):
    """Highlights as plain ``<mark>`` elements; Whoosh escapes the text around them."""

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"<mark>{highlight.htmlescape(highlight.get_text(text, token, replace))}</mark>"


class SearchIndex:
    """A warm, reusable searcher over the index folder; reopens it when it is rebuilt."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._searcher: Searcher | None = None
        self._facets: dict[int, dict[str, tuple[str, ...]]] = {}
        self._language_names: dict[str, str] = {}

    def search(self, text: str, filters: Filters | None = None, limit: int = 20) -> SearchResults:
        """Ranked activities for ``text`` (which may be empty) narrowed by ``filters``."""
        filters = filters or Filters()
        text = " ".join(str(text).split())[:MAX_QUERY_CHARS]
        with self._lock:
            searcher = self._current()
            wanted, looser, corrections = self._query(searcher, text)
            narrow = _filter_query(filters)
            any_word = False
            if wanted is None:
                hits = None
            elif text:
                hits = searcher.search(wanted, filter=narrow, limit=limit, optimize=False)
                if hits.is_empty() and looser is not None:
                    any_word = True
                    hits = searcher.search(looser, filter=narrow, limit=limit, optimize=False)
            else:
                hits = searcher.search(
                    wanted, filter=narrow, limit=limit, sortedby="sort_name", optimize=False
                )
            suggestion = _corrected(text, corrections)
            return self._results(hits, text, filters, suggestion, any_word)

    def _current(self) -> Searcher:
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            raise MissingIndex(
                f"There is no search index in {self.path}. Run `healthdir build` first."
            ) from None
        stamp = (info.st_ino, info.st_mtime_ns)
        if stamp != self._stamp or self._searcher is None:
            if not index.exists_in(str(self.path)):
                raise MissingIndex(f"{self.path} does not hold a search index.")
            if self._searcher is not None:
                self._searcher.close()
            self._searcher = index.open_dir(str(self.path)).searcher()
            self._stamp = stamp
            self._load_facets(self._searcher)
        return self._searcher

    def _load_facets(self, searcher: Searcher) -> None:
        self._facets = {}
        self._language_names = {}
        for docnum, stored in searcher.reader().iter_docs():
            values = {}
            for facet, field_name in FACETS.items():
                raw = stored.get(field_name) or ""
                items = tuple(v.strip() for v in str(raw).split(",") if v.strip())
                if facet == "language":
                    self._language_names.update({v.casefold(): v for v in items})
                    items = tuple(v.casefold() for v in items)
                values[facet] = items
            self._facets[docnum] = values

    def _query(
        self, searcher: Searcher, text: str
    ) -> tuple[query.Query | None, query.Query | None, list[tuple[str, str]]]:
        """How to find ``text``: the strict query, a looser one, and any typo corrections.

        In the strict query every word (or everyday phrase from synonyms.yaml) must match,
        in any of its forms: itself (stemmed, in any text field), its synonyms, or, for a
        word no activity uses, the nearest real word in the index and that word's
        synonyms. The looser query, for when nothing has every word, accepts any of the
        words as typed, but not guessed spellings, which on their own mislead.
        """
        if not text:
            return query.Every(), None, []
        reader = searcher.reader()
        strict: list[query.Query] = []
        loose: list[query.Query] = []
        corrections: list[tuple[str, str]] = []
        for part in split_phrases(text)[:MAX_QUERY_PARTS]:
            options = _options(part, 1.0)
            if options:
                loose.append(query.Or(options))
            if _is_unknown(reader, part):
                correction = _correction(searcher, part)
                if correction:
                    corrections.append((part, correction))
                    options = options + _options(correction, CORRECTION_WEIGHT)
            if options:
                strict.append(query.Or(options))
        if not strict:
            return None, None, corrections
        if len(strict) == 1:
            return strict[0], None, corrections
        return query.And(strict), (query.Or(loose) if loose else None), corrections

    def _results(
        self, hits: Any, text: str, filters: Filters, suggestion: str | None, any_word: bool
    ) -> SearchResults:
        results: list[Result] = []
        counts: dict[str, Counter[str]] = {facet: Counter() for facet in FACETS}
        total = 0
        if hits is not None:
            total = len(hits.docs())
            hits.formatter = _Mark()
            hits.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=60)
            for hit in hits:
                results.append(_result(hit, text))
            for docnum in hits.docs():
                for facet, values in self._facets.get(docnum, {}).items():
                    counts[facet].update(values)
        free = counts.pop("cost", Counter())
        facets = {facet: dict(counter.most_common()) for facet, counter in counts.items()}
        facets["free"] = {"free": free.get("free", 0)}
        return SearchResults(
            query=text,
            filters=filters,
            results=results,
            total=total,
            facets=facets,
            suggestion=suggestion,
            any_word=any_word,
            labels={"language": dict(self._language_names)},
        )


def _corrected(text: str, corrections: list[tuple[str, str]]) -> str | None:
    """ "Did you mean": the query with each unknown word replaced by its correction."""
    if not corrections:
        return None
    words = text.casefold().split()
    fixes = dict(corrections)
    return " ".join(fixes.get(normalise(word), word) for word in words)


def _options(part: str, weight: float) -> list[query.Query]:
    """Ways ``part`` (a word or known phrase) can match: itself and its synonyms."""
    options: list[query.Query] = []
    stems = [token.text for token in STEMMED(part)]
    if stems:
        own = [
            query.Or([query.Term(f, stem, boost=w * weight) for f, w in TEXT_WEIGHTS.items()])
            for stem in stems
        ]
        options.append(own[0] if len(own) == 1 else query.And(own))
    expansion = synonyms().get(part)
    if expansion:
        for extra in expansion.also:
            options += [
                query.Term(f, token.text, boost=w * SYNONYM_WEIGHT * weight)
                for token in STEMMED(extra)
                for f, w in TEXT_WEIGHTS.items()
            ]
        options += [
            query.Term("domains", d, boost=DOMAIN_WEIGHT * weight) for d in expansion.domains
        ]
    return options


def _is_unknown(reader: Any, part: str) -> bool:
    """A single word that no activity uses and that synonyms.yaml doesn't know either."""
    if " " in part or part in synonyms() or not part.isalpha():
        return False
    stems = [token.text for token in STEMMED(part)]
    return bool(stems) and not any((f, stems[0]) in reader for f in TEXT_WEIGHTS)


def _correction(searcher: Searcher, word: str) -> str | None:
    """The nearest real word the activities use (as written, not stemmed), if close enough."""
    if not MIN_TYPO_CHARS <= len(word) <= MAX_TYPO_CHARS:
        return None
    distance = 1 if len(word) < 8 else 2
    close = searcher.suggest("spelling", word, limit=1, maxdist=distance, prefix=1)
    if not close and len(word) >= 6:  # two letters swapped or doubled, as in "lonley"
        close = searcher.suggest("spelling", word, limit=1, maxdist=2, prefix=2)
    return close[0] if close and close[0] != word else None


def _filter_query(filters: Filters) -> query.Query | None:
    terms: list[query.Query] = []
    if filters.domain:
        terms.append(query.Term("domains", filters.domain))
    if filters.locality:
        terms.append(
            query.Or([query.Term("locality", filters.locality), query.Term("locality", "all")])
        )
    if filters.free:
        terms.append(query.Term("cost", "free"))
    for name, field_name in (
        ("day", "days"),
        ("join", "join"),
        ("delivery", "delivery"),
        ("accessibility", "accessibility"),
        ("language", "languages"),
    ):
        value = getattr(filters, name)
        if value:
            terms.append(query.Term(field_name, value))
    return query.And(terms) if terms else None


def _result(hit: Any, text: str) -> Result:
    snippet = ""
    if text:
        for field_name in SNIPPET_FIELDS:
            snippet = hit.highlights(field_name, top=1)
            if snippet:
                break
    if not snippet:
        snippet = highlight.htmlescape(hit["summary"])
    return Result(
        provider=hit["provider"],
        activity=hit["activity"],
        url=f"/activities/{hit['provider']}/{hit['activity']}/",
        name=hit["name"],
        provider_name=hit["provider_name"],
        summary=hit["summary"],
        snippet=snippet,
        when=hit["when"],
        where=hit["where"],
        score=round(hit.score, 4) if isinstance(hit.score, float) else 0.0,
        domains=hit["domains"].split(","),
        locality=hit["locality"],
        cost=hit["cost"],
        join=hit["join"],
        last_confirmed=hit["last_confirmed"],
        due_for_review=bool(hit["due_for_review"]),
    )
