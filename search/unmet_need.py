"""Anonymous counts of searches that found nothing, and what people told us they wanted.

Only the normalised words, the filters and the day are kept: no IP address, no cookie, no
time of day, nothing that identifies a person. Commissioners read it with
``healthdir report unmet-need`` to see where provision is missing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from search.synonyms import normalise

MAX_QUERY_CHARS = 100
MAX_MESSAGE_CHARS = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS zero_results (
    day TEXT NOT NULL, query TEXT NOT NULL, filters TEXT NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (day, query, filters)
);
CREATE TABLE IF NOT EXISTS told_us (
    id INTEGER PRIMARY KEY, day TEXT NOT NULL, query TEXT NOT NULL, filters TEXT NOT NULL,
    message TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Need:
    query: str
    filters: str
    searches: int
    first_day: str
    last_day: str


@dataclass(frozen=True)
class ToldUs:
    day: str
    query: str
    filters: str
    message: str


class UnmetNeed:
    """The store: one small SQLite file, safe for several threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            db.executescript(_SCHEMA)
            with db:
                yield db

    def record_zero_results(self, query: str, filters: dict[str, str], day: date) -> None:
        """Count a search that found nothing (searches of only punctuation are not counted)."""
        if not _clean(query) and not filters:
            return
        with self._db() as db:
            db.execute(
                "INSERT INTO zero_results VALUES (?, ?, ?, 1) ON CONFLICT (day, query, filters) "
                "DO UPDATE SET count = count + 1",
                (day.isoformat(), _clean(query), _filters(filters)),
            )

    def record_told_us(self, query: str, filters: dict[str, str], message: str, day: date) -> None:
        text = " ".join(message.split())[:MAX_MESSAGE_CHARS]
        with self._db() as db:
            db.execute(
                "INSERT INTO told_us (day, query, filters, message) VALUES (?, ?, ?, ?)",
                (day.isoformat(), _clean(query), _filters(filters), text),
            )

    def needs(self, since: date | None = None) -> list[Need]:
        """Searches that found nothing, most frequent first."""
        with self._db() as db:
            rows = db.execute(
                "SELECT query, filters, SUM(count), MIN(day), MAX(day) FROM zero_results "
                "WHERE day >= ? GROUP BY query, filters ORDER BY SUM(count) DESC, query",
                ((since or date.min).isoformat(),),
            ).fetchall()
        return [Need(*row) for row in rows]

    def told_us(self, since: date | None = None) -> list[ToldUs]:
        with self._db() as db:
            rows = db.execute(
                "SELECT day, query, filters, message FROM told_us WHERE day >= ? "
                "ORDER BY day DESC, id DESC",
                ((since or date.min).isoformat(),),
            ).fetchall()
        return [ToldUs(*row) for row in rows]


def _clean(query: str) -> str:
    return normalise(query)[:MAX_QUERY_CHARS]


def _filters(filters: dict[str, str]) -> str:
    return "&".join(f"{key}={value}" for key, value in sorted(filters.items()))[:200]
