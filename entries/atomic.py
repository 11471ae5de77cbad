"""Replacing a folder in one step, so readers never see a half-written one."""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import tempfile
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
    """Remove staging folders beside ``target`` left by builds whose process has gone.

    Folders of builds still running are left alone. Returns what was removed.
    """
    removed = []
    for folder in target.parent.glob(f".{target.name}.building-*"):
        pid = folder.name.removeprefix(f".{target.name}.building-").split("-", 1)[0]
        if folder.is_dir() and (not pid.isdigit() or not _running(int(pid))):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def swap_into_place(new: Path, target: Path) -> None:
    """Make ``new`` the folder at ``target``; the old one is removed afterwards.

    On Linux the two folders are exchanged atomically (``renameat2``), so a web server
    never sees a half-built or missing site; elsewhere two quick renames do the job.
    """
    if not target.exists():
        os.rename(new, target)
        return
    if _exchange(new, target):
        shutil.rmtree(new)  # ``new`` now holds the previous site
        return
    old = target.with_name(f".{target.name}.previous")
    shutil.rmtree(old, ignore_errors=True)
    os.rename(target, old)
    try:
        os.rename(new, target)
    except OSError:
        os.rename(old, target)
        raise
    shutil.rmtree(old)


def _exchange(a: Path, b: Path) -> bool:
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0
