"""The forms' rate limit, counted once for all the worker processes of ``healthdir serve``.

Flask-Limiter keeps its counts in the memory of one process: with several workers, one
client could send a form as many times more often as there are workers. Here one small
process keeps the counts for all of them, still in memory only (no address is ever
written to disk), and each worker asks it over a local socket. Only forms are limited, so
no search pays for the round trip.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from multiprocessing import get_context
from multiprocessing.managers import BaseManager
from typing import Any, ClassVar

from limits.storage import MemoryStorage, Storage

SCHEME = "healthdir-shared"
IN_THIS_PROCESS = "memory://"  # one process: Flask-Limiter's own counts
_counts: MemoryStorage | None = None


class _Manager(BaseManager):
    pass


def _the_counts() -> MemoryStorage:
    """In the counting process: the one store every worker's proxy refers to."""
    global _counts
    _counts = _counts or MemoryStorage()
    return _counts


_Manager.register("counts", callable=_the_counts)


def start(initializer: Callable[[], None] | None = None) -> tuple[BaseManager, str]:
    """Start the counting process; return it (to shut down) and the storage address for
    ``create_app(rate_counts=…)``. Workers forked from this process can connect to it."""
    manager = _Manager(ctx=get_context("fork"))
    manager.start(initializer)
    return manager, f"{SCHEME}://{manager.address}"


class SharedCounts(Storage):
    """A limits storage that forwards to the counting process (``healthdir-shared://ADDRESS``)."""

    STORAGE_SCHEME: ClassVar[list[str]] = [SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions, **options)
        self.address = uri.split("://", 1)[1]
        self._remote: Any = None
        self._pid = 0

    @property
    def base_exceptions(self) -> tuple[type[Exception], ...]:
        return (OSError, EOFError)

    def _store(self) -> Any:
        if self._pid != os.getpid():  # a forked worker makes its own connection
            manager = _Manager(address=self.address)
            manager.connect()
            self._remote, self._pid = manager.counts(), os.getpid()  # type: ignore[attr-defined]
        return self._remote

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return self._store().incr(key, expiry, amount)

    def get(self, key: str) -> int:
        return self._store().get(key)

    def get_expiry(self, key: str) -> float:
        return self._store().get_expiry(key)

    def check(self) -> bool:
        try:
            return self._store().check()
        except self.base_exceptions:
            return False

    def reset(self) -> int | None:
        return self._store().reset()

    def clear(self, key: str) -> None:
        self._store().clear(key)
