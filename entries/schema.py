"""The provider JSON Schema, and its errors rewritten in words a volunteer can act on."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators

from entries.i18n import translate

_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "array": "a list, such as [one, two]",
    "object": "a set of fields, each on its own indented line",
    "boolean": "yes or no",
}


@cache
def provider_schema() -> dict[str, Any]:
    """The JSON Schema for one provider file (``provider.schema.json``)."""
    text = resources.files("entries").joinpath("provider.schema.json").read_text()
    return json.loads(text)


def _whole_text_pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    """``pattern`` as JSON Schema means it (ECMA-262): ``$`` is the end of the text.

    Python's ``$`` also matches before a final line break, which would let
    ``"north\\n"`` pass as a locality id or a file name.
    """
    if isinstance(instance, str) and not _compiled(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"(?<!\\)\$$", r"\\Z", pattern))


_Validator = validators.extend(Draft202012Validator, {"pattern": _whole_text_pattern})


@cache
def _validator() -> Any:
    schema = provider_schema()
    Draft202012Validator.check_schema(schema)
    return _Validator(
        _inline(schema, schema["$defs"]), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def schema_pattern(name: str) -> re.Pattern[str]:
    """The pattern of a shared definition (``email``, ``website``…), for forms to use."""
    return _compiled(provider_schema()["$defs"][name]["pattern"])


@cache
def activity_properties() -> frozenset[str]:
    """The fields an activity may have."""
    return frozenset(provider_schema()["$defs"]["activity"]["properties"])


@cache
def multiline_fields() -> frozenset[str]:
    """Fields whose text may run over several lines (marked ``x-multiline``)."""
    defs = provider_schema()["$defs"]
    found = set()
    for properties in (provider_schema()["properties"], defs["activity"]["properties"]):
        for name, prop in properties.items():
            target = defs.get(prop.get("$ref", "").removeprefix("#/$defs/"), {})
            if prop.get("x-multiline") or target.get("x-multiline"):
                found.add(name)
    return frozenset(found)


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with each local ``$ref`` replaced by what it points to.

    The same rules, checked about twice as fast: following references is a large part of
    validating a file. The schema has no recursive references, so this always ends.
    """
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _inline(value, defs) for key, value in node.items() if key != "$defs"}
    ref = node.pop("$ref", None)
    if ref is None:
        return node
    target = _inline(defs[ref.removeprefix("#/$defs/")], defs)
    clashes = set(node) & set(target) - {"description", "x-hint"}
    return {"allOf": [target, node]} if clashes else {**target, **node}


def labels(name: str) -> dict[str, str]:
    """The words people read for each allowed value of an enumerated field.

    ``name`` is a field of an activity (``cost``, ``accessibility``…) or ``day``. The
    words are in the language being built or served (:mod:`entries.i18n`).
    """
    schema = provider_schema()
    if name == "day":
        english = schema["$defs"]["day"]["x-labels"]
    else:
        prop = schema["$defs"]["activity"]["properties"][name]
        english = (prop.get("items") or prop)["x-labels"]
    return {value: translate(label) for value, label in english.items()}


def schema_errors(data: Any) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Yield ``(field path, message)`` for every way ``data`` breaks the schema."""
    for error in _validator().iter_errors(data):
        yield from _explain(error)


def _explain(error: ValidationError) -> Iterator[tuple[tuple[str | int, ...], str]]:
    path = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    hint = schema.get("x-hint")
    value = error.instance
    kind = error.validator

    if kind == "additionalProperties":
        known = sorted(schema.get("properties", {}))
        for key in sorted(set(value) - set(known)):
            guess = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            advice = (
                f'Did you mean "{guess[0]}"?' if guess else f"Fields here are: {', '.join(known)}."
            )
            yield (*path, key), f'"{key}" is not a field we know. {advice}'
    elif kind == "required":
        for key in schema.get("required", []):
            if isinstance(value, dict) and key not in value:
                sub = schema.get("properties", {}).get(key, {})
                yield (*path, key), f"is missing. {_required_advice(key, sub)}"
    elif kind == "enum":
        yield path, f"{_show(value)} is not one of: {', '.join(schema['enum'])}"
    elif kind == "type":
        yield path, _type_message(value, schema, path)
    elif kind == "format":
        yield (
            path,
            f"{_show(value)} is not a real date. Write it as YYYY-MM-DD, such as 2026-10-14.",
        )
    elif kind in ("minLength",) or (kind == "pattern" and schema.get("pattern") == "\\S"):
        yield path, "is empty. Write something here, or remove the line."
    elif kind == "pattern":
        yield path, f"{_show(value)} doesn't look like {hint or 'what we expect here'}."
    elif kind == "maxLength":
        yield (
            path,
            (
                f"is too long ({len(value)} characters; the most is {schema['maxLength']}). "
                "Shorten it."
            ),
        )
    elif kind == "minItems":
        yield path, "needs at least one item."
    elif kind == "maxItems":
        yield path, f"has too many items (the most is {schema['maxItems']})."
    elif kind == "uniqueItems":
        yield path, "lists the same thing twice. Remove the repeat."
    elif kind in ("minimum", "maximum"):
        yield (
            path,
            f"{_show(value)} should be between {schema.get('minimum', 0)} and {schema.get('maximum')}.",
        )
    else:  # pragma: no cover - every keyword the schema uses is handled above
        yield path, error.message


def _required_advice(key: str, sub: dict[str, Any]) -> str:
    if key == "activities":
        return "List at least one activity under activities:."
    hint = sub.get("x-hint")
    if "enum" in sub:
        return f"Add it: one of {', '.join(sub['enum'])}."
    return f"Add it: {hint}." if hint else "Add it."


def _type_message(value: Any, schema: dict[str, Any], path: tuple[str | int, ...]) -> str:
    expected = schema.get("type")
    if schema.get("pattern", "").startswith("^([01]") and isinstance(value, int):
        return 'write times in quotes, such as "10:00", or YAML reads them as a number.'
    if expected == "string" and isinstance(value, int | float) and not isinstance(value, bool):
        return f'should be text. Put it in quotes: "{value}".'
    if expected == "string" and value is None:
        return "is empty. Write something here, or remove the line."
    words = _TYPE_WORDS.get(expected, str(expected))
    return f"should be {words}, not {_describe(value)}."


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{'yes' if value else 'no'} (true/false)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of fields"
    if isinstance(value, int | float):
        return f"the number {value}"
    return _show(value)


def _show(value: Any) -> str:
    text = str(value)
    if len(text) > 60:
        text = text[:57] + "…"
    return json.dumps(text, ensure_ascii=False)
