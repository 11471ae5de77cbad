"""Keeping user text harmless wherever it goes: pages, terminals and spreadsheets.

Control characters (NUL, ESC, BEL…) have no place in a listing: they make XML invalid
and can drive a moderator's terminal. Entry files are refused with them (see
``checks``), form answers have them removed, and anything printed to a terminal shows
them escaped. A CSV cell that starts like a formula is neutralised as OWASP recommends.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO, Any

# C0 controls except tab, line feed and carriage return; DEL; C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# In a one-line field, tab and line breaks are not allowed either.
_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def first_control(text: str, *, multiline: bool) -> str | None:
    """The first control character in ``text``, or ``None``.

    Tab and line breaks count only where the field is a single line.
    """
    found = (_CONTROL if multiline else _CONTROL_ONE_LINE).search(text)
    return found.group() if found else None


def describe_control(char: str) -> str:
    """``"\\x1b"`` → ``U+001B``, as a volunteer can look it up."""
    return f"U+{ord(char):04X}"


def without_controls(text: str, *, multiline: bool = False) -> str:
    """``text`` with control characters removed (tab and line breaks become spaces in a
    one-line answer)."""
    if multiline:
        return _CONTROL.sub("", text)
    return _CONTROL.sub("", text).replace("\t", " ").replace("\r", " ").replace("\n", " ")


def one_line(value: object) -> str:
    """A form answer as one tidy line: no control characters, single spaces."""
    return " ".join(without_controls(str(value or "")).split())


def for_terminal(text: str) -> str:
    """``text`` with every control character but line breaks shown escaped, like ``\\x1b``.

    So nothing a group or a visitor typed can clear, recolour or retitle a terminal.
    """
    return _CONTROL.sub(_escape, text).replace("\r", "\\r")


class TerminalSafe:
    """A text stream (``sys.stdout``) that passes everything through :func:`for_terminal`."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(for_terminal(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _escape(found: re.Match[str]) -> str:
    return f"\\x{ord(found.group()):02x}"


def spreadsheet_cell(value: Any) -> Any:
    """A CSV value that a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class SafeCsvWriter:
    """``csv.writer`` whose every cell goes through :func:`spreadsheet_cell`.

    Every CSV the project writes uses it, so no export can carry a formula.
    """

    def __init__(self, out: IO[str], **options: Any) -> None:
        self._writer = csv.writer(out, lineterminator="\n", **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([spreadsheet_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
