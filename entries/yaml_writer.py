"""Writing an entry back out as YAML a volunteer can read and edit by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml

# The order fields appear in, as in the README's example; anything else follows.
PROVIDER_ORDER = [
    "name",
    "about",
    "website",
    "email",
    "phone",
    "charity_number",
    "last_confirmed",
    "checked",
    "imported_from",
    "activities",
]
ACTIVITY_ORDER = [
    "name", "summary", "details", "domains", "locality", "when", "schedule", "cost", "price",
    "how_to_join", "venue", "delivery", "who_for", "age_min", "age_max", "languages",
    "accessibility", "accessibility_notes", "suitable_for", "status", "alert",
    "email", "phone", "website", "imported_from",
]  # fmt: skip


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line text as ``|`` blocks, short lists of words inline."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # indent list items under their field

    def ignore_aliases(self, data: Any) -> bool:
        return True  # never &anchors / *aliases: the loader refuses them, and people too


def _text(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _list(dumper: yaml.SafeDumper, items: list[Any]) -> yaml.Node:
    flow = all(isinstance(i, str) and "," not in i and len(i) < 40 for i in items)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flow)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(list, _list)


def dump_entry(entry: dict[str, Any]) -> str:
    """The entry as YAML, fields in the documented order, dates as plain YYYY-MM-DD."""
    ordered = _ordered(entry, PROVIDER_ORDER)
    ordered["last_confirmed"] = _date(ordered.get("last_confirmed"))
    if isinstance(ordered.get("checked"), dict):
        ordered["checked"] = {**ordered["checked"], "on": _date(ordered["checked"].get("on"))}
    ordered["activities"] = [_ordered(a, ACTIVITY_ORDER) for a in entry.get("activities", [])]
    return yaml.dump(ordered, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=88)


def _date(value: Any) -> Any:
    """Dates kept as text are written as dates, so they are not quoted."""
    try:
        return date.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return value


def _ordered(data: dict[str, Any], order: list[str]) -> dict[str, Any]:
    known = {key: data[key] for key in order if key in data}
    return {**known, **{k: v for k, v in data.items() if k not in known}}


def dump_fragment(data: dict[str, Any] | list[dict[str, Any]]) -> str:
    """Some fields of an entry, or a list of activities, in the same house style, for
    editing a file in place (:mod:`entries.yaml_edit`)."""
    if isinstance(data, list):
        shaped: Any = [_ordered(item, ACTIVITY_ORDER) for item in data]
    else:
        shaped = {key: _dated(key, value) for key, value in data.items()}
    return yaml.dump(shaped, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=88)


def _dated(key: str, value: Any) -> Any:
    """The entry's own dates written as dates, as :func:`dump_entry` writes them."""
    if key in ("last_confirmed", "on"):  # "on": the day in ``checked``
        return _date(value)
    if key == "checked" and isinstance(value, dict):
        return {**value, "on": _date(value.get("on"))}
    return value
