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
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import highlight, index
from whoosh.searching import Searcher

from entries.summary import ActivitySummary
from search.concepts import Concept, concepts
from search.facets import FACET, FACET_OF_FIELD, FACETS, Filters
from search.fields import PAIRS, STEMMED, TEXT_WEIGHTS, word_pairs
from search.synonyms import Expansion, normalise, synonyms
from search.understanding import understand

MAX_QUERY_CHARS = 200
MIN_TYPO_CHARS = 5  # shorter words have too many near neighbours to guess from
MAX_TYPO_CHARS = 20  # longer "words" are not misspellings of anything
# How much each way of matching a concept counts: as a share of its score (weight) and of
# the "how much of the query does it cover" credit. A word as typed counts in full.
CORRECTION_WEIGHT, CORRECTION_CREDIT = 0.6, 0.8  # the nearest real word, for a typo
SYNONYM_WEIGHT, SYNONYM_CREDIT = 0.3, 0.5  # a word found only through synonyms.yaml
DOMAIN_SCORE = 1.0  # an activity in a topic the word names (before SYNONYM_WEIGHT)
AVOID_FACTOR = 0.35  # an activity in a topic that offers the opposite of what is meant
PAIR_WEIGHT = 1.5  # query words found next to each other, in order
COVERAGE_POWER = 2.0  # an activity covering more of the query's concepts ranks higher
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
    understood: dict[str, list[str]] = field(default_factory=dict)  # filters said in words
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
            "understood": self.understood,
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
        self._places: dict[str, str] = {}  # an area's name, normalised -> its locality id

    def search(self, text: str, filters: Filters | None = None, limit: int = 20) -> SearchResults:
        """Ranked activities for ``text`` (which may be empty) narrowed by ``filters``.

        A place after "in" or "near", and days, become filters (``understood``), unless
        that filter is already chosen.
        """
        filters = filters or Filters()
        text = " ".join(str(text).split())[:MAX_QUERY_CHARS]
        with self._lock:
            searcher = self._current()
            said = understand(text, self._places)
            understood = {k: v for k, v in said.filters.items() if not filters.get(k)}
            if understood:
                text = said.text
                filters = Filters(**filters.values, **understood)
            by_facet = self._allowed_by_facet(filters)
            allowed = functools.reduce(np.logical_and, by_facet.values(), self._all())
            if text:
                asked = concepts(
                    text,
                    self._is_unknown,
                    functools.partial(_correction, searcher),
                    {
                        name: Expansion((), (), facets=(("locality", place),))
                        for name, place in self._places.items()
                    },
                )
                scores, coverage, complete = self._score(asked, text)
                text_matched = coverage > 0
            else:
                asked, scores, text_matched = [], None, self._all()
                complete = text_matched
            matched = text_matched & allowed
            top = self._top(matched, scores, limit)
            words = {stem for c in asked for stem in (*c.stems, *c.correction, *sum(c.also, ()))}
            results = [
                self._result(doc, float(scores[doc]) if scores is not None else 0.0, words)
                for doc in top
            ]
            return SearchResults(
                query=text,
                filters=filters,
                results=results,
                total=int(np.count_nonzero(matched)),
                facets=self._facets(text_matched, by_facet),
                suggestion=_corrected(text, asked),
                any_word=bool(matched.any() and not (complete & matched).any()),
                understood=understood,
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
        self._places = {
            normalise(fields["locality_name"]): fields["locality"]
            for _, fields in stored
            if fields.get("locality_name") and fields["locality"] != FACET["locality"].everywhere
        }
        self._language_names = {
            name.strip().casefold(): name.strip()
            for _, fields in stored
            for name in str(fields.get("languages") or "").split(",")
            if name.strip()
        }

    def _score(self, asked: list[Concept], text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every activity's score for the query, how much of it the activity covers, and
        whether it has every concept in some way.

        Each concept adds evidence: its words as typed, else (counting for less) a typo's
        correction or its synonyms and topics, so a broad expansion never outranks the
        precise word. Query words that sit together in the activity's text add a bonus,
        and the total is scaled by the share of concepts the activity covers, so the best
        matches come first and partial ones follow instead of vanishing.
        """
        total = np.zeros(self._count, dtype=np.float32)
        credit = np.zeros(self._count, dtype=np.float32)
        firm = np.zeros(self._count, dtype=bool)  # found by some word not guessed from a typo
        complete = np.ones(self._count, dtype=bool)  # every concept found, some way
        dead = False
        for concept in asked:
            score, got, guessed = self._concept(concept)
            total += score
            credit += got
            firm |= (got > 0) & ~guessed
            complete &= got > 0
            dead = dead or not got.any()
        if dead and len(asked) > 1:
            # Part of the query finds nothing at all: a guessed spelling of another part
            # is too weak a reason to show anything ("scuba diving" is not "driving").
            total[~firm] = 0
            credit[~firm] = 0
        for pair in word_pairs(text):
            total += PAIR_WEIGHT * self._weights(PAIRS, pair)
        coverage = credit / max(len(asked), 1)
        return total * coverage**COVERAGE_POWER, coverage, complete

    def _concept(self, concept: Concept) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One concept's score for every activity, its credit (1 for the word as typed,
        less for a correction or a synonym, 0 where it is not found at all), and where it
        was found only through a guessed spelling."""
        own = self._words(concept.stems)
        for pair in concept.together:
            own *= self._weights(PAIRS, pair) > 0
        corrected = self._words(concept.correction) * CORRECTION_WEIGHT
        related = np.zeros(self._count, dtype=np.float32)
        for stems in concept.also:
            related = np.maximum(related, self._words(stems))
        for entry_field, value in (*(("domains", d) for d in concept.domains), *concept.facets):
            docs = self._docs(FACET_OF_FIELD[entry_field], value)
            related = np.maximum(related, docs * DOMAIN_SCORE)
        related *= SYNONYM_WEIGHT
        score = np.where(own > 0, own, np.maximum(corrected, related))
        got = np.select(
            [own > 0, corrected > 0, related > 0], [1.0, CORRECTION_CREDIT, SYNONYM_CREDIT], 0.0
        ).astype(np.float32)
        for domain in concept.avoid:
            opposite = self._docs("domain", domain)
            score[opposite] *= AVOID_FACTOR
            got[opposite] *= AVOID_FACTOR
        return score, got, (own <= 0) & (corrected > 0) & (related <= corrected)

    def _words(self, stems: tuple[str, ...]) -> np.ndarray:
        """How well each activity matches all of ``stems``, over the weighted text fields
        (0 where one of them is missing)."""
        if not stems:
            return np.zeros(self._count, dtype=np.float32)
        total = np.zeros(self._count, dtype=np.float32)
        present = np.ones(self._count, dtype=bool)
        for stem in stems:
            found = np.zeros(self._count, dtype=np.float32)
            for field_name, weight in TEXT_WEIGHTS.items():
                found += weight * self._weights(field_name, stem)
            present &= found > 0
            total += found
        return np.where(present, total, 0.0).astype(np.float32)

    def _weights(self, fieldname: str, text: str) -> np.ndarray:
        """A term's BM25F weight in every activity (0 where it is absent)."""
        posting = self._posting(fieldname, text)
        weights = np.zeros(self._count, dtype=np.float32)
        weights[posting.docs] = posting.weights
        return weights

    def _is_unknown(self, part: str) -> bool:
        """A single word that no activity uses and that synonyms.yaml doesn't know either."""
        if " " in part or part in synonyms() or not part.isalpha():
            return False
        stems = [token.text for token in STEMMED(part)]
        reader = self._searcher.reader()
        return bool(stems) and not any((f, stems[0]) in reader for f in TEXT_WEIGHTS)

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


def _corrected(text: str, asked: list[Concept]) -> str | None:
    """ "Did you mean": the query with each unknown word replaced by its correction."""
    fixes = {c.text: c.corrected_to for c in asked if c.corrected_to}
    if not fixes:
        return None
    return " ".join(fixes.get(normalise(word), word) for word in text.casefold().split())


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


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'‘“(])")
SNIPPET_CHARS = 240


def _snippet(stored: dict[str, Any], words: set[str]) -> str:
    """Whole sentences from the summary or details that hold the most of the words
    searched for, with those words marked; the summary if none do."""
    best: tuple[int, list[str]] = (0, [])
    for field_name in ("summary", "details"):  # the summary wins a tie
        sentences = _SENTENCE_END.split(" ".join(str(stored.get(field_name) or "").split()))
        for number, sentence in enumerate(sentences):
            found = len(words & {token.text for token in STEMMED(sentence)})
            if found > best[0]:
                best = (found, _with_next(sentences, number))
    chosen = best[1] or [stored["summary"]]
    text = " ".join(chosen)
    marked = highlight.highlight(text, words, STEMMED, highlight.WholeFragmenter(), _Mark())
    return marked or highlight.htmlescape(text)


def _with_next(sentences: list[str], index: int) -> list[str]:
    """The sentence, and the next if both fit: a snippet never stops mid-sentence."""
    chosen = [sentences[index]]
    following = sentences[index + 1 : index + 2]
    if following and len(chosen[0]) + len(following[0]) < SNIPPET_CHARS:
        chosen += following
    return chosen


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
