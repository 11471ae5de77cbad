"""Build the site and its search index into temporary folders, then swap both in.

A failed build never touches what is already published: Pelican writes into a fresh
folder beside the output, the index is written beside the live one, and only when both
are complete do they replace what is there. The index is written in a second process
while Pelican renders, so a build uses both of a small server's cores.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import logging
import multiprocessing
import os
import shutil
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from pelican import Pelican

from entries import Directory, Problem, clock, load_directory
from entries.atomic import staging_folder, swap_into_place
from entries.site_settings import public_url, site_path, site_settings
from open_data.writer import own_pages, write_open_data
from plugins.healthdir_directory import BUILD_DATE, OPEN_DATA_WRITTEN, PRELOADED
from search import write_index


class BuildFailed(Exception):
    """The build stopped; the published output was left as it was."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


def build(
    root: Path, output: Path, today: date | None = None, index: Path | None = None
) -> Directory:
    """Check the content in ``root``, build the site and its search index, publish both.

    The index goes to the site's ``SEARCH_INDEX`` folder unless ``index`` says otherwise.
    """
    today = today or clock.today()
    settings = site_settings(root)
    directory, problems = load_directory(root, settings, today=today)
    if problems:
        raise BuildFailed("The content has problems, so nothing was published.", problems)

    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    live_index = (index or site_path(root, settings, "SEARCH_INDEX")).resolve()
    staging = staging_folder(output)
    index_staging = staging_folder(live_index)
    try:
        data = (
            directory,
            staging,
            public_url(settings),
            settings["SITENAME"],
            own_pages(Path(settings["PATH"])),
        )
        with _alongside(_index_and_data, directory, index_staging, data) as indexed:
            _run_pelican(root, staging, directory, today)
        indexed.result()
        swap_into_place(staging, output)
        swap_into_place(index_staging, live_index)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(index_staging, ignore_errors=True)
        raise
    return directory


def _run_pelican(root: Path, staging: Path, directory: Directory, today: date) -> None:
    settings = site_settings(
        root,
        OUTPUT_PATH=str(staging),
        **{PRELOADED: directory, OPEN_DATA_WRITTEN: True, BUILD_DATE: today},
    )
    errors = _ErrorCounter()
    logging.getLogger().addHandler(errors)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            Pelican(settings).run()
    except Exception as exc:
        raise BuildFailed(f"Pelican could not build the site: {exc}") from exc
    finally:
        logging.getLogger().removeHandler(errors)
    if errors.messages:
        raise BuildFailed("Pelican reported errors: " + "; ".join(errors.messages))
    os.chmod(staging, 0o755)  # mkdtemp makes it private; a web server must read it


def _index_and_data(directory: Directory, index_folder: Path, data: tuple[Any, ...]) -> None:
    """The second process's share of a build: the search index, then the open data."""
    write_index(directory, index_folder)
    write_open_data(*data)


@contextlib.contextmanager
def _alongside(task: Callable[..., Any], *args: Any) -> Iterator[Future[Any]]:
    """Run ``task(*args)`` in a forked process while the ``with`` block runs.

    Forking shares the loaded directory with the child without copying it; where fork is
    not available the task simply runs first, in this process.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        done: Future[Any] = Future()
        done.set_result(task(*args))
        yield done
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        1, mp_context=context, initializer=_die_with_parent, initargs=(os.getpid(),)
    ) as pool:
        yield pool.submit(task, *args)


def _die_with_parent(parent: int) -> None:
    """In the worker: end when the build process ends, even if it is killed outright.

    Otherwise a ``kill -9`` of ``healthdir build`` leaves the worker waiting on its pipe
    for ever. Linux only (``PR_SET_PDEATHSIG``); elsewhere the worker ends with its pipe.
    """
    with contextlib.suppress(AttributeError, OSError):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the build died before the line above took effect
        os._exit(1)


class _ErrorCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
