"""Build the site and its search index into temporary folders, then swap both in.

A failed build never touches what is already published: Pelican writes into a folder
beside the output, the index is written beside the live one, and only when both are
complete do they replace what is there. Provider files are checked on both cores, the
index is written in a second process while Pelican renders, and the open data by
whichever of the two is free first, so a build uses both of a small server's cores. After the first build, only what changed
provider files reach is made again (:mod:`healthdir.build_state`, :mod:`entries.outputs`).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import io
import logging
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from pelican import Pelican

import entries
import healthdir
import open_data
import plugins.healthdir_directory
import search
import theme
from entries import Directory, Problem, Provider, clock, load_directory
from entries.atomic import remove_later, staging_folder, swap_into_place
from entries.directory import SETTINGS_FILE, load_domains, load_provider
from entries.outputs import Made, Outputs, Previous, remove_stale
from entries.site_settings import NoPublicAddress, public_url, site_path, site_settings
from healthdir.build_state import (
    BuildState,
    digest,
    folder_identity,
    inputs_fingerprint,
    provider_stats,
    state_after,
)
from open_data.writer import open_data_parts, own_pages
from plugins.healthdir_directory import (
    BUILD_DATE,
    FRAGMENTS,
    OPEN_DATA_WRITTEN,
    OUTPUTS,
    PRELOADED,
)
from search import update_index, write_index
from theme import Fragments

# What a folder a full build's spare is being linked into is called: ``.output.linking-…``.
LINKING = "linking"
# Fewer provider files than this to check are checked here: a second process costs more.
SHARED_CHECKS = 100
# The packages whose code decides what a build writes: a change to any means a full build.
CODE = (entries, open_data, search, theme, plugins.healthdir_directory, healthdir)


class BuildFailed(Exception):
    """The build stopped; the published output was left as it was."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


def build(
    root: Path,
    output: Path,
    today: date | None = None,
    index: Path | None = None,
    preview: str = "",
    full: bool = False,
) -> Directory:
    """Check the content in ``root``, build the site and its search index, publish both.

    The index goes to the site's ``SEARCH_INDEX`` folder unless ``index`` says otherwise.
    A build for publishing needs the site's ``PUBLIC_URL``; a local ``preview`` gives the
    address it is served at instead, so no development address is ever published.
    Unless ``full``, a build after one that left its state (:mod:`healthdir.build_state`)
    makes again only what changed provider files reach, and takes the rest as published.
    The site it replaces is kept beside it as the spare, for the next build to build in;
    after a full build, the new site is linked as the spare in the background instead.
    """
    today = today or clock.today()
    address = {"PUBLIC_URL": preview} if preview else {}
    settings = site_settings(root, **address)
    try:
        base_url = public_url(settings)
    except NoPublicAddress as exc:
        raise BuildFailed(str(exc)) from exc
    output = output.resolve()
    live_index = (index or site_path(root, settings, "SEARCH_INDEX")).resolve()
    inputs = inputs_fingerprint(root / SETTINGS_FILE, settings, CODE)
    stats = provider_stats(Path(settings["PATH"]) / "providers")
    wait_for_spare(output)
    state = BuildState.read(live_index)
    if state and not (output.is_dir() and folder_identity(output) == state.output):
        state = None  # it describes another folder than the published one
    usable = state and not full and state.inputs == inputs and today >= state.today
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_folder(output)
    index_staging = staging_folder(live_index)
    # With no spare to build in, the published site is linked into the staging folder
    # by a process of its own while this one works out what to make (below).
    linking = (
        _Linking(output, staging) if usable and not _spare_fits(output, state, inputs) else None
    )
    written = staging  # where this build writes what it makes
    spare_to_link: _SpareToLink | None = None
    try:
        with _without_collections(freeze=bool(usable)):
            before = state if usable and state.read_details(live_index) else None
            unchanged = before.unchanged(stats) if before else {}
            checking = [p for p in stats if p not in unchanged]
            checked = _checked_on_both_cores(checking, settings, today)
            digests = {path: p.digest for path, p in unchanged.items()}
            digests |= {path: digest for path, (digest, _, _) in checked.items()}
            known = {path: p.data for path, p in unchanged.items()}
            known |= {path: data for path, (_, data, _) in checked.items()}
            directory, problems = load_directory(root, settings, today=today, known=known)
            if problems:
                raise BuildFailed("The content has problems, so nothing was published.", problems)
            _keep_details(
                {path.stem: details for path, (_, _, details) in checked.items()}, directory
            )
            previous = before.previous(output, directory, digests) if before else None

        present = _spare(output, staging, before, inputs)
        if linking and before:  # made beside it, and moved in once the links are there
            present = {path: made.gen for path, made in before.made.items()}
            written = staging_folder(output)
        elif linking:  # the state's details were unreadable: a full build, in a fresh folder
            linking.stop()
            remove_later(staging, output)
            staging = written = staging_folder(output)
        outputs = (previous, (state.gen if state else 0) + 1, present)
        pages = Outputs(written, directory, *outputs)
        fragments = before.fragments_kept(previous.changed) if before and previous else Fragments()
        data = (written, base_url, settings["SITENAME"], own_pages(Path(settings["PATH"])))
        changes = _search_changes(directory, before, previous, live_index)
        directory.listed_activities()  # sorted once, before the fork, for both processes
        # The open data is shared: each part goes to whichever process is free first,
        # the one that made the pages or the one that made the index.
        parts = _Parts(len(open_data_parts(directory, *data[1:])))
        job = (directory, index_staging, changes, data, outputs, parts)
        with _alongside(_second_share, *job) as done:
            _run_pelican(root, written, directory, today, address, pages, fragments)
            here = _open_data(directory, data, outputs, parts)
        made = pages.made | done.result() | here
        if written != staging:
            linking.wait()  # type: ignore[union-attr]
            _move_into(written, staging)
        remove_stale(staging, present, made)
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a web server must read it
        files = (digests, stats)
        # After an incremental build the site it replaces is kept as the spare, for the
        # next to build in. After a full one it has nothing in common with the new: the
        # new is linked into the spare instead, once published (:class:`_SpareToLink`).
        spare_to_link = None if before else _SpareToLink.prepare(output)
        with _without_collections(freeze=bool(usable)):
            made_from = (staging, made, pages.gen, before, fragments)
            linked = spare_to_link.identity if spare_to_link else None
            after = state_after(inputs, directory, *files, *made_from, linked_spare=linked)
            after.write(index_staging)
        spare = spare_folder(output)
        if spare.is_dir():  # one the build did not build in (:func:`_spare`)
            remove_later(spare, output)
        keep = (lambda old: os.rename(old, spare)) if before else None
        swap_into_place(staging, output, remove=keep or (lambda old: remove_later(old, output)))
        swap_into_place(index_staging, live_index, remove=lambda old: remove_later(old, live_index))
    except BaseException:
        if linking:
            linking.stop()
        for folder in {staging, index_staging, written}:
            shutil.rmtree(folder, ignore_errors=True)
        if spare_to_link:
            spare_to_link.drop()
        raise
    if spare_to_link:
        spare_to_link.start(output, spare_folder(output))
    return directory


def _checked_on_both_cores(
    paths: list[Path], settings: dict[str, Any], today: date
) -> dict[Path, tuple[str, Mapping[str, Any], list[tuple[str, str]]]]:
    """The digest and data of each of ``paths`` that passes every check of its own, and
    its activities' details as HTML and as text, half of them in a second process:
    reading, checking and rendering the details is most of a build's work before pages.

    What fails is left out, for :func:`load_directory` to check again and report.
    """
    domains, _ = load_domains(Path(settings["PATH"]) / "domains")
    ids = (list(domains), list(settings.get("LOCALITIES") or {}), today)
    if len(paths) < SHARED_CHECKS:
        return _passing(paths, *ids)
    half = len(paths) // 2
    with _alongside(_passing, paths[half:], *ids) as theirs:
        mine = _passing(paths[:half], *ids)
    return mine | theirs.result()


def _passing(
    paths: list[Path], domain_ids: list[str], locality_ids: list[str], today: date
) -> dict[Path, tuple[str, Mapping[str, Any], list[tuple[str, str]]]]:
    passed = {}
    for path in paths:
        provider, _ = load_provider(path, domain_ids, locality_ids, today)
        if provider is not None:
            details = [(a.details_html, a.details_text) for a in provider.activities]
            passed[path] = (digest(path.read_bytes()), provider.data, details)
    return passed


def _keep_details(details: Mapping[str, list[tuple[str, str]]], directory: Directory) -> None:
    """Give the activities the details already rendered (by slug of their provider), so
    that neither the pages nor the index renders them again (they are cached properties,
    kept in the instance)."""
    for provider in directory.all_providers:
        for activity, (html, text) in zip(
            provider.activities, details.get(provider.slug, ()), strict=False
        ):
            activity.__dict__.update(details_html=html, details_text=text)


def spare_folder(output: Path) -> Path:
    """Where the site published before the live one is kept: ``.<output>.spare``."""
    return output.with_name(f".{output.name}.spare")


def _spare_fits(output: Path, state: BuildState | None, inputs: str) -> bool:
    """Whether the spare is the site the state says was published before, made from the
    same ``inputs``, so that a build can start from it (:func:`_spare`)."""
    spare = spare_folder(output)
    return bool(
        state
        and spare.is_dir()
        and state.spare == folder_identity(spare)
        and state.spare_inputs == inputs
    )


def _spare(output: Path, staging: Path, state: BuildState | None, inputs: str) -> dict[str, int]:
    """Build in the spare when the state of an incremental build describes it and it was
    made from the same inputs: then only the files changed since it was published need
    work. It takes the place of the empty ``staging``; any other spare is left for the
    build to remove once it has published (:func:`build`): removing it now would take
    the build's cores (100,000 files at 10,000 providers).
    Returns what ``staging`` now holds (path -> generation)."""
    spare = spare_folder(output)
    if spare.is_dir() and _spare_fits(output, state, inputs):
        os.rename(spare, staging)
        return state.spare_made  # type: ignore[union-attr]
    return {}


class _SpareToLink:
    """After a full build, the published site linked into the spare by a process of its
    own (``cp -rl``), in the background: then the first rebuild after a full build, like
    every later one, builds in the spare instead of linking the whole site first (at
    10,000 providers, 40,000 folders and 80,000 links: seconds of the system's time).

    The folder is made, locked and given its identity (:func:`folder_identity`, which the
    build's state records) before the site is published; it is linked into, given back
    that identity and renamed the spare afterwards, holding the lock until it is done, so
    that the next build can wait for it (:func:`wait_for_spare`). Linux only (GNU ``cp``,
    ``touch`` and ``mv``); elsewhere the next build links the site itself (:class:`_Linking`).
    """

    def __init__(self, folder: Path, lock: int, stamp: int) -> None:
        self.folder, self._lock, self._stamp = folder, lock, stamp
        self.identity = folder_identity(folder)

    @classmethod
    def prepare(cls, output: Path) -> _SpareToLink | None:
        """The folder beside ``output`` to link it into, made and locked; ``None`` where
        the tools are not there."""
        if not sys.platform.startswith("linux"):
            return None
        import fcntl  # POSIX only, as are the folders it locks

        folder = Path(tempfile.mkdtemp(prefix=f".{output.name}.{LINKING}-", dir=output.parent))
        lock = os.open(folder, os.O_RDONLY)
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = int(time.time())  # whole seconds: what ``touch`` gives back exactly
        os.utime(folder, ns=(stamp * 10**9, stamp * 10**9))
        return cls(folder, lock, stamp)

    def start(self, output: Path, spare: Path) -> None:
        """Link ``output`` into the folder in the background, then make it ``spare``."""
        script = 'cp -rlT -- "$1" "$2" && touch -m -d "@$3" -- "$2" && mv -T -- "$2" "$4"'
        try:
            subprocess.Popen(
                [
                    "sh",
                    "-c",
                    script,
                    "sh",
                    str(output),
                    str(self.folder),
                    str(self._stamp),
                    str(spare),
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=(self._lock,),  # the lock is held until the last of them ends
                start_new_session=True,  # not ended with the build: it is published
            )
        except OSError:  # no shell here: the next build links the site itself
            pass
        finally:
            os.close(self._lock)

    def drop(self) -> None:
        os.close(self._lock)
        shutil.rmtree(self.folder, ignore_errors=True)


def wait_for_spare(output: Path) -> None:
    """Wait until the spare a full build is still linking is made (seconds at most), and
    remove a folder whose linking was cut short, before a build looks at the spare."""
    for folder in output.parent.glob(f".{output.name}.{LINKING}-*"):  # on Linux only
        import fcntl  # POSIX only

        try:
            lock = os.open(folder, os.O_RDONLY)
        except OSError:  # it became the spare meanwhile
            continue
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
        finally:
            os.close(lock)
        if folder.is_dir():
            remove_later(folder, output)


class _Linking:
    """The published site linked into a staging folder, file by file, by a process of its
    own (``cp -rl``): an incremental build with no spare to build in starts from all of
    it. At 10,000 providers that is 40,000 folders and 80,000 links, seconds of the
    system's time, done while the build loads the directory and makes the pages beside
    it (:func:`_move_into`), not before."""

    def __init__(self, source: Path, target: Path) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        if sys.platform.startswith("linux"):  # GNU cp
            self._process = subprocess.Popen(
                ["cp", "-rlT", "--", str(source), str(target)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                preexec_fn=functools.partial(_die_with_parent, os.getpid()),
            )
        else:
            shutil.copytree(source, target, copy_function=os.link, dirs_exist_ok=True)

    def wait(self) -> None:
        if self._process is None:
            return
        _, errors = self._process.communicate()
        if self._process.returncode != 0:
            raise BuildFailed(f"Could not link the published site: {errors.decode().strip()}")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.communicate()


def _move_into(written: Path, staging: Path) -> None:
    """Move the files a build made beside the linked copy of the published site into it,
    each in place of its link (never written into: the link is the published file)."""
    for parent, _, names in os.walk(written):
        target = os.path.join(staging, os.path.relpath(parent, written))
        os.makedirs(target, exist_ok=True)
        for name in names:
            os.replace(os.path.join(parent, name), os.path.join(target, name))
    shutil.rmtree(written)


def _search_changes(
    directory: Directory, before: BuildState | None, previous: Previous | None, index: Path
) -> tuple[Path, list[str], list[Provider]] | None:
    """For an incremental build: the published index, the keys of the documents of
    changed providers, and the changed providers to index again."""
    if before is None or previous is None:
        return None
    gone = [
        key
        for slug in sorted(previous.changed)
        if slug in before.providers
        for key in before.providers[slug].indexed
    ]
    return index, gone, [p for p in directory.providers if p.slug in previous.changed]


def _run_pelican(
    root: Path,
    staging: Path,
    directory: Directory,
    today: date,
    address: dict[str, str],
    pages: Outputs,
    fragments: Fragments,
) -> None:
    handed = {PRELOADED: directory, BUILD_DATE: today, OUTPUTS: pages, FRAGMENTS: fragments}
    settings = site_settings(
        root, OUTPUT_PATH=str(staging), **address, **handed, **{OPEN_DATA_WRITTEN: True}
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


def _second_share(
    directory: Directory,
    index_folder: Path,
    changes: tuple[Path, list[str], list[Provider]] | None,
    data: tuple[Any, ...],
    outputs: tuple[Previous | None, int, dict[str, int]],
    parts: _Parts,
) -> dict[str, Made]:
    """The second process's share of a build: the search index (only the changed
    providers' documents, given ``changes``), then what it takes of the open data."""
    if changes is None:
        write_index(directory, index_folder)
    else:
        update_index(directory, index_folder, *changes)
    return _open_data(directory, data, outputs, parts)


def _open_data(
    directory: Directory,
    data: tuple[Any, ...],
    outputs: tuple[Previous | None, int, dict[str, int]],
    parts: _Parts,
) -> dict[str, Made]:
    """Write the parts of the open data not yet taken; return what each file was made from."""
    files = Outputs(data[0], directory, *outputs)
    writers = open_data_parts(directory, *data[1:])
    for part in parts.take():
        writers[part](files)
    return files.made


class _Parts:
    """Parts of the work, numbered, that processes forked after it take one at a time."""

    def __init__(self, count: int) -> None:
        self._count = count
        self._next = multiprocessing.Value("i", 0)  # shared memory: seen by both

    def take(self) -> Iterator[int]:
        while True:
            with self._next.get_lock():
                part = self._next.value
                self._next.value += 1
            if part >= self._count:
                return
            yield part


@contextlib.contextmanager
def _without_collections(freeze: bool) -> Iterator[None]:
    """Python's cycle collector held off while a build makes or saves a great many objects
    that it keeps (the state, the providers): it would otherwise go over the whole growing
    heap again and again. Reading the state of 10,000 providers took 7 s with it, 0.5 s
    without. To ``freeze`` is to keep what was made out of later collections: in an
    incremental build it is nearly all kept, and the collector's first pass over it took
    0.4 s at 10,000 providers; a full build checks every file, and its cycles are
    collected (frozen, they took 20 MB more at the build's peak)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()


@contextlib.contextmanager
def _alongside(task: Callable[..., Any], *args: Any) -> Iterator[Future[Any]]:
    """Run ``task(*args)`` in a forked process while the ``with`` block runs.

    Forking shares the loaded directory with the child without copying it: the task and
    its arguments go to the worker as it starts, not through a pipe (pickling 10,000
    providers there and back took seconds); only the result comes back that way. Where
    fork is not available the task simply runs first, in this process.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        done: Future[Any] = Future()
        done.set_result(task(*args))
        yield done
        return
    context = multiprocessing.get_context("fork")
    gc.freeze()  # the worker's garbage collector leaves what it shares alone, uncopied
    try:
        with ProcessPoolExecutor(
            1, mp_context=context, initializer=_start_worker, initargs=(os.getpid(), task, args)
        ) as pool:
            yield pool.submit(_run_task)
    finally:
        gc.unfreeze()


_task: tuple[Callable[..., Any], tuple[Any, ...]] | None = None  # the worker's, as it starts


def _start_worker(parent: int, task: Callable[..., Any], args: tuple[Any, ...]) -> None:
    global _task
    _die_with_parent(parent)
    _task = (task, args)


def _run_task() -> Any:
    assert _task is not None, "only in a worker started by _alongside"
    task, args = _task
    return task(*args)


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
