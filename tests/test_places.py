"""Places: postcodes as points from the offline tables, distances, and postcode → locality."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import REPO, TODAY, site_using

from entries import load_directory
from entries.places import (
    Point,
    PostcodeKey,
    check_locality_postcodes,
    locality_of,
    locality_point,
    miles,
    postcode_key,
    postcode_point,
)
from entries.site_settings import site_settings

SECTOR_AB1_2 = Point(57.14124, -2.10080)  # entries/postcodes/sectors.csv
OUTWARD_AB1 = Point(57.12691, -2.13644)  # entries/postcodes/outcodes.csv
SETTING = {"north": ["AB2 8", "AB2 7"], "central": ["AB2"], "south": "AB1"}


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("AB1 2DL", PostcodeKey("AB1", "AB1 2")),
        ("ab12dl", PostcodeKey("AB1", "AB1 2")),
        ("  aB1   2dL ", PostcodeKey("AB1", "AB1 2")),
        ("EC1A 1BB", PostcodeKey("EC1A", "EC1A 1")),
        ("W1A1AA", PostcodeKey("W1A", "W1A 1")),
        ("ab1 2", PostcodeKey("AB1", "AB1 2")),
        ("AB1 2D", PostcodeKey("AB1", "AB1 2")),  # cut short: still its sector
        ("ab1", PostcodeKey("AB1")),
        ("AB12", PostcodeKey("AB12")),  # a real outward code, not the sector AB1 2
        ("bs3", PostcodeKey("BS3")),
    ],
)
def test_postcodes_are_read_whatever_the_case_and_spacing(typed: str, key: PostcodeKey) -> None:
    assert postcode_key(typed) == key


@pytest.mark.parametrize(
    "typed", ["", "walking", "Millbrook", "12345", "AB1 2DL 3", "A", "AB1-2DL"]
)
def test_other_text_is_not_a_postcode(typed: str) -> None:
    assert postcode_key(typed) is None
    assert postcode_point(typed) is None


def test_a_full_postcode_is_at_its_sector_else_its_outward_code() -> None:
    assert postcode_point("AB1 2DL") == SECTOR_AB1_2
    assert postcode_point("ab1 2") == SECTOR_AB1_2
    assert postcode_point("AB1") == OUTWARD_AB1
    # A sector the tables lack falls back to its outward code; an unknown district is None.
    assert postcode_point("AB10 2ZZ") == postcode_point("AB10")
    assert postcode_point("AB10") is not None
    assert postcode_point("ZZ9 9ZZ") is None
    assert postcode_point("QQ1") is None


def test_miles_is_the_great_circle_distance() -> None:
    london, edinburgh = Point(51.5074, -0.1278), Point(55.9533, -3.1883)
    assert miles(london, edinburgh) == pytest.approx(331.6, abs=0.5)
    assert miles(edinburgh, london) == miles(london, edinburgh)
    assert miles(london, london) == 0
    # One degree of latitude is about 69 miles anywhere.
    assert miles(Point(50, 1), Point(51, 1)) == pytest.approx(69.1, abs=0.1)


def test_lookups_are_fast_once_loaded() -> None:
    postcode_point("AB1 2DL")  # the tables are read once per process
    start = time.perf_counter()
    for _ in range(10_000):
        postcode_point("AB2 8DL")
    assert (time.perf_counter() - start) / 10_000 < 50e-6  # well under 50 µs each


def test_a_sector_wins_over_its_district() -> None:
    assert locality_of("AB2 8DL", SETTING) == "north"
    assert locality_of("ab27np", SETTING) == "north"
    assert locality_of("AB2 1RT", SETTING) == "central"
    assert locality_of("AB2", SETTING) == "central"
    assert locality_of("AB1 5BD", SETTING) == "south"
    assert locality_of("BS3 4AA", SETTING) is None
    assert locality_of("not a postcode", SETTING) is None
    assert locality_of("AB1 5BD", {}) is None


def test_a_locality_has_a_middle() -> None:
    middle = locality_point("north", SETTING)
    assert middle is not None
    assert miles(middle, postcode_point("AB2 8")) < 2
    assert locality_point("nowhere", SETTING) is None


def test_a_wrong_setting_is_explained() -> None:
    assert check_locality_postcodes(SETTING, ["north", "central", "south"]) == []
    assert check_locality_postcodes(
        {"north": ["AB2 8", "XX99"], "east": ["AB1"], "south": ["ab2 8"]}, ["north", "south"]
    ) == [
        '"XX99" (north) is not a postcode district or sector we know, such as "AB1" or "AB1 2".',
        '"east" is not one of the localities in LOCALITIES.',
        '"AB2 8" is listed for both north and south.',
    ]


def test_healthdir_check_reports_a_wrong_setting(tmp_path: Path) -> None:
    root = site_using(tmp_path / "site", LOCALITY_POSTCODES={"north": ["XX99"]})
    _, problems = load_directory(root, site_settings(root), today=TODAY)
    assert [p.field for p in problems] == ["LOCALITY_POSTCODES"]
    assert '"XX99" (north) is not a postcode district or sector we know' in problems[0].message


def test_every_sample_venue_is_placed_in_its_own_locality() -> None:
    """The Anytown sample: each venue's postcode resolves, and to the area its file says."""
    directory, problems = load_directory(REPO, site_settings(REPO), today=TODAY)
    assert problems == []
    site = directory.site
    venues = [a for p in directory.all_providers for a in p.activities if a.venue]
    assert len(venues) > 30
    for activity in venues:
        postcode = activity.venue.postcode
        assert postcode_point(postcode) is not None, postcode
        if activity.locality != "all":
            assert site.locality_of(postcode) == activity.locality, (activity.name, postcode)
    # One town: no two venues more than ten miles apart.
    points = [postcode_point(a.venue.postcode) for a in venues]
    assert max(miles(a, b) for a in points for b in points) < 10
