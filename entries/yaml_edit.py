"""Editing a provider file in place: only what changed is rewritten.

A group's file is often laid out and commented by hand. When an update is approved,
the fields whose values are unchanged keep their exact lines (quoting, comments, blank
lines), a changed field is rewritten in the house style (:mod:`entries.yaml_writer`), a
new field goes where ``dump_entry`` would put it, and a removed one disappears. So the
moderator's diff shows only what changed, and so does the file's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml

from entries.yaml_source import parse_yaml
from entries.yaml_writer import ACTIVITY_ORDER, PROVIDER_ORDER, dump_entry, dump_fragment

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class _Edit:
    start: int  # character offsets into the text
    end: int
    text: str
    order: int = 0  # among insertions at one place, the earlier comes first


def patch_entry(text: str, new: dict[str, Any], origins: list[int | None] | None = None) -> str:
    """``text`` (a provider file) edited so that it reads as ``new``.

    ``origins`` says, for each of ``new``'s activities, which activity of the file it is
    (its index), or ``None`` for one that is added; activities of the file that no
    origin names are removed. Without it, activities are matched by position. If the
    file's layout is unusual enough that an edit would not read back as ``new``, the
    whole entry is written out afresh instead: the result is always exactly ``new``.
    """
    wanted = _plain(new)
    try:
        root = yaml.compose(text, Loader=_Loader)
        old = parse_yaml(text).data
        if not isinstance(root, yaml.MappingNode) or root.flow_style or not isinstance(old, dict):
            return dump_entry(new)
        edits: list[_Edit] = []
        _mapping(text, root, old, wanted, PROVIDER_ORDER, edits, origins)
        patched = _apply(text, edits)
    except (yaml.YAMLError, ValueError, IndexError, KeyError, TypeError):
        return dump_entry(new)
    return patched if parse_yaml(patched).data == wanted else dump_entry(new)


def _mapping(
    text: str,
    node: yaml.MappingNode,
    old: dict[str, Any],
    new: dict[str, Any],
    order: list[str],
    edits: list[_Edit],
    origins: list[int | None] | None = None,
) -> None:
    """Edits that turn the block mapping ``node`` (holding ``old``) into ``new``."""
    spans = {}
    column = node.value[0][0].start_mark.column
    for key_node, value_node in node.value:
        key = key_node.value
        start, end = _field_span(text, key_node, value_node)
        spans[key] = (start, end)
        if key not in new:
            if start != _line_start(text, start):
                raise ValueError("cannot remove the first field of a list item in place")
            edits.append(_Edit(start, end, ""))
        elif old.get(key) == new[key]:
            continue
        elif key == "activities" and _is_block(value_node) and isinstance(old[key], list):
            _sequence(text, value_node, old[key], new[key], edits, origins)
        elif _is_block_mapping(value_node) and isinstance(new[key], dict) and new[key]:
            _mapping(text, value_node, old[key], new[key], order, edits)  # venue, checked
        else:
            edits.append(_Edit(start, end, _field_text(key, new[key], column, text, start)))
    present = sorted(spans, key=lambda k: _rank(k, order))
    first = node.value[0][0].value  # in the file's own order
    added = sorted((k for k in new if k not in spans), key=lambda k: _rank(k, order))
    for number, key in enumerate(added):
        before = [k for k in present if _rank(k, order) < _rank(key, order)]
        at = spans[before[-1]][1] if before else spans[first][0]
        if not before and at != _line_start(text, at):
            raise ValueError("cannot add a field before the first field of a list item")
        edits.append(_Edit(at, at, _field_text(key, new[key], column, text, at), number))


def _sequence(
    text: str,
    node: yaml.SequenceNode,
    old: list[Any],
    new: list[Any],
    edits: list[_Edit],
    origins: list[int | None] | None,
) -> None:
    """Edits that turn the activities list: kept items patched field by field, dropped
    ones deleted, added ones appended after the last."""
    if origins is None:
        origins = [index if index < len(old) else None for index in range(len(new))]
    kept = [index for index in origins if index is not None]
    if kept != sorted(set(kept)) or len(origins) != len(new):
        raise ValueError("activities can be dropped or added, not reordered")
    items = node.value
    for index, item in enumerate(items):
        if index not in kept:
            start = _line_start(text, item.start_mark.index)
            edits.append(_Edit(start, _end_index(text, _last_mark(item)), ""))
    for position, index in enumerate(origins):
        if index is None:
            continue
        if old[index] != new[position]:
            if not isinstance(items[index], yaml.MappingNode) or items[index].flow_style:
                raise ValueError("a list item that is not a block mapping")
            _mapping(text, items[index], old[index], new[position], ACTIVITY_ORDER, edits)
    added = [item for item, index in zip(new, origins, strict=True) if index is None]
    if added:
        dash = items[-1].start_mark.index
        column = dash - _line_start(text, dash) - 2  # "- " comes before the first field
        at = _end_index(text, _last_mark(items[-1]))
        edits.append(_Edit(at, at, _indented(dump_fragment(added), column)))


def _field_span(text: str, key: yaml.Node, value: yaml.Node) -> tuple[int, int]:
    """Where a field's text starts (its line, or its key after a list item's "- ") and
    ends (after its value's last line)."""
    start = key.start_mark.index
    line = _line_start(text, start)
    if text[line:start].strip() == "":
        start = line
    return start, _end_index(text, _last_mark(value))


def _last_mark(node: yaml.Node) -> yaml.Mark:
    """The end of a node's last piece of text (a block collection's own end mark lies
    past any comments and blank lines that follow it)."""
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return _last_mark(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _last_mark(node.value[-1])
    return node.end_mark


def _end_index(text: str, mark: yaml.Mark) -> int:
    """The end of the line ``mark`` is on, with its line break; blank lines a block
    scalar took in are left where they are."""
    if mark.column == 0:
        end = mark.index
        while end >= 2 and text[end - 2 : end] == "\n\n":
            end -= 1
        return end
    found = text.find("\n", mark.index)
    return len(text) if found < 0 else found + 1


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _is_block(node: yaml.Node) -> bool:
    return isinstance(node, yaml.SequenceNode) and not node.flow_style and bool(node.value)


def _is_block_mapping(node: yaml.Node) -> bool:
    return isinstance(node, yaml.MappingNode) and not node.flow_style and bool(node.value)


def _field_text(key: str, value: Any, column: int, text: str, at: int) -> str:
    """``key: value`` in the house style, indented to ``column``; the first line is not
    indented when it continues a list item's "- " line."""
    lines = _indented(dump_fragment({key: value}), column)
    return lines[column:] if at != _line_start(text, at) else lines


def _indented(block: str, column: int) -> str:
    pad = " " * column
    return "".join(pad + line if line.strip() else line for line in block.splitlines(True))


def _rank(key: str, order: list[str]) -> int:
    return order.index(key) if key in order else len(order)


def _apply(text: str, edits: list[_Edit]) -> str:
    for edit in sorted(edits, key=lambda e: (e.start, e.end, e.order), reverse=True):
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text


def _plain(data: Any) -> Any:
    """Data as the loader reads it back: dates as YYYY-MM-DD text."""
    if isinstance(data, dict):
        return {key: _plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_plain(item) for item in data]
    return data.isoformat() if isinstance(data, date) else data
