"""Replacing a folder in one step, so readers never see a half-written one."""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new, never half.

    The text goes to a temporary file in the same folder, is flushed to disk, and is then
    renamed over ``path``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` survive a power cut."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def staging_folder(target: Path) -> Path:
    """A fresh, empty folder beside ``target`` to build its replacement in.

    Its name carries this process's id (``.output.building-<pid>-…``), so a later build
    can tell the leftovers of a build that died from the folder of one still running.
    """
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_dead_staging(target)
    prefix = f".{target.name}.building-{os.getpid()}-"
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a web server must read what it becomes
    return staging


def remove_dead_staging(target: Path) -> list[Path]:
    """Remove staging folders beside ``target`` left by builds whose process has gone, and
    old copies (:func:`remove_later`) whose removal may have been cut short, without
    waiting for either: a build of a big site must not wait for the last one's leftovers.

    Folders of builds still running are left alone. Returns what is being removed.
    """
    removed = []
    for kind in ("building", "old"):
        prefix = f".{target.name}.{kind}-"
        for folder in target.parent.glob(f"{prefix}*"):
            pid = folder.name.removeprefix(prefix).split("-", 1)[0]
            if folder.is_dir() and (not pid.isdigit() or not _running(int(pid))):
                if kind == "building":
                    remove_later(folder, target)
                else:  # perhaps still being removed: removing it twice does no harm
                    _remove_in_background(folder)
                removed.append(folder)
    return removed


def remove_later(folder: Path, target: Path) -> None:
    """Remove ``folder``, an old copy of ``target``, in a process of its own, so that
    nobody waits for it: removing a site of 10,000 providers takes seconds. It is first
    renamed ``.<target>.old-<pid>-…``, so that if the removal is cut short the next build
    finishes it, and never takes it for anything else."""
    prefix = f".{target.name}.old-{os.getpid()}-"
    old = Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))
    os.rename(folder, old)  # over the empty folder just made
    _remove_in_background(old)


def _remove_in_background(old: Path) -> None:
    try:
        subprocess.Popen(
            ["rm", "-rf", "--", str(old)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:  # no rm here: remove it now
        shutil.rmtree(old, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def swap_into_place(
    new: Path, target: Path, remove: Callable[[Path], None] = shutil.rmtree
) -> None:
    """Make ``new`` the folder at ``target``; the old one is then given to ``remove``.

    On Linux the two folders are exchanged atomically (``renameat2``), so a web server
    never sees a half-built or missing site; elsewhere two quick renames do the job.
    """
    if not target.exists():
        os.rename(new, target)
        return
    if _exchange(new, target):
        remove(new)  # ``new`` now holds the previous site
        return
    old = new.with_name(new.name.replace(".building-", ".old-", 1))
    os.rename(target, old)  # cleared by remove_dead_staging if this process dies
    try:
        os.rename(new, target)
    except OSError:
        os.rename(old, target)
        raise
    remove(old)


def _exchange(a: Path, b: Path) -> bool:
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0
