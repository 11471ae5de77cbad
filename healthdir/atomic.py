"""Replacing a folder in one step, so readers never see a half-written one."""

from __future__ import annotations

import ctypes
import os
import shutil
from pathlib import Path


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
