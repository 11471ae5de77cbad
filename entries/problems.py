"""A problem found in content, phrased for the volunteer who has to fix it."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one field of one file.

    Printed as ``content/providers/x.yaml:12: activities[0].cost: "fre" is not one of: …``.
    """

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        location = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{location}: {self.field}: {self.message}"
            if self.field
            else (f"{location}: {self.message}")
        )


def display_path(path: Path | str) -> str:
    """The path as a volunteer typed it: relative to the current folder when inside it."""
    path = Path(path)
    try:
        cwd = os.getcwd()
        if not (path.is_absolute() and _inside(str(path.parent), cwd)):
            return str(path)
        folder = _relative(str(path.parent), cwd)
        return path.name if folder == os.curdir else os.path.join(folder, path.name)
    except ValueError:
        return str(path)


@functools.lru_cache(maxsize=64)
def _inside(folder: str, cwd: str) -> bool:
    """Whether ``folder`` is in ``cwd``: asked once per folder, not for each of its files
    (resolving a path is most of the time it takes to show 10,000 of them)."""
    return Path(folder).resolve().is_relative_to(Path(cwd).resolve())


@functools.lru_cache(maxsize=64)
def _relative(folder: str, cwd: str) -> str:
    """``folder`` from ``cwd``: worked out once per folder, like :func:`_inside`."""
    return os.path.relpath(folder, cwd)


def field_path(parts: tuple[str | int, ...]) -> str:
    """``("activities", 0, "cost")`` → ``activities[0].cost``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
