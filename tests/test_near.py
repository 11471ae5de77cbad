"""Near me: distances from a postcode or place, offline, on the command line, in the JSON
API and on the search page (with a real browser, axe-clean, JavaScript on and off)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import HEALTHDIR, REPO, TODAY, Client, axe_violations, serve, site_using
from playwright.sync_api import Page

from entries import load_directory
from entries.places import miles, postcode_point
from entries.site_settings import site_settings
from search import SearchIndex
from search.distance import UnknownPlace
from service import create_app

DIRECTORY, _ = load_directory(REPO, site_settings(REPO), today=TODAY)
MEMORY_CAFE = next(a for a in DIRECTORY.listed_activities() if a.slug == "memory-cafe-with-singing")
POSTCODE = MEMORY_CAFE.venue.postcode


def run(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([HEALTHDIR, *args], cwd=site, capture_output=True, text=True)


@pytest.fixture(scope="module")
def cli_site(sample_build: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return site_using(tmp_path_factory.mktemp("near") / "site", SEARCH_INDEX=str(sample_build[1]))


@pytest.fixture(scope="module")
def url(sample_build: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    output, index = sample_build
    db = tmp_path_factory.mktemp("near-var") / "unmet.sqlite3"
    yield from serve(create_app(REPO, output, index=index, unmet_need=db))


def test_every_sample_venue_can_be_placed() -> None:
    venues = [a.venue for a in DIRECTORY.listed_activities() if a.venue]
    assert venues and all(venue.point is not None for venue in venues)


def test_cli_lists_the_venue_first_and_distances_rise(cli_site: Path) -> None:
    result = run(
        cli_site, "search", "", "--near", POSTCODE, "--sort", "distance", "--limit", "100", "--json"
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    placed = [r for r in data["results"] if r["distance_miles"] is not None]
    # Venues are placed at their postcode's sector, so its neighbours tie with it.
    nearest = [r for r in placed if r["distance_miles"] == placed[0]["distance_miles"]]
    assert MEMORY_CAFE.slug in {r["activity"] for r in nearest}
    distances = [r["distance_miles"] for r in placed]
    assert distances == sorted(distances)
    unplaced = [r for r in data["results"] if r["distance_miles"] is None]
    assert unplaced and all(r["where"] for r in unplaced)  # online, by phone… stay, last
    assert data["results"][-len(unplaced) :] == unplaced


def test_cli_within_leaves_out_what_is_further(cli_site: Path) -> None:
    everything = json.loads(
        run(cli_site, "search", "", "--near", POSTCODE, "--limit", "100", "--json").stdout
    )
    close = json.loads(
        run(
            cli_site, "search", "", "--near", POSTCODE, "--within", "1", "--limit", "100", "--json"
        ).stdout
    )
    assert 0 < close["total"] < everything["total"]
    assert all(r["distance_miles"] is None or r["distance_miles"] <= 1 for r in close["results"])
    further = [r for r in everything["results"] if (r["distance_miles"] or 0) > 1]
    assert further and not {r["activity"] for r in further} & {
        r["activity"] for r in close["results"]
    }


def test_cli_unknown_postcode_is_one_clear_line(cli_site: Path) -> None:
    result = run(cli_site, "search", "yoga", "--near", "ZZ9 9ZZ")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "healthdir search: We could not find “ZZ9 9ZZ”. Check the postcode (such as AB1 2CD, "
        "or just AB1), or use the name of an area in the directory."
    ]


def test_a_postcode_in_the_words_and_an_area_name_work(sample_index: Path) -> None:
    index = SearchIndex(sample_index)
    found = index.search(f"singing {POSTCODE.split()[0]}")
    assert found.query == "singing" and found.near == POSTCODE.split()[0]
    assert found.results and found.results[0].distance_miles is not None
    area = index.search("", near="Anytown Central", sort="distance", limit=5)
    assert area.results[0].distance_miles is not None
    with pytest.raises(UnknownPlace):
        index.search("", near="Atlantis")


def test_a_better_match_a_little_further_comes_first(sample_index: Path) -> None:
    index = SearchIndex(sample_index)
    by_relevance = index.search("singing", near=POSTCODE, within=20).results
    by_distance = index.search("singing", near=POSTCODE, within=20, sort="distance").results
    assert {r.activity for r in by_relevance} == {r.activity for r in by_distance}
    far = [99.0 if r.distance_miles is None else r.distance_miles for r in by_distance]
    assert far == sorted(far)
    best = max(by_relevance, key=lambda r: r.score)
    assert by_relevance[0].score >= 0.5 * best.score


def test_distances_are_measured_offline_from_the_tables() -> None:
    here, there = postcode_point("AB2 1TY"), postcode_point("AB1 6JS")
    assert here and there and 0 < miles(here, there) < 20


def test_api_near_within_sort_and_errors(url: str) -> None:
    client = Client(url)
    status, _, body = client.get(
        f"/api/search?q=&near={POSTCODE.replace(' ', '+')}&within=2&sort=distance&limit=50"
    )
    data = json.loads(body)
    assert status == 200 and data["near"] == POSTCODE and data["within"] == 2
    assert all(r["distance_miles"] is None or r["distance_miles"] <= 2 for r in data["results"])
    status, _, body = client.get("/api/search?q=yoga&near=ZZ9+9ZZ")
    assert status == 400 and json.loads(body)["parameter"] == "near"
    status, _, body = client.get(f"/api/search?q=yoga&near={POSTCODE.replace(' ', '+')}&within=3")
    assert status == 400 and json.loads(body)["parameter"] == "within"


def test_search_page_with_a_place_shows_distances(url: str) -> None:
    status, _, html = Client(url).get(
        f"/search?q=singing&near={POSTCODE.replace(' ', '+')}&within=5"
    )
    soup = BeautifulSoup(html, "html.parser")
    assert status == 200
    facts = [dd.get_text() for dd in soup.select(".hd-activity dl div:first-child dd")]
    assert facts and all(
        "mile" in fact or fact in ("Online", "By phone", "Comes to you") for fact in facts
    )
    chips = [a.get_text(" ", strip=True) for a in soup.select(".hd-showing a")]
    assert any(f"Within 5 miles of {POSTCODE}" in chip for chip in chips)


def test_a_postcode_typed_in_the_words_becomes_the_place(url: str) -> None:
    status, headers, _ = Client(url).get("/search?q=singing+AB2")
    assert status == 303 and headers["Location"] == "/search?q=singing&near=AB2&within=5"


def test_an_unknown_postcode_gets_a_message_not_an_error_page(url: str) -> None:
    status, _, html = Client(url).get("/search?q=yoga&near=ZZ9+9ZZ")
    soup = BeautifulSoup(html, "html.parser")
    assert status == 200
    assert "We could not find “ZZ9 9ZZ”" in soup.select_one(".nhsuk-error-summary").get_text()
    assert soup.select_one("#near")["value"] == "ZZ9 9ZZ"


@pytest.mark.parametrize(
    "query", [f"q=singing&near={POSTCODE.replace(' ', '+')}", "q=yoga&near=ZZ9+9ZZ"]
)
def test_near_pages_are_axe_clean_and_work_without_javascript(
    page: Page,
    page_without_js: Page,
    url: str,
    query: str,
) -> None:
    page.goto(f"{url}/search?{query}")
    assert axe_violations(page) == []
    page_without_js.goto(f"{url}/search?q=singing")
    page_without_js.fill("#near", POSTCODE)
    page_without_js.select_option("#within", "2")
    page_without_js.press("#near", "Enter")
    page_without_js.wait_for_load_state()
    assert "within=2" in page_without_js.url
    assert page_without_js.locator(".hd-activity").count() > 0
