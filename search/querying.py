"""Answering searches: synonyms, typo tolerance, filters, facets, suggestions, snippets.

Whoosh analyses the words, stores the index, gives each posting its BM25F weight,
suggests spellings and highlights snippets. Combining a query's postings is done here,
with NumPy, from postings read once per index and kept in memory: Whoosh's collectors are
pure Python and, once synonyms expand a query, too slow at 10,000 activities for a search
that must answer in milliseconds (see ``benchmarks/search_speed.py``).
"""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import highlight, index, query
from whoosh.searching import Searcher

from entries.summary import ActivitySummary
from search.facets import FACET, FACETS, Filters
from search.fields import STEMMED, TEXT_WEIGHTS
from search.synonyms import normalise, split_phrases, synonyms

MAX_QUERY_CHARS = 200
MAX_QUERY_PARTS = 12
MIN_TYPO_CHARS = 5  # shorter words have too many near neighbours to guess from
MAX_TYPO_CHARS = 20  # longer "words" are not misspellings of anything
CORRECTION_WEIGHT = 0.5  # a guessed spelling counts for less than a word typed correctly
SYNONYM_WEIGHT = 0.35  # a word found only through synonyms.yaml counts for about a third
DOMAIN_WEIGHT = 1.5
MAX_SNIPPETS = 20_000


class MissingIndex(Exception):
    """There is no search index yet: the site has not been built."""


@dataclass(frozen=True)
class Result:
    """One activity found: its summary (what a result list shows), where it ranked, and
    the ids a program needs; ``snippet`` is safe HTML (text escaped, <mark>s)."""

    provider: str
    activity: str
    item: ActivitySummary = field(repr=False)
    snippet: str
    score: float
    domains: list[str]
    locality: str
    cost: str
    join: str
    last_confirmed: str

    def as_json(self) -> dict[str, Any]:
        item = self.item
        return {
            "provider": self.provider,
            "activity": self.activity,
            "url": item.url,
            "name": item.name,
            "provider_name": item.provider,
            "summary": item.summary,
            "snippet": self.snippet,
            "when": item.when,
            "where": item.where,
            "score": self.score,
            "domains": self.domains,
            "locality": self.locality,
            "cost": self.cost,
            "join": self.join,
            "last_confirmed": self.last_confirmed,
            "due_for_review": item.due_for_review,
        }


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
            "results": [result.as_json() for result in self.results],
            "facets": self.facets,
            "suggestion": self.suggestion,
            "any_word": self.any_word,
        }


@dataclass(frozen=True)
class _Posting:
    docs: np.ndarray  # the documents that have the term
    weights: np.ndarray  # its BM25F weight in each


class _Mark(highlight.HtmlFormatter):
    """Highlights as plain ``<mark>`` elements; Whoosh escapes the text around them."""

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"<mark>{highlight.htmlescape(highlight.get_text(text, token, replace))}</mark>"


class SearchIndex:
    """A warm, reusable searcher over the index folder; reopens it when it is rebuilt.

    ``preload`` reads every word's postings when the index is opened (a second or two at
    10,000 activities), so that no search has to: right for a long-running service, not
    for a one-off command.
    """

    def __init__(self, path: Path, preload: bool = False) -> None:
        self.path = Path(path)
        self.preload = preload
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._searcher: Searcher | None = None
        self._count = 0
        self._postings: dict[tuple[str, str], _Posting] = {}
        self._snippets: dict[tuple[int, frozenset[str]], str] = {}
        self._stored: dict[int, dict[str, Any]] = {}
        self._facet_docs: dict[str, dict[str, np.ndarray]] = {}
        self._by_name = np.zeros(0, dtype=np.int64)
        self._name_rank = np.zeros(0, dtype=np.int64)
        self._language_names: dict[str, str] = {}

    def search(self, text: str, filters: Filters | None = None, limit: int = 20) -> SearchResults:
        """Ranked activities for ``text`` (which may be empty) narrowed by ``filters``."""
        filters = filters or Filters()
        text = " ".join(str(text).split())[:MAX_QUERY_CHARS]
        with self._lock:
            searcher = self._current()
            wanted, looser, corrections = self._query(searcher, text)
            by_facet = self._allowed_by_facet(filters)
            allowed = functools.reduce(np.logical_and, by_facet.values(), self._all())
            if wanted is None:  # only punctuation, stop words or nothing searchable
                wanted = query.NullQuery
            text_matched, scores = self._evaluate(wanted)
            matched = text_matched & allowed
            any_word = False
            if text and not matched.any() and looser is not None:
                any_word, wanted = True, looser
                text_matched, scores = self._evaluate(looser)
                matched = text_matched & allowed
            top = self._top(matched, scores if text else None, limit)
            words = {term for name, term in wanted.all_terms() if name in TEXT_WEIGHTS}
            results = [self._result(doc, float(scores[doc]), words) for doc in top]
            return SearchResults(
                query=text,
                filters=filters,
                results=results,
                total=int(np.count_nonzero(matched)),
                facets=self._facets(text_matched, by_facet),
                suggestion=_corrected(text, corrections),
                any_word=any_word,
                labels={"language": dict(self._language_names)},
            )

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
            self._load(self._searcher)
        return self._searcher

    def _load(self, searcher: Searcher) -> None:
        """What every search needs: facet values' documents, A-to-Z order, language names."""
        reader = searcher.reader()
        self._count = reader.doc_count_all()
        self._postings = {}
        self._snippets = {}
        self._facet_docs = {
            facet.name: {
                value: self._mask(self._posting(facet.field, value))
                for value in reader.field_terms(facet.field)
            }
            for facet in FACETS
        }
        if self.preload:
            for name in TEXT_WEIGHTS:
                for term in reader.field_terms(name):
                    self._posting(name, term)
        stored = list(reader.iter_docs())
        self._stored = dict(stored)  # read once: results need them on every search
        by_name = sorted((fields["name"].casefold(), doc) for doc, fields in stored)
        self._by_name = np.array([doc for _, doc in by_name], dtype=np.int64)
        self._name_rank = np.empty(self._count, dtype=np.int64)
        self._name_rank[self._by_name] = np.arange(self._count)
        self._language_names = {
            name.strip().casefold(): name.strip()
            for _, fields in stored
            for name in str(fields.get("languages") or "").split(",")
            if name.strip()
        }

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

    def _evaluate(self, q: query.Query | None) -> tuple[np.ndarray, np.ndarray]:
        """The documents ``q`` matches (a boolean array) and their scores.

        A document's score is the sum of the BM25F weights of the query's terms it has,
        each times the term's boost; ``And`` and ``Or`` decide only which documents match.
        """
        if q is None or isinstance(q, query.Every):
            return np.ones(self._count, dtype=bool), np.zeros(self._count, dtype=np.float32)
        if q is query.NullQuery:
            return np.zeros(self._count, dtype=bool), np.zeros(self._count, dtype=np.float32)
        if isinstance(q, query.Term):
            posting = self._posting(q.fieldname, q.text)
            scores = np.zeros(self._count, dtype=np.float32)
            scores[posting.docs] = posting.weights * q.boost
            return self._mask(posting), scores
        parts = [self._evaluate(sub) for sub in q.subqueries]
        join = np.logical_and if isinstance(q, query.And) else np.logical_or
        return (
            functools.reduce(join, (mask for mask, _ in parts)),
            functools.reduce(np.add, (scores for _, scores in parts)),
        )

    def _posting(self, fieldname: str, text: str) -> _Posting:
        """The documents a term is in and its BM25F weight in each: read once, then kept."""
        key = (fieldname, text)
        if key not in self._postings:
            searcher = self._searcher
            docs: list[int] = []
            weights: list[float] = []
            if key in searcher.reader():
                scorer = searcher.weighting.scorer(searcher, fieldname, text)
                matcher = searcher.reader().postings(fieldname, text, scorer=scorer)
                while matcher.is_active():
                    docs.append(matcher.id())
                    weights.append(matcher.score())
                    matcher.next()
            self._postings[key] = _Posting(
                np.array(docs, dtype=np.int64), np.array(weights, dtype=np.float32)
            )
        return self._postings[key]

    def _mask(self, posting: _Posting) -> np.ndarray:
        mask = np.zeros(self._count, dtype=bool)
        mask[posting.docs] = True
        return mask

    def _top(self, matched: np.ndarray, scores: np.ndarray | None, limit: int) -> list[int]:
        """The best ``limit`` documents by score (ties A to Z), or A to Z if no words."""
        if scores is None:
            return self._by_name[matched[self._by_name]][:limit].tolist()
        candidates = np.flatnonzero(matched)
        if len(candidates) > limit:
            candidates = candidates[np.argpartition(-scores[candidates], limit)[:limit]]
        order = np.lexsort((self._name_rank[candidates], -scores[candidates]))
        return candidates[order].tolist()

    def _result(self, doc: int, score: float, words: set[str]) -> Result:
        """A result, with the words searched for marked in its summary or details."""
        key = (doc, frozenset(words))
        if key not in self._snippets:  # the same search again needs no new highlighting
            if len(self._snippets) > MAX_SNIPPETS:
                self._snippets.clear()
            self._snippets[key] = _snippet(self._stored[doc], words)
        return _result(self._stored[doc], score, self._snippets[key])

    def _all(self) -> np.ndarray:
        return np.ones(self._count, dtype=bool)

    def _docs(self, facet_name: str, value: str) -> np.ndarray:
        """The activities a facet's value selects (with the facet's ``everywhere`` value)."""
        docs = self._facet_docs[facet_name]
        none = np.zeros(self._count, dtype=bool)
        found = docs.get(value, none)
        everywhere = FACET[facet_name].everywhere
        return found | docs.get(everywhere, none) if everywhere else found

    def _allowed_by_facet(self, filters: Filters) -> dict[str, np.ndarray]:
        """For each facet with something chosen, the activities it lets through."""
        allowed = {}
        for name, values in filters.values.items():
            masks = [self._docs(name, value) for value in values]
            join = np.logical_and if FACET[name].combine == "all" else np.logical_or
            allowed[name] = functools.reduce(join, masks)
        return allowed

    def _facets(
        self, text_matched: np.ndarray, allowed: dict[str, np.ndarray]
    ) -> dict[str, dict[str, int]]:
        """For each facet and value, how many activities choosing that value would show.

        Counted with every other facet's choice applied (and, where values must all hold,
        this facet's too), so each count is what a click gives.
        """
        facets: dict[str, dict[str, int]] = {}
        for facet in FACETS:
            others = [mask for name, mask in allowed.items() if name != facet.name]
            if facet.combine == "all" and facet.name in allowed:
                others.append(allowed[facet.name])
            base = functools.reduce(np.logical_and, others, text_matched)
            values = [facet.toggle] if facet.toggle else self._facet_docs[facet.name]
            counts = {
                value: int(np.count_nonzero(base & self._docs(facet.name, value)))
                for value in values
                if value != facet.everywhere
            }
            ranked = sorted(counts.items(), key=lambda c: (-c[1], c[0]))
            facets[facet.name] = {value: n for value, n in ranked if n}
        return facets

    def known_values(self, facet_name: str) -> list[str]:
        """Every value the index holds for a facet, whatever a search matched."""
        with self._lock:
            self._current()
            return sorted(self._facet_docs[facet_name])


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
    if not close and len(word) >= 6:  # two letters swapped, as in "lonley"
        swapped = searcher.suggest("spelling", word, limit=5, maxdist=2, prefix=2)
        close = [c for c in swapped if sorted(c) == sorted(word)]
    return close[0] if close and close[0] != word else None


_FRAGMENTER = highlight.ContextFragmenter(maxchars=240, surround=60)


def _snippet(stored: dict[str, Any], words: set[str]) -> str:
    """The best bit of the summary or details with the words marked; else the summary."""
    for field_name in ("summary", "details"):
        if words and stored.get(field_name):
            snippet = highlight.highlight(
                stored[field_name], words, STEMMED, _FRAGMENTER, _Mark(), top=1
            )
            if snippet:
                return snippet
    return highlight.htmlescape(stored["summary"])


def _result(stored: dict[str, Any], score: float, snippet: str) -> Result:
    return Result(
        provider=stored["provider"],
        activity=stored["activity"],
        item=ActivitySummary.from_json(stored["item"]),
        snippet=snippet,
        score=round(score, 4),
        domains=stored["domains"].split(","),
        locality=stored["locality"],
        cost=stored["cost"],
        join=stored["join"],
        last_confirmed=stored["last_confirmed"],
    )
