"""``healthdir serve`` on every core: worker processes sharing one listening socket.

Why: Python runs one thread at a time in a process, so one process answers one search at
a time however many cores the machine has, and ten link workers searching at once queue
behind each other (issue 12). Each worker is a copy of the app, forked once it is set up,
so all of them sign form tokens and links with the same secret and the queue's leftovers
are cleared once; each opens the search index for itself as it starts. The forms' rate
limit is counted by one process for all of them (:mod:`service.rate_counts`); the
unmet-need store (SQLite) and the registration queue (atomic renames) were already safe
for several processes.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import wait
from typing import Any

import waitress
from waitress.server import create_server

from search.querying import MissingIndex
from service import rate_counts

PR_SET_PDEATHSIG = 1  # Linux's prctl option: a signal for this process when its parent dies
RESTART_PAUSE = 1.0  # seconds before a worker that stopped is started again


def default_workers() -> int:
    """One worker per core this process may use."""
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    return len(cores) if cores else os.cpu_count() or 1


def serve(make_app: Callable[[str], Any], host: str, port: int, workers: int, threads: int) -> None:
    """Serve ``make_app(rate_counts)`` at ``host``:``port`` from ``workers`` processes
    (one, in this process, where there is no ``fork``) of ``threads`` threads each."""
    if hasattr(signal, "SIGPIPE"):  # the command line ends quietly on a closed pipe; a
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # server must outlive a visitor leaving
    if workers <= 1 or not hasattr(os, "fork"):
        waitress.serve(
            _ready(make_app(rate_counts.IN_THIS_PROCESS)),
            host=host,
            port=port,
            threads=threads,
            ident="healthdir",
        )
        return
    counter, counts_uri = rate_counts.start(_die_with_parent)
    app = make_app(counts_uri)
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    listener = socket.create_server((host, port), family=family, backlog=1024)
    context = multiprocessing.get_context("fork")

    def start() -> multiprocessing.process.BaseProcess:
        worker = context.Process(target=_work, args=(app, listener, threads), daemon=True)
        worker.start()
        return worker

    signal.signal(signal.SIGTERM, _stop)
    running = [start() for _ in range(workers)]
    try:
        while True:
            wait([worker.sentinel for worker in running])
            for number, worker in enumerate(running):
                if not worker.is_alive():
                    print(f"A worker stopped (exit code {worker.exitcode}); starting another.")
                    time.sleep(RESTART_PAUSE)
                    running[number] = start()
    except KeyboardInterrupt:
        pass
    finally:
        for worker in running:
            worker.terminate()
        for worker in running:
            worker.join()
        counter.shutdown()


def _stop(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def _work(app: Any, listener: socket.socket, threads: int) -> None:
    """A worker: dies with the main process, opens the index, then answers requests."""
    _die_with_parent()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C: the main process stops us
    taking(_ready(app), listener, threads).run()


def _ready(app: Any) -> Any:
    """``app`` with its search index open, so that no visitor waits for it. What it read
    stays until the next build, so the garbage collector is told to leave it alone: a
    full collection walking it stopped every search in the worker for 50 ms."""
    with contextlib.suppress(MissingIndex):  # not built yet: searches say so
        app.extensions["healthdir"]["search"].open()
    gc.freeze()
    return app


def taking(app: Any, listener: socket.socket, threads: int) -> Any:
    """A waitress server for ``app`` on the shared ``listener`` that takes a new
    connection only while it is answering no request.

    Every worker waits on the one socket and whichever wakes first takes a visitor, so
    without this ten searches at once often queued four or five behind one busy worker
    while the other had nothing to do: the slowest searches took twice as long as they
    needed. Now a busy worker leaves new visitors to an idle one, or in the socket's
    queue for the first to finish (issue 12). A visitor's next request on a connection
    kept open is still answered by the worker that has it."""
    answering = _Answering(app)
    server = create_server(answering, sockets=[listener], threads=threads, ident="healthdir")
    answering.server = server
    accepting = server.readable
    server.readable = lambda: accepting() and answering.count == 0
    return server


class _Answering:
    """The app, counting the requests it is answering; each done wakes the server, to
    take a new connection if that was the last."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.count = 0
        self.server: Any = None
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        self._add(1)
        try:
            body = self.app(environ, start_response)
        except BaseException:
            self.done()
            raise
        if isinstance(body, environ["wsgi.file_wrapper"]):  # a file: the server sends it
            self.done()  # without this thread, so as it is (not wrapped) and done now
            return body
        return _Body(body, self)

    def _add(self, number: int) -> None:
        with self._lock:
            self.count += number

    def done(self) -> None:
        self._add(-1)
        self.server.pull_trigger()


class _Body:
    """A response body that tells :class:`_Answering` when the server has sent it."""

    def __init__(self, body: Any, answering: _Answering) -> None:
        self._body = body
        self._answering = answering

    def __iter__(self) -> Any:
        return iter(self._body)

    def close(self) -> None:
        try:
            if hasattr(self._body, "close"):
                self._body.close()
        finally:
            self._answering.done()


def _die_with_parent() -> None:
    """End this process when the one that started it ends, even if it was killed
    (SIGKILL): a worker left behind would go on answering on the port. On Linux the
    kernel does it; elsewhere a thread checks twice a second."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    else:
        threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # it ended before we asked
        os._exit(1)


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
