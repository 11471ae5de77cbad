"""Build the site into a temporary folder, then swap it into place in one step.

A failed build never touches what is already published: Pelican writes into a fresh
folder beside the output, and only a complete build replaces it.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import logging
import os
import shutil
import tempfile
from datetime import date
from pathlib import Path

from pelican import Pelican

from healthdir.entries import Directory, Problem, load_directory
from healthdir.settings import site_settings

# The Pelican setting through which the build hands the checked directory to the plugin.
PRELOADED = "HEALTHDIR_DIRECTORY"


class BuildFailed(Exception):
    """The build stopped; the published output was left as it was."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


def build(root: Path, output: Path, today: date | None = None) -> Directory:
    """Check the content in ``root``, build it and publish it to ``output``."""
    today = today or date.today()
    settings = site_settings(root)
    directory, problems = load_directory(root, settings, today=today)
    if problems:
        raise BuildFailed("The content has problems, so nothing was published.", problems)

    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.building-", dir=output.parent))
    try:
        _run_pelican(root, staging, directory, today)
        swap_into_place(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return directory


def _run_pelican(root: Path, staging: Path, directory: Directory, today: date) -> None:
    settings = site_settings(
        root, OUTPUT_PATH=str(staging), **{PRELOADED: directory, "HEALTHDIR_TODAY": today}
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


class _ErrorCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


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
