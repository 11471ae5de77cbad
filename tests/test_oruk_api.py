"""The Open Referral UK query API (/api/oruk/) over real HTTP: every response checked
against the UK profile's API description and schemas (copies in tests/fixtures/oruk/),
search by our own engine, distances from a postcode, filters, paging and bad requests."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, TODAY, Client, serve
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from entries import Activity, load_directory
from entries.places import miles, postcode_point
from entries.site_settings import site_settings
from open_data.oruk import service_at_location_id, service_id, taxonomy_term_id
from search import SearchIndex
from service import create_app
from service.oruk_api import METRES_PER_MILE

FIXTURES = Path(__file__).parent / "fixtures" / "oruk"
# Where the profile's openapi.json finds each schema; the fixtures are copies of them.
PROFILE = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
COMPILED = {
    "service.json",
    "service_list.json",
    "organization.json",
    "service_at_location.json",
    "service_at_location_list.json",
}
REGISTRY = Registry().with_resources(
    (
        PROFILE + ("compiled/" if path.name in COMPILED else "") + path.name,
        Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT202012),
    )
    for path in FIXTURES.glob("*.json")
)
DIRECTORY, _ = load_directory(REPO, site_settings(REPO), today=TODAY)
LISTED = DIRECTORY.listed_activities()
BY_ID = {service_id(a): a for a in LISTED}
MEMORY_CAFE = next(a for a in LISTED if a.slug == "memory-cafe-with-singing")
POSTCODE = MEMORY_CAFE.venue.postcode
AT_POSTCODE = f"service_at_locations?postcode={urllib.parse.quote(POSTCODE)}"


def errors(schema_ref: str, instance: object) -> list[str]:
    """What is wrong with ``instance`` by the schema at ``schema_ref`` (under PROFILE)."""
    validator = Draft202012Validator(
        {"$ref": PROFILE + schema_ref},
        registry=REGISTRY,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(instance)
    ]


def response_errors(path: str, instance: object) -> list[str]:
    """What is wrong with ``instance`` as the 200 response the profile's API description
    gives for ``path`` (such as ``/services/{id}``)."""
    pointer = path.replace("~", "~0").replace("/", "~1")
    return errors(
        f"openapi.json#/paths/{pointer}/get/responses/200/content/application~1json/schema",
        instance,
    )


@pytest.fixture(scope="module")
def api(sample_build: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    output, index = sample_build
    unmet = tmp_path_factory.mktemp("var") / "unmet-need.sqlite3"
    yield from serve(create_app(REPO, output, index=index, unmet_need=unmet))


def get(api: str, path: str, status: int = 200) -> dict:
    """GET a JSON response, open to any website, with the expected status."""
    code, headers, body = Client(api).get(path)
    assert code == status, body
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["Content-Type"] == "application/json"
    return json.loads(body)


def every(api: str, path: str) -> list[dict]:
    """Every item of a list, page after page (checking each page against the profile)."""
    found: list[dict] = []
    number = 1
    while True:
        separator = "&" if "?" in path else "?"
        page = get(api, f"{path}{separator}page={number}&per_page=7")
        assert response_errors(path.split("?")[0].removeprefix("/api/oruk"), page) == []
        assert page["page_number"] == number and page["first_page"] == (number == 1)
        found += page["contents"]
        if page["last_page"]:
            assert page["total_items"] == len(found) and page["total_pages"] == number
            return found
        assert page["size"] == 7
        number += 1


def test_api_information(api: str) -> None:
    about = get(api, "/api/oruk/")
    assert response_errors("/", about) == []
    assert about["version"] == "3.0"
    assert about["openapi_url"].endswith("/openapi.json")


def test_search_uses_the_search_engine_and_pages_its_ranking(api: str, sample_index: Path) -> None:
    page = get(api, "/api/oruk/services?search=walking&page=1&per_page=5")
    assert response_errors("/services", page) == []
    found = SearchIndex(sample_index).search("walking", limit=100)
    ranked = [
        service_id(a)
        for r in found.results
        for a in LISTED
        if (a.provider.slug, a.slug) == (r.provider, r.activity)
    ]
    assert found.total > 5
    assert {k: v for k, v in page.items() if k != "contents"} == {
        "total_items": found.total,
        "total_pages": -(-found.total // 5),
        "page_number": 1,
        "size": 5,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    assert [s["id"] for s in page["contents"]] == ranked[:5]
    assert "walk" in page["contents"][0]["name"].lower()
    second = get(api, "/api/oruk/services?search=walking&page=2&per_page=5")
    assert [s["id"] for s in second["contents"]] == ranked[5:10]
    # A list gives each service's own fields, not its lists of schedules, contacts…
    assert "schedules" not in page["contents"][0] and "organization" in page["contents"][0]


def test_search_finds_what_a_substring_match_would_not(api: str) -> None:
    def text(activity: Activity) -> str:
        return f"{activity.name} {activity.summary} {activity.details}".lower()

    assert not any("excercise" in text(a) for a in LISTED)
    found = [BY_ID[s["id"]] for s in every(api, "/api/oruk/services?search=excercise")]
    assert found and "exercise" in text(found[0])


def test_services_at_locations_near_a_postcode(api: str) -> None:
    path = f"/api/oruk/{AT_POSTCODE}&proximity=2000"
    assert response_errors("/service_at_locations", get(api, path)) == []
    origin = postcode_point(POSTCODE)
    found = every(api, path)
    assert service_at_location_id(MEMORY_CAFE) in {item["id"] for item in found}
    # Nearest first (the venues of one postcode sector share its centre: A to Z).
    distances = [miles(origin, BY_ID[item["service_id"]].venue.point) for item in found]
    assert distances == sorted(distances)
    assert max(distances) <= 2000 / METRES_PER_MILE
    near = {
        service_at_location_id(a)
        for a in LISTED
        if a.venue and a.venue.point and miles(origin, a.venue.point) <= 2000 / METRES_PER_MILE
    }
    assert {item["id"] for item in found} == near
    assert len(near) < len([a for a in LISTED if a.venue])  # the proximity left some out
    closer = every(api, path.replace("proximity=2000", "proximity=100"))
    assert {item["id"] for item in closer} < near
    # Without a proximity, every venue, nearest first.
    everywhere = every(api, f"/api/oruk/{AT_POSTCODE}")
    assert {item["id"] for item in everywhere} == {
        service_at_location_id(a) for a in LISTED if a.venue
    }
    distances = [miles(origin, BY_ID[item["service_id"]].venue.point) for item in everywhere]
    assert distances == sorted(distances)


def test_a_service_by_id_is_the_full_record_of_the_static_feed(
    api: str, sample_output: Path
) -> None:
    listed = every(api, "/api/oruk/services")
    assert {s["id"] for s in listed} == set(BY_ID)
    for summary in listed:
        record = get(api, f"/api/oruk/services/{summary['id']}")
        assert response_errors("/services/{id}", record) == [], record["name"]
        static = json.loads(
            (sample_output / "data" / "services" / f"{record['id']}.json").read_text()
        )
        assert record == static
        assert record["schedules"] and record["organization"]["id"]


def test_a_service_at_location_by_id_nests_its_service_and_location(api: str) -> None:
    record = get(api, f"/api/oruk/service_at_locations/{service_at_location_id(MEMORY_CAFE)}")
    # The profile's openapi.json names service.json for this response; its own
    # description (and HSDS) say a fully nested service_at_location, which this is.
    assert errors("compiled/service_at_location.json", record) == []
    assert record["service"]["id"] == record["service_id"] == service_id(MEMORY_CAFE)
    assert record["location"]["addresses"][0]["postal_code"] == POSTCODE
    assert record["service"]["schedules"] and "service_at_locations" not in record["service"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/oruk/services/not-an-id",
        f"/api/oruk/services/{service_at_location_id(MEMORY_CAFE)}",
        f"/api/oruk/service_at_locations/{service_id(MEMORY_CAFE)}",
        "/api/oruk/taxonomies/not-an-id",
        "/api/oruk/taxonomy_terms/not-an-id",
    ],
)
def test_an_unknown_id_is_a_json_404(api: str, path: str) -> None:
    body = get(api, path, status=404)
    assert body["parameter"] == "id" and "lists them" in body["error"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("services?page=0", "page"),
        ("services?page=two", "page"),
        ("services?per_page=501", "per_page"),
        ("services?per_page=-5", "per_page"),
        ("services?day=funday", "day"),
        ("services?minimum_age=old", "minimum_age"),
        ("services?maximum_age=-1", "maximum_age"),
        ("services?minimum_age=nan", "minimum_age"),
        ("services?taxonomy_term_id=not-a-term", "taxonomy_term_id"),
        ("services?modified_after=2026-01-01", "modified_after"),
        ("services?postcode=AB1", "postcode"),
        (f"{AT_POSTCODE}&proximity=far", "proximity"),
        (f"{AT_POSTCODE}&proximity=0", "proximity"),
        (f"{AT_POSTCODE}&proximity=inf", "proximity"),
        ("service_at_locations?proximity=2000", "proximity"),
        ("service_at_locations?postcode=ZZ99+9ZZ&proximity=2000", "postcode"),
        ("taxonomy_terms?per_page=0", "per_page"),
    ],
)
def test_a_bad_parameter_is_a_400_saying_which_and_why(
    api: str, query: str, parameter: str
) -> None:
    body = get(api, f"/api/oruk/{query}", status=400)
    assert body["parameter"] == parameter
    assert body["error"].endswith(".") and len(body["error"]) > 20


def test_filters_by_topic_day_and_age(api: str) -> None:
    def ids(query: str) -> set[str]:
        return {s["id"] for s in every(api, f"/api/oruk/services?{query}")}

    term = taxonomy_term_id("befriending")
    assert ids(f"taxonomy_term_id={term}") == {
        service_id(a) for a in LISTED if "befriending" in a.domains
    }
    saturday = {service_id(a) for a in LISTED if "sat" in a.days}
    assert saturday and ids("day=SA") == ids("day=saturday") == ids("day=sat") == saturday
    # As the profile words them: a minimum age of at least, a maximum age of at most.
    assert ids("minimum_age=18") == {service_id(a) for a in LISTED if (a.age_min or 0) >= 18}
    assert ids("maximum_age=30") == {
        service_id(a) for a in LISTED if a.age_max is not None and a.age_max <= 30
    }
    both = ids(f"taxonomy_term_id={term}&day=sat&search=coffee")
    assert both and all("sat" in BY_ID[i].days and "befriending" in BY_ID[i].domains for i in both)


def test_hidden_and_closed_activities_never_appear(api: str) -> None:
    services = {s["id"] for s in every(api, "/api/oruk/services")}
    at_locations = {s["id"] for s in every(api, "/api/oruk/service_at_locations")}
    assert at_locations == {service_at_location_id(a) for a in LISTED if a.venue}
    closed = [a for p in DIRECTORY.providers for a in p.activities if not a.is_listed]
    hidden = [a for p in DIRECTORY.hidden for a in p.activities]
    assert closed and hidden
    for activity in closed + hidden:
        assert service_id(activity) not in services
        get(api, f"/api/oruk/services/{service_id(activity)}", status=404)


def test_taxonomies_and_terms(api: str) -> None:
    [taxonomy] = every(api, "/api/oruk/taxonomies")
    one = get(api, f"/api/oruk/taxonomies/{taxonomy['id']}")
    assert response_errors("/taxonomies/{id}", one) == [] and one == taxonomy
    terms = every(api, "/api/oruk/taxonomy_terms")
    assert [t["term"] for t in terms] == list(DIRECTORY.domains)
    term = get(api, f"/api/oruk/taxonomy_terms/{terms[0]['id']}")
    assert response_errors("/taxonomy_terms/{id}", term) == [] and term == terms[0]


def test_a_page_past_the_last_is_empty(api: str) -> None:
    page = get(api, "/api/oruk/services?page=99&per_page=10")
    assert response_errors("/services", page) == []
    assert page["empty"] and page["contents"] == [] and page["last_page"]
    assert page["total_items"] == len(LISTED) and page["page_number"] == 99
