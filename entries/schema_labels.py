"""Babel's extractor for the words people read for the schema's choices (``x-labels``),
so that the catalogs hold them beside the interface's other words (see ``babel.cfg``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any


def extract(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, None, str, list[str]]]:
    """Each label in the schema, as Babel's ``(line, function, message, comments)``."""
    text = fileobj.read().decode("utf-8")
    lines = text.splitlines()
    for label in dict.fromkeys(_labels(json.loads(text))):
        line = next((i + 1 for i, row in enumerate(lines) if json.dumps(label) in row), 0)
        yield line, None, label, []


def _labels(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "x-labels":
                yield from value.values()
            else:
                yield from _labels(value)
    elif isinstance(node, list):
        for value in node:
            yield from _labels(value)
