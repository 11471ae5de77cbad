"""Answering searches: synonyms, typo tolerance, filters, facets, suggestions, snippets.

Whoosh analyses the words, stores the index, gives each posting its BM25F weight,
suggests spellings and highlights snippets. Combining a query's postings is done here,
with NumPy, from postings read once per index and kept in memory: Whoosh's collectors are
pure Python and, once synonyms expand a query, too slow at 10,000 activities for a search
that must answer in milliseconds (see ``benchmarks/search_speed.py``).
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import highlight, index
from whoosh.lang.porter import stem
from whoosh.searching import Searcher

from entries.i18n import gettext
from entries.places import Point, postcode_point
from entries.summary import ActivitySummary, from_index
from search.concepts import Concept, concepts
from search.distance import (
    DEFAULT_WITHIN,
    SORTS,
    UnknownPlace,
    band,
    distances,
    miles_text,
    no_venue_label,
    relevance_tier,
)
from search.facets import FACET, FACET_OF_FIELD, FACETS, Filters
from search.fields import PAIRS, STEMMED, TEXT_WEIGHTS, stem_set, word_pairs
from search.spelling import Vocabulary
from search.synonyms import Expansion, expansion, normalise
from search.understanding import understand

MAX_QUERY_CHARS = 200
MIN_TYPO_CHARS = 5  # shorter words have too many near neighbours to guess from
MAX_TYPO_CHARS = 20  # longer "words" are not misspellings of anything
# How much each way of matching a concept counts: as a share of its score (weight) and of
# the "how much of the query does it cover" credit. A word as typed counts in full.
CORRECTION_WEIGHT, CORRECTION_CREDIT = 0.6, 0.8  # the nearest real word, for a typo
SYNONYM_WEIGHT, SYNONYM_CREDIT = 0.3, 0.8  # a word found only through synonyms.yaml
SAME_WEIGHT = 0.9  # another way of writing the same thing (synonyms.yaml's "same")
DOMAIN_SCORE = 1.0  # an activity in a topic the word names (before SYNONYM_WEIGHT)
AVOID_FACTOR = 0.35  # an activity in a topic that offers the opposite of what is meant
FILLER_WEIGHT = 0.1  # a filler word ("club", "group") found: a little evidence
PAIR_WEIGHT = 0.2  # query words found next to each other, in order
MIN_COMPOUND_PART = 3  # "foodbank" → "food bank"; no part shorter than this
COVERAGE_POWER = 3.0  # an activity covering more of the query's concepts ranks higher
# How much a concept counts towards coverage is its inverse document frequency, at least
# MIN_IMPORTANCE; a concept no activity writes as typed (an everyday phrase, a typo) is
# what only the thesaurus can answer, and counts UNSEEN times the rarest word.
MIN_IMPORTANCE, UNSEEN = 0.3, 2.0
# A looser match's credit towards coverage falls from full, for a word at most
# SPECIFIC_SHARE of activities use (in a small directory, SPECIFIC_USERS of them, up to
# MAX_SPECIFIC_SHARE), to MIN_SPECIFICITY for one that all of them use.
SPECIFIC_SHARE, SPECIFIC_USERS, MAX_SPECIFIC_SHARE, MIN_SPECIFICITY = 0.02, 20, 0.35, 0.2
MAX_SNIPPETS = 20_000
MAX_SPLIT = 2_000  # activities whose sentences are kept (about 5 KB each)
# BM25F (one saturation over all the text fields): how soon a word's repeats stop
# counting (K1), and how much a longer text's words count for less in each field
# (FIELD_B): not in names, which are short anyway, so a name's word always counts most.
K1 = 1.2
FIELD_B = {"name_text": 0.0, "org_text": 0.0, "summary_text": 0.3, "body": 0.75}
MAX_CACHED = 4_000  # words' weights (10,000 activities: 40 KB each) and corrections kept


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
    distance_miles: float | None = None  # from the place searched near; None: no venue
    distance_text: str = ""  # "0.8 miles", or "Online", "Comes to you"…

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
            "distance_miles": self.distance_miles,
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
    near: str = ""  # the place distances are from, as the person wrote it
    within: float | None = None
    sort: str = "relevance"
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
            "near": self.near,
            "within": self.within,
            "sort": self.sort,
        }


@dataclass(frozen=True)
class _Posting:
    docs: np.ndarray  # the documents that have the term
    weights: np.ndarray  # its BM25 weight in each (Whoosh's; pairs of words only)
    counts: np.ndarray  # how often the term occurs in each (times the document's boost)


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
        self._split: dict[int, list[_Sentences]] = {}
        # Kept between searches (and cleared when full): each word's weight in every
        # activity, and each typo's correction, both slow to work out afresh.
        self._word_weights: dict[str, np.ndarray] = {}
        self._pairs: dict[str, np.ndarray] = {}  # a pair of stems -> the documents it is in
        self._lengths: dict[str, np.ndarray] = {}  # each text field's length ÷ its average
        self._corrections: dict[tuple[str, tuple[str, ...]], str | None] = {}
        self._words = Vocabulary()  # the words activities use as written, for typos
        self._stored: dict[int, dict[str, Any]] = {}
        self._facet_docs: dict[str, dict[str, np.ndarray]] = {}
        self._by_name = np.zeros(0, dtype=np.int64)
        self._name_rank = np.zeros(0, dtype=np.int64)
        self._language_names: dict[str, str] = {}
        self._places: dict[str, str] = {}  # an area's name, normalised -> its locality id
        self._lat = self._lon = np.zeros(0, dtype=np.float32)
        self._live = np.zeros(0, dtype=bool)  # the documents not deleted
        self._locality_points: dict[str, Point] = {}

    def search(
        self,
        text: str,
        filters: Filters | None = None,
        limit: int = 20,
        *,
        near: str = "",
        within: float | None = None,
        sort: str = "relevance",
    ) -> SearchResults:
        """Ranked activities for ``text`` (which may be empty) narrowed by ``filters``.

        A place after "in" or "near", and days, become filters (``understood``), unless
        that filter is already chosen; a postcode in the words is taken as ``near``. With
        ``near`` (a postcode, sector, district or area name), activities further than
        ``within`` miles are left out and the rest ordered by relevance within distance
        bands, or by distance (``sort``). :class:`UnknownPlace` if ``near`` is not one.
        """
        filters = filters or Filters()
        text = " ".join(str(text).split())[:MAX_QUERY_CHARS]
        sort = sort if sort in SORTS else "relevance"
        with self._lock:
            self._current()
            said = understand(text, self._places, find_postcode=not near)
            understood = {k: v for k, v in said.filters.items() if not filters.get(k)}
            if understood or said.near:
                text = said.text
                filters = Filters(**filters.values, **understood)
                near = near or said.near
            origin = self._place(near) if near else None
            if origin is not None:
                within = within or DEFAULT_WITHIN
                miles = distances(self._lat, self._lon, origin)
                reachable = np.isnan(miles) | (miles <= within)
            else:
                miles, reachable, within = None, self._all(), None
            by_facet = self._allowed_by_facet(filters)
            allowed = functools.reduce(np.logical_and, by_facet.values(), self._all())
            if text:
                asked = concepts(
                    text,
                    self._is_unknown,
                    self._corrected_word,
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
            text_matched &= reachable
            matched = text_matched & allowed
            top = self._top(matched, scores, limit, miles, within, sort)
            words = {
                stem
                for c in asked
                for stem in (*c.stems, *c.correction, *sum(c.same, ()), *sum(c.also, ()))
            }
            results = [
                self._result(
                    doc,
                    float(scores[doc]) if scores is not None else 0.0,
                    words,
                    None if miles is None else float(miles[doc]),
                )
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
                understood={**understood, **({"near": [near]} if said.near else {})},
                labels={"language": dict(self._language_names)},
                near=near,
                within=within,
                sort=sort,
            )

    def open(self) -> None:
        """Open the index now, so the first search does not wait for it (a worker of the
        service opens its own as it starts). :class:`MissingIndex` if there is none."""
        with self._lock:
            self._current()

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
        self._word_weights = {}
        self._pairs = {}
        self._corrections = {}
        self._words = Vocabulary.read(self.path)
        self._snippets = {}
        self._split = {}
        self._lengths = {name: _relative_lengths(reader, name) for name in TEXT_WEIGHTS}
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
        stored = list(reader.iter_docs())  # not those deleted by an incremental build
        self._stored = dict(stored)  # read once: results need them on every search
        self._live = np.zeros(self._count, dtype=bool)
        self._live[list(self._stored)] = True
        by_name = sorted((fields["name"].casefold(), doc) for doc, fields in stored)
        self._by_name = np.array([doc for _, doc in by_name], dtype=np.int64)
        self._name_rank = np.empty(self._count, dtype=np.int64)
        self._name_rank[self._by_name] = np.arange(len(self._by_name))
        self._lat = np.full(self._count, np.nan, dtype=np.float32)
        self._lon = np.full(self._count, np.nan, dtype=np.float32)
        for doc, fields in stored:
            if point := fields.get("point"):
                self._lat[doc], self._lon[doc] = point
        self._locality_points = _centres(stored)
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
        weights = 0.0
        for concept in asked:
            score, got, guessed, users = self._concept(concept)
            weight = _importance(users, max(self._count, 1))
            if concept.optional:
                total += FILLER_WEIGHT * weight * score
                continue
            total += weight * score
            credit += weight * got
            weights += weight
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
        coverage = credit / max(weights, 1e-9)
        return total * coverage**COVERAGE_POWER, coverage, complete

    def _concept(self, concept: Concept) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        """One concept's score for every activity, its credit (1 for the word as typed,
        less for a correction or a synonym, 0 where it is not found at all), where it
        was found only through a guessed spelling, and how many activities write it as
        typed."""
        own = self._phrase(concept.stems)
        users = int(np.count_nonzero(own))
        for left, right in self._compounds(concept.text):
            own = np.maximum(own, self._phrase((left, right)))  # "foodbank" is "food bank"
        corrected = self._phrase(concept.correction)
        # Other ways of writing it ("persistent pain" for "chronic pain", "CAB"), or of
        # writing the word a typo meant.
        for stems in concept.same:
            same = self._phrase(stems) * SAME_WEIGHT
            if concept.corrected_to:
                corrected = np.maximum(corrected, same)
            else:
                own = np.maximum(own, same)
        corrected *= CORRECTION_WEIGHT
        related, telling = self._related(concept.also)
        for entry_field, value in (*(("domains", d) for d in concept.domains), *concept.facets):
            docs = self._docs(FACET_OF_FIELD[entry_field], value)
            related = np.maximum(related, docs * DOMAIN_SCORE)
            telling = np.maximum(telling, docs * self._specificity(docs))
        related *= SYNONYM_WEIGHT
        score = np.where(own > 0, own, np.maximum(corrected, related))
        got = np.select(
            [own > 0, corrected > 0, related > 0],
            [1.0, CORRECTION_CREDIT, SYNONYM_CREDIT * telling],
            0.0,
        ).astype(np.float32)
        for domain in concept.avoid:
            opposite = self._docs("domain", domain)
            score[opposite] *= AVOID_FACTOR
            got[opposite] *= AVOID_FACTOR
        return score, got, (own <= 0) & (corrected > 0) & (related <= corrected), users

    def _phrase_often(self, stems: tuple[str, ...]) -> np.ndarray:
        """How often each activity uses a thesaurus word or phrase (``_often``): a
        phrase's words counted only where they stand side by side ("memory loss"), as
        often as its rarest word."""
        if len(stems) == 1:
            return self._often(stems[0])
        found = functools.reduce(np.minimum, (self._often(word) for word in stems))
        for left, right in itertools.pairwise(stems):
            found = found * self._beside(f"{left}_{right}")
        return found

    def _specificity(self, found: np.ndarray) -> float:
        """How telling a looser match is, from how many activities it reaches: 1 for a
        word few use, less for one most listings use ("advice", "community"), so that a
        broad synonym does not make an activity look as if it covered the query."""
        count = max(self._count, 1)
        share = max(int(np.count_nonzero(found)), 1) / count
        telling = min(max(SPECIFIC_SHARE, SPECIFIC_USERS / count), MAX_SPECIFIC_SHARE)
        return float(np.clip(np.log(share) / np.log(telling), MIN_SPECIFICITY, 1.0))

    def _compounds(self, text: str) -> list[tuple[str, str]]:
        """Ways a word written as one ("foodbank") is two words activities write side by
        side ("food bank"), as the stems of those two words."""
        if " " in text or len(text) < 2 * MIN_COMPOUND_PART or not text.isalpha():
            return []
        reader = self._searcher.reader()
        found = []
        for cut in range(MIN_COMPOUND_PART, len(text) - MIN_COMPOUND_PART + 1):
            left, right = stem(text[:cut]), stem(text[cut:])
            if (PAIRS, f"{left}_{right}") in reader:
                found.append((left, right))
        return found

    def _corrected_word(self, word: str, neighbours: tuple[str, ...]) -> str | None:
        key = (word, neighbours)
        if key not in self._corrections:
            if len(self._corrections) > MAX_CACHED:
                self._corrections.clear()
            self._corrections[key] = _correction(self._searcher, self._words, word, neighbours)
        return self._corrections[key]

    def _word(self, word: str) -> np.ndarray:
        """One stem's weight in every activity: BM25F over the weighted text fields.

        Its occurrences in each field, weighted by the field and normalised by the field's
        length, are added up before they saturate, once: a word in an activity's name,
        provider's name and summary is one piece of evidence, not three, and the words it
        does not repeat decide between such activities.
        """
        often = self._often(word)
        return _saturated(often, _idf(int(np.count_nonzero(often)), self._count))

    def _often(self, word: str) -> np.ndarray:
        """How often a stem occurs in every activity, weighted by field and normalised by
        each field's length (BM25F's term frequency, before it saturates)."""
        if word not in self._word_weights:
            if len(self._word_weights) > MAX_CACHED:
                self._word_weights.clear()
            often = np.zeros(self._count, dtype=np.float32)
            for field_name, weight in TEXT_WEIGHTS.items():
                posting = self._posting(field_name, word)
                b = FIELD_B[field_name]
                norm = 1 - b + b * self._lengths[field_name][posting.docs]
                often[posting.docs] += weight * posting.counts / norm
            self._word_weights[word] = often
        return self._word_weights[word]

    def _related(self, also: tuple[tuple[str, ...], ...]) -> tuple[np.ndarray, np.ndarray]:
        """How well each activity matches a concept's thesaurus words, and how telling
        the most telling one it uses is.

        The words are one term, as in a synonym query: their occurrences add up before
        they saturate, under one inverse document frequency (the mean of theirs), so a
        rare side word ("conversation") is no stronger evidence of the need than the word
        groups commonly use for it ("befriending"), and an activity that speaks of the
        need in several ways beats one that mentions it in passing. A word most
        activities use counts for less in that sum.
        """
        often = np.zeros(self._count, dtype=np.float32)
        telling = np.zeros(self._count, dtype=np.float32)
        idfs = []
        for stems in dict.fromkeys(also):
            found = self._phrase_often(stems)
            users = int(np.count_nonzero(found))
            if users:
                specific = self._specificity(found)
                often += specific * found
                telling = np.maximum(telling, (found > 0) * specific)
                idfs.append(_idf(users, self._count))
        return _saturated(often, float(np.mean(idfs)) if idfs else 0.0), telling

    def _phrase(self, stems: tuple[str, ...]) -> np.ndarray:
        """How well each activity matches a word, or a phrase's words side by side (a
        phrase counts as often as its rarest word: a listing full of "food" that says
        "food bank" once is not a food bank)."""
        if not stems:
            return np.zeros(self._count, dtype=np.float32)
        if len(stems) == 1:
            return self._word(stems[0])
        often = self._phrase_often(stems)
        return _saturated(often, _idf(int(np.count_nonzero(often)), self._count))

    def _weights(self, fieldname: str, text: str) -> np.ndarray:
        """A term's BM25F weight in every activity (0 where it is absent)."""
        posting = self._posting(fieldname, text)
        weights = np.zeros(self._count, dtype=np.float32)
        weights[posting.docs] = posting.weights
        return weights

    def _beside(self, pair: str) -> np.ndarray:
        """Where a pair of stems stands side by side (``"walk_group"``), as a mask. Only
        the documents are read, not their weights: scoring each posting in Whoosh was
        most of the work of a search with words not searched for before."""
        if pair not in self._pairs:
            if len(self._pairs) > MAX_CACHED:
                self._pairs.clear()
            searcher = self._searcher
            known = (PAIRS, pair) in self._postings
            if known or (PAIRS, pair) not in searcher.reader():
                docs = self._posting(PAIRS, pair).docs
            else:  # the searcher's: it leaves out documents deleted by a rebuild
                docs = np.fromiter(searcher.postings(PAIRS, pair).all_ids(), dtype=np.int64)
            self._pairs[pair] = docs
        mask = np.zeros(self._count, dtype=bool)
        mask[self._pairs[pair]] = True
        return mask

    def _is_unknown(self, part: str) -> bool:
        """A single word that no activity uses and that synonyms.yaml doesn't know either."""
        if " " in part or expansion(part) is not None or not part.isalpha():
            return False
        stems = [token.text for token in STEMMED(part)]
        reader = self._searcher.reader()
        return bool(stems) and not any((f, stems[0]) in reader for f in TEXT_WEIGHTS)

    def _posting(self, fieldname: str, text: str) -> _Posting:
        """The documents a term is in, how often it occurs in each and, for a pair of
        words, its BM25 weight in each (the text fields' are worked out here, from the
        counts, so Whoosh's per-posting scoring is not wanted): read once, then kept."""
        key = (fieldname, text)
        if key not in self._postings:
            searcher = self._searcher
            docs: list[int] = []
            weights: list[float] = []
            counts: list[float] = []
            if key in searcher.reader():
                # The searcher's, not the reader's: an index an incremental build
                # updated has several segments, and documents deleted from them.
                matcher = searcher.postings(fieldname, text)
                scored = fieldname == PAIRS
                while matcher.is_active():
                    docs.append(matcher.id())
                    if scored:
                        weights.append(matcher.score())
                    counts.append(matcher.weight())
                    matcher.next()
            self._postings[key] = _Posting(
                np.array(docs, dtype=np.int64),
                np.array(weights, dtype=np.float32),
                np.array(counts, dtype=np.float32),
            )
        return self._postings[key]

    def _mask(self, posting: _Posting) -> np.ndarray:
        mask = np.zeros(self._count, dtype=bool)
        mask[posting.docs] = True
        return mask

    def _top(
        self,
        matched: np.ndarray,
        scores: np.ndarray | None,
        limit: int,
        miles: np.ndarray | None = None,
        within: float | None = None,
        sort: str = "relevance",
    ) -> list[int]:
        """The best ``limit`` documents: by score (ties A to Z), or A to Z if no words;
        near a place, strong matches before weak ones, each by distance band then score;
        or by distance."""
        candidates = np.flatnonzero(matched)
        score = scores[candidates] if scores is not None else np.zeros(len(candidates))
        keys = [self._name_rank[candidates], -score]
        if miles is not None:
            far = miles[candidates]
            if sort == "distance":
                keys.append(np.where(np.isnan(far), np.inf, far))
            else:
                keys.append(band(far, within or DEFAULT_WITHIN))
                if scores is not None and len(score):
                    keys.append(relevance_tier(score))
        if scores is None and miles is None:
            return self._by_name[matched[self._by_name]][:limit].tolist()
        if len(candidates) > limit and miles is None:
            best = np.argpartition(-score, limit)[:limit]
            candidates, keys = candidates[best], [key[best] for key in keys]
        order = np.lexsort(keys)
        return candidates[order][:limit].tolist()

    def _result(self, doc: int, score: float, words: set[str], miles: float | None) -> Result:
        """A result, with the words searched for marked in its summary or details, and its
        distance when the search is near a place."""
        key = (doc, frozenset(words))
        if key not in self._snippets:  # the same search again needs no new highlighting
            if len(self._snippets) > MAX_SNIPPETS:
                self._snippets.clear()
            self._snippets[key] = _snippet(self._sentences(doc), self._stored[doc], words)
        result = _result(self._stored[doc], score, self._snippets[key])
        if miles is None:
            return result
        if np.isnan(miles):
            delivery = [v for v, docs in self._facet_docs["delivery"].items() if docs[doc]]
            return replace(result, distance_text=no_venue_label(delivery))
        rounded = round(miles, 1)
        return replace(result, distance_miles=rounded, distance_text=miles_text(rounded))

    def _sentences(self, doc: int) -> list[_Sentences]:
        """A document's sentences and the stems in each, made once: finding them is most
        of a snippet's work, and the same activities come up in many searches."""
        if doc not in self._split:
            if len(self._split) > MAX_SPLIT:
                self._split.clear()
            self._split[doc] = _split(self._stored[doc])
        return self._split[doc]

    def place(self, text: str) -> Point:
        """Where ``text`` is: a postcode, sector or district, or one of the area's names
        (the middle of its activities' venues). :class:`UnknownPlace` if it is neither."""
        with self._lock:
            self._current()
            return self._place(text)

    def _place(self, text: str) -> Point:
        found = postcode_point(text) or self._locality_points.get(normalise(text))
        if found is None:
            raise UnknownPlace(
                gettext(
                    "We could not find “%(place)s”. Check the postcode (such as AB1 2CD, or "
                    "just AB1), or use the name of an area in the directory.",
                    place=text,
                )
            )
        return found

    def _all(self) -> np.ndarray:
        return self._live.copy()

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


def _relative_lengths(reader: Any, field_name: str) -> np.ndarray:
    """Each document's length in a field ÷ the field's average length (1 where unknown)."""
    lengths = np.array(
        [reader.doc_field_length(doc, field_name, 0) for doc in range(reader.doc_count_all())],
        dtype=np.float32,
    )
    average = float(lengths.mean()) if len(lengths) else 0.0
    return lengths / average if average else np.ones_like(lengths)


def _idf(users: int, count: int) -> float:
    """BM25's inverse document frequency of a term ``users`` of ``count`` activities use."""
    return float(np.log1p((count - users + 0.5) / (users + 0.5)))


def _saturated(often: np.ndarray, idf: float) -> np.ndarray:
    """BM25's score for a term frequency: each repeat adds less, up to ``idf`` × (K1 + 1)."""
    return (idf * often * (K1 + 1) / (often + K1)).astype(np.float32)


def _importance(users: int, count: int) -> float:
    """How much a concept counts towards coverage: its inverse document frequency, from
    how many activities use its words as typed (at least one; not other ways of writing
    it, nor a typo's correction). A word most listings use ("take", "day") says little
    about which one is wanted, so missing it costs little; a rare word says most."""
    if not users:
        return float(np.log(count)) * UNSEEN
    return max(float(np.log(count / users)), MIN_IMPORTANCE)


def _summary(text: str) -> ActivitySummary:
    """A stored summary, in the language of the search (read once per language)."""
    return from_index(text)


def _centres(stored: list[tuple[int, dict[str, Any]]]) -> dict[str, Point]:
    """Each area's name (normalised) -> the middle of its activities' venues."""
    spots: dict[str, list[tuple[float, float]]] = {}
    for _, fields in stored:
        if fields.get("point") and fields.get("locality_name"):
            spots.setdefault(normalise(fields["locality_name"]), []).append(fields["point"])
    return {
        name: Point(sum(p[0] for p in found) / len(found), sum(p[1] for p in found) / len(found))
        for name, found in spots.items()
    }


def _corrected(text: str, asked: list[Concept]) -> str | None:
    """ "Did you mean": the query with each unknown word replaced by its correction."""
    fixes = [c for c in asked if c.corrected_to]
    if not fixes:
        return None
    meant = normalise(text)
    for concept in fixes:
        meant = re.sub(rf"\b{re.escape(concept.text)}\b", concept.corrected_to, meant, count=1)
    return meant


def _correction(
    searcher: Searcher, words: Vocabulary, word: str, neighbours: tuple[str, ...] = ()
) -> str | None:
    """The nearest real word the activities use (as written, not stemmed), if close enough.

    Of several equally near, the one activities write next to the query's neighbouring
    words wins ("job seaker" → "seeker", not "speaker").
    """
    if not MIN_TYPO_CHARS <= len(word) <= MAX_TYPO_CHARS:
        return None
    distance = 1 if len(word) < 8 else 2
    close = words.suggest(word, limit=5, maxdist=distance, prefix=1)
    if not close and len(word) >= 6:  # letters swapped, as in "lonley"
        swapped = words.suggest(word, limit=5, maxdist=2, prefix=2)
        close = [c for c in swapped if sorted(c) == sorted(word)]
    if not close:  # two letters swapped near the start, or in a shorter word ("wlak")
        close = words.swapped(word, limit=5)
    close = [c for c in close if c != word]
    reader = searcher.reader()
    around = [stem(n) for n in neighbours]
    for candidate in close:
        mine = stem(candidate)
        if any(
            (PAIRS, pair) in reader
            for other in around
            for pair in (f"{other}_{mine}", f"{mine}_{other}")
        ):
            return candidate
    return close[0] if close else None


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'‘“(])")
SNIPPET_CHARS = 240


@dataclass(frozen=True)
class _Sentences:
    """One field's sentences, and the stems of the words in each."""

    texts: list[str]
    stems: list[frozenset[str]]


def _split(stored: dict[str, Any]) -> list[_Sentences]:
    """The summary's sentences, then the details' (the summary wins a tie)."""
    found = []
    for field_name in ("summary", "details"):
        texts = _SENTENCE_END.split(" ".join(str(stored.get(field_name) or "").split()))
        stems = [stem_set(text) for text in texts]
        found.append(_Sentences(texts, stems))
    return found


def _snippet(fields: list[_Sentences], stored: dict[str, Any], words: set[str]) -> str:
    """Whole sentences from the summary or details that hold the most of the words
    searched for, with those words marked; the summary if none do."""
    best: tuple[int, list[str]] = (0, [])
    for sentences in fields:
        for number, stems in enumerate(sentences.stems):
            found = len(words & stems)
            if found > best[0]:
                best = (found, _with_next(sentences.texts, number))
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
        item=_summary(stored["item"]),
        snippet=snippet,
        score=round(score, 4),
        domains=stored["domains"].split(","),
        locality=stored["locality"],
        cost=stored["cost"],
        join=stored["join"],
        last_confirmed=stored["last_confirmed"],
    )
