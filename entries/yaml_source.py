"""Safe YAML reading that remembers which line every field came from.

Volunteers edit these files by hand, so the loader refuses what could surprise them or
the server (anchors and aliases, custom tags, duplicate keys, huge files) and keeps a
line number for every field so that each problem can point at the right line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from entries.problems import field_path

MAX_FILE_BYTES = 100_000

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_TAG + name for name in ("str", "int", "float", "bool", "null", "map", "seq")}
_TIMESTAMP = _TAG + "timestamp"

FieldPath = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """The plain data of a YAML file plus the line (1-based) of every field in it."""

    data: Any = None
    lines: dict[FieldPath, int] = field(default_factory=dict)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (line, field, message)

    def line_of(self, path: FieldPath) -> int:
        """The line of ``path``, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def read_yaml(path: Path) -> YamlDocument:
    """Read one YAML file safely. Problems go in ``errors``; nothing ever raises."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return YamlDocument(errors=[(0, "", f"cannot be read: {exc.strerror}")])
    if size > MAX_FILE_BYTES:
        return YamlDocument(
            errors=[
                (
                    0,
                    "",
                    f"is too big ({size:,} bytes; the most is {MAX_FILE_BYTES:,}). "
                    "A provider file should be a few kilobytes: check it is the right file.",
                )
            ]
        )
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return YamlDocument(errors=[(0, "", "is not saved as UTF-8 text. Save it again as UTF-8.")])
    return parse_yaml(text)


def parse_yaml(text: str) -> YamlDocument:
    """Parse YAML text into plain data (dates stay as text) with line numbers."""
    doc = YamlDocument()
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        reason = exc.problem or "it could not be read"
        doc.errors.append(
            (
                line,
                "",
                f"this is not valid YAML ({reason}). Check the indentation, and put text "
                'that contains ": " or starts with a special character in quotes.',
            )
        )
        return doc
    except yaml.YAMLError as exc:
        doc.errors.append((0, "", f"this is not valid YAML ({exc})."))
        return doc
    if node is None:
        doc.errors.append((1, "", "the file is empty."))
        return doc
    if "&" in text:
        _refuse_anchors(text, doc)
    doc.lines[()] = node.start_mark.line + 1
    doc.data = _Builder(doc).build(node, ())
    return doc


def _refuse_anchors(text: str, doc: YamlDocument) -> None:
    """Anchors and aliases repeat parts of a file; in hand-edited entries they only confuse."""
    for event in yaml.parse(text, Loader=_Loader):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            doc.errors.append(
                (
                    line,
                    "",
                    f"uses a YAML alias (*{event.anchor}), which is not allowed. "
                    "Write the details out in full instead.",
                )
            )
        elif getattr(event, "anchor", None):
            doc.errors.append(
                (
                    line,
                    "",
                    f"uses a YAML anchor (&{event.anchor}), which is not allowed. "
                    "Remove it and write the details out in full.",
                )
            )


class _Builder:
    """Turns a composed node tree into plain Python data, refusing unsafe YAML features."""

    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        # One constructor per file: a constructor keeps every node it has made a value
        # from, so one shared by all files kept every file's node tree (200 MB at 10,000
        # providers) for as long as the process ran.
        self.constructor = yaml.constructor.SafeConstructor()
        self.seen: set[int] = set()

    def refuse(self, node: yaml.Node, path: FieldPath, message: str) -> None:
        self.doc.errors.append((node.start_mark.line + 1, field_path(path), message))

    def build(self, node: yaml.Node, path: FieldPath) -> Any:
        if id(node) in self.seen:  # an alias: already reported by _refuse_anchors
            return None
        self.seen.add(id(node))
        if node.tag not in _ALLOWED_TAGS and node.tag != _TIMESTAMP:
            self.refuse(
                node,
                path,
                f"uses the YAML tag {node.tag.replace(_TAG, '!!')}, which is not allowed. "
                "Remove it and write plain text.",
            )
            return None
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            result = []
            for index, item in enumerate(node.value):
                self.doc.lines[(*path, index)] = item.start_mark.line + 1
                result.append(self.build(item, (*path, index)))
            return result
        if node.tag == _TIMESTAMP:
            return node.value  # dates stay text: the schema checks they are real dates
        return self.constructor.construct_object(node)

    def mapping(self, node: yaml.MappingNode, path: FieldPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                self.refuse(key_node, path, "uses a YAML merge key (<<), which is not allowed.")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.refuse(key_node, path, "has a field name that is not plain text.")
                continue
            key = key_node.value
            child = (*path, key)
            if key in result:
                self.refuse(
                    key_node,
                    child,
                    f"appears twice (first on line {self.doc.lines[child]}). "
                    "Keep one and delete the other.",
                )
                continue
            self.doc.lines[child] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, child)
        return result
