"""The words the activities use, as written, for "did you mean" and for typos.

Why not a field of the Whoosh index: a field keeps a posting for every word of every
activity, and those postings were almost a third of an index's, and of the time writing it
took, when all a suggestion needs is each word and how often it is used. So the index
folder holds one small file of words and their counts beside the index, made as the
activities are indexed. Suggestions are ranked as Whoosh ranked them from that field:
among the words within the edit distance asked for (sharing the first letters asked for),
the most used first, and then A to Z.
"""

from __future__ import annotations

import bisect
import json
import os
from collections import Counter
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from search.fields import WORDS

WORDS_FILE = "words.json"
DECIMALS = 6  # counts are weighted by the activity's boost: kept to this many places


class Vocabulary:
    """Each word the activities use and how often, each use weighted by its activity's
    boost (as Whoosh weighed a field's terms)."""

    def __init__(self, counts: dict[str, float] | None = None) -> None:
        self._counts: Counter[str] = Counter(counts or {})
        self._sorted: list[str] | None = None

    def add(self, text: str, boost: float = 1.0) -> None:
        """Count the words of one activity's ``text``."""
        for word, times in Counter(t.text for t in WORDS(text, mode="index")).items():
            self._counts[word] += times * boost
        self._sorted = None

    def __contains__(self, word: str) -> bool:
        return word in self._counts

    def write(self, folder: Path) -> None:
        """Write the words into the index ``folder`` (being built: swapped in later)."""
        counts = {word: round(n, DECIMALS) for word, n in sorted(self._counts.items())}
        path = folder / WORDS_FILE
        path.write_text(json.dumps(counts, ensure_ascii=False, separators=(",", ":")))
        os.chmod(path, 0o644)

    @classmethod
    def read(cls, folder: Path) -> Vocabulary:
        """The words written in the index ``folder``; none if it has no file of them."""
        try:
            return cls(json.loads((folder / WORDS_FILE).read_text()))
        except FileNotFoundError:
            return cls()

    def swapped(self, word: str, limit: int) -> list[str]:
        """Up to ``limit`` words that are ``word`` with two letters next to each other
        swapped ("lonley"), the most used first: the commonest typo, and two edits to
        :meth:`suggest`."""
        swaps = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
        found = sorted((-self._counts[w], w) for w in swaps - {word} if w in self._counts)
        return [w for _n, w in found[:limit]]

    def suggest(self, word: str, limit: int, maxdist: int, prefix: int) -> list[str]:
        """Up to ``limit`` words within ``maxdist`` edits of ``word`` that begin with its
        first ``prefix`` letters: the most used first, then A to Z."""
        if self._sorted is None:
            self._sorted = sorted(self._counts)
        start = bisect.bisect_left(self._sorted, word[:prefix])
        end = bisect.bisect_left(self._sorted, word[:prefix] + "\uffff") if prefix else None
        found = process.extract(
            word,
            self._sorted[start:end],
            scorer=Levenshtein.distance,
            score_cutoff=maxdist,
            limit=None,
        )
        # Whoosh kept the five best of (weight, word), then put them in order of weight
        # and A to Z: of equally used words, the last in A to Z made the five.
        best = sorted(((self._counts[w], w) for w, _distance, _at in found), reverse=True)
        return [w for _n, w in sorted(best[:limit], key=lambda c: (-c[0], c[1]))]
