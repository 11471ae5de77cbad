"""Editing a provider file in place: what is unchanged keeps its exact text."""

from __future__ import annotations

import copy

from conftest import GOOD_PROVIDER

from entries.yaml_edit import patch_entry
from entries.yaml_source import parse_yaml

TEXT = (
    "# Kept up to date by Pat.\n"
    + GOOD_PROVIDER.replace("    when: Sat", "    # weekends only\n    when: Sat")
    + """\
  - name: Cat cuddling   # the cats' favourite
    summary: "Come and stroke the cats."
    domains:
      - befriending
    locality: north
    when: Mondays
    cost: free
    how_to_join: drop-in
"""
)
DATA = parse_yaml(TEXT).data


def edited(change, origins=None) -> str:
    new = copy.deepcopy(DATA)
    change(new)
    text = patch_entry(TEXT, new, origins)
    assert parse_yaml(text).data == new  # always exactly the new data
    return text


def changed(text: str) -> tuple[list[str], list[str]]:
    before, after = TEXT.splitlines(), text.splitlines()
    return [x for x in before if x not in after], [x for x in after if x not in before]


def test_nothing_changed_is_the_same_text() -> None:
    assert patch_entry(TEXT, copy.deepcopy(DATA)) == TEXT


def test_a_changed_field_is_the_only_line_that_changes() -> None:
    text = edited(lambda d: d["activities"][1].update(summary="Stroke the cats."))
    assert changed(text) == (
        ['    summary: "Come and stroke the cats."'],
        ["    summary: Stroke the cats."],
    )
    assert "# weekends only" in text and "# the cats' favourite" in text


def test_fields_are_removed_and_added_where_the_writer_puts_them() -> None:
    def change(d: dict) -> None:
        del d["about"]
        d["activities"][0]["price"] = "£2 a walk"
        del d["activities"][0]["details"]  # a block of several lines
        d["activities"][1]["alert"] = "No cuddles on 25 December."

    text = edited(change)
    removed, added = changed(text)
    assert removed == [
        "about: Volunteer-run rescue for cats and dogs.",
        "    details: |",
        "      Wear boots. We provide leads and a short safety talk.",
    ]
    assert added == ["    price: £2 a walk", "    alert: No cuddles on 25 December."]
    assert text.index("price: £2") > text.index("cost: free") < text.index("how_to_join")


def test_a_nested_field_changes_alone() -> None:
    text = edited(lambda d: d["activities"][0]["venue"].update(postcode="AB2 8DL"))
    assert changed(text) == (["      postcode: AB1 2CD"], ["      postcode: AB2 8DL"])


def test_activities_are_dropped_and_added() -> None:
    extra = {"name": "Fostering", "summary": "Foster a cat.", "domains": ["volunteering"],
             "locality": "all", "when": "By arrangement", "cost": "free",
             "how_to_join": "contact-first"}  # fmt: skip

    def change(d: dict) -> None:
        d["activities"] = [d["activities"][1], extra]

    text = edited(change, origins=[1, None])
    assert "Dog walking volunteers" not in text
    assert "  - name: Cat cuddling   # the cats' favourite\n" in text
    assert text.endswith("  - name: Fostering\n    summary: Foster a cat.\n" + text.split(
        "    summary: Foster a cat.\n", 1)[1])  # fmt: skip


def test_reordering_or_an_odd_layout_writes_the_entry_afresh() -> None:
    new = copy.deepcopy(DATA)
    new["activities"].reverse()
    text = patch_entry(TEXT, new, origins=[1, 0])
    assert parse_yaml(text).data == new and not text.startswith("# Kept")
    flow = "{name: X, last_confirmed: 2026-10-14, activities: [{name: A}]}\n"
    new = {"name": "Y", "last_confirmed": "2026-11-22", "activities": [{"name": "A"}]}
    assert parse_yaml(patch_entry(flow, new)).data == new


def test_dates_are_written_as_dates() -> None:
    text = edited(
        lambda d: d.update(last_confirmed="2026-11-22", checked={"by": "Sam", "on": "2026-11-22"})
    )
    assert "last_confirmed: 2026-11-22\n" in text and "'2026-11-22'" not in text
