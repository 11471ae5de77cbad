"""Open data: the ORUK-shaped feed against the official schemas, CSV, sitemap, Atom, JSON-LD,
the provision map and leaflets."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from conftest import PUBLIC_URL, REPO, TODAY
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from entries import load_directory
from entries.site_settings import site_settings
from open_data.oruk import service_id

FIXTURES = Path(__file__).parent / "fixtures" / "oruk"
DIRECTORY, _ = load_directory(REPO, site_settings(REPO), today=TODAY)
LISTED = DIRECTORY.listed_activities()


def validator(name: str) -> Draft202012Validator:
    schemas = {p.name: json.loads(p.read_text()) for p in FIXTURES.glob("*.json")}
    registry = Registry().with_resources(
        (file, Resource.from_contents(schema, default_specification=DRAFT202012))
        for file, schema in schemas.items()
    )
    return Draft202012Validator(
        schemas[name], registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def errors(name: str, instance: object) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator(name).iter_errors(instance)
    ]


def load(output: Path, path: str) -> dict:
    return json.loads((output / "data" / path).read_text())


def test_every_service_validates_against_the_oruk_profile(sample_output: Path) -> None:
    listing = load(sample_output, "services.json")
    assert listing["total_items"] == len(LISTED) == len(listing["contents"])
    for record in listing["contents"]:
        assert errors("service_list.json", record) == [], record["name"]
        single = load(sample_output, f"services/{record['id']}.json")
        assert single == record
        assert errors("service.json", single) == [], single["name"]


def test_services_carry_the_entry_faithfully(sample_output: Path) -> None:
    by_id = {r["id"]: r for r in load(sample_output, "services.json")["contents"]}
    for activity in LISTED:
        record = by_id[service_id(activity)]
        assert record["name"] == activity.name
        assert record["organization"]["name"] == activity.provider.name
        assert record["status"] == ("temporarily closed" if activity.is_paused else "active")
        terms = {a["taxonomy_term"]["term"] for a in record["attributes"]}
        assert terms == set(activity.domains)
        assert all(
            a["taxonomy_term"]["taxonomy"] == "Self-management domains"
            for a in record["attributes"]
        )
        if activity.venue and activity.venue.postcode:
            address = record["service_at_locations"][0]["location"]["addresses"][0]
            assert address["postal_code"] == activity.venue.postcode
        assert record["schedules"][0]["description"] == activity.when
        if activity.schedule:
            assert record["schedules"][0]["freq"] == "WEEKLY"
        assert (
            record["last_modified"] == f"{activity.provider.last_confirmed.isoformat()}T00:00:00Z"
        )


def test_organizations_and_taxonomy_validate(sample_output: Path) -> None:
    organizations = load(sample_output, "organizations.json")["contents"]
    assert {o["name"] for o in organizations} == {
        p.name for p in DIRECTORY.providers if p.listed_activities
    }
    for record in organizations:
        assert errors("organization.json", record) == []
    [taxonomy] = load(sample_output, "taxonomies.json")["contents"]
    assert errors("taxonomy.json", taxonomy) == []
    assert [t["term"] for t in taxonomy["taxonomy_terms"]] == list(DIRECTORY.domains)
    for term in load(sample_output, "taxonomy_terms.json")["contents"]:
        assert errors("taxonomy_term.json", term) == []


def test_hidden_and_closed_activities_are_not_in_the_open_data(sample_output: Path) -> None:
    everything = "".join(p.read_text() for p in (sample_output / "data").rglob("*") if p.is_file())
    for provider in DIRECTORY.hidden:
        assert provider.name not in everything
    closed = [a for p in DIRECTORY.providers for a in p.activities if not a.is_listed]
    assert closed and all(service_id(a) not in everything for a in closed)


def test_csv_has_one_row_per_live_activity_and_round_trips(sample_output: Path) -> None:
    rows = list(csv.DictReader(io.StringIO((sample_output / "data/activities.csv").read_text())))
    assert len(rows) == len(LISTED)
    by_key = {(r["provider"], r["activity"]): r for r in rows}
    for activity in LISTED:
        row = by_key[(activity.provider.slug, activity.slug)]
        assert row["name"] == activity.name and row["summary"] == activity.summary
        assert row["domains"].split("; ") == list(activity.domains)
        assert row["locality"] == activity.locality and row["when"] == activity.when
        assert (row["cost"], row["price"], row["how_to_join"]) == (
            activity.cost,
            activity.price,
            activity.how_to_join,
        )
        assert row["postcode"] == (activity.venue.postcode if activity.venue else "")
        assert row["languages"] == "; ".join(activity.languages)
        assert row["last_confirmed"] == activity.provider.last_confirmed.isoformat()
        assert row["phone"] == activity.contact.phone and row["email"] == activity.contact.email


def test_sitemap_and_atom_feed(sample_output: Path) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [
        e.text for e in ET.parse(sample_output / "sitemap.xml").getroot().findall("s:url/s:loc", ns)
    ]
    assert f"{PUBLIC_URL}/" in locs
    assert all(f"{PUBLIC_URL}/{a.url}" in locs for a in LISTED)
    atom = ET.parse(sample_output / "feeds/activities.atom").getroot()
    entries = atom.findall("{http://www.w3.org/2005/Atom}entry")
    assert 0 < len(entries) <= 50
    updated = [e.find("{http://www.w3.org/2005/Atom}updated").text for e in entries]
    assert updated == sorted(updated, reverse=True)


def test_activity_pages_have_safe_json_ld(sample_output: Path) -> None:
    activity = LISTED[0]
    soup = BeautifulSoup((sample_output / activity.url / "index.html").read_text(), "html.parser")
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert data["@type"] == "Service" and data["name"] == activity.name
    assert data["provider"]["name"] == activity.provider.name


def test_provision_map_is_a_real_table_with_gaps_marked(sample_output: Path) -> None:
    soup = BeautifulSoup((sample_output / "provision/index.html").read_text(), "html.parser")
    table = soup.select_one("table.hd-provision")
    assert table.caption.get_text(strip=True).startswith("Activities by topic and area")
    assert [th["scope"] for th in table.select("thead th")] == ["col"] * (
        1 + len(DIRECTORY.site.localities)
    )
    assert len(table.select("tbody th[scope=row]")) == len(DIRECTORY.domains)
    rows = list(csv.DictReader(io.StringIO((sample_output / "data/provision.csv").read_text())))
    assert len(rows) == len(DIRECTORY.domains) * len(DIRECTORY.site.localities)
    for row in rows:
        expected = [
            a
            for a in LISTED
            if row["domain"] in a.domains and a.locality in (row["locality"], "all")
        ]
        assert int(row["activities"]) == len(expected)
        assert int(row["free"]) == sum(a.cost == "free" for a in expected)
    gaps = [r for r in rows if r["activities"] == "0"]
    assert len(table.select("td.hd-gap")) == len(gaps)


@pytest.mark.parametrize("kind", ["domains/befriending", "localities/north"])
def test_leaflets_list_live_activities(sample_output: Path, kind: str) -> None:
    soup = BeautifulSoup(
        (sample_output / "leaflets" / kind / "index.html").read_text(), "html.parser"
    )
    names = [h.get_text(strip=True) for h in soup.select(".hd-leaflet__item h2")]
    group, key = kind.split("/")
    expected = [
        a
        for a in LISTED
        if (key in a.domains if group == "domains" else a.locality in (key, "all"))
    ]
    assert sorted(names) == sorted(a.name for a in expected)
    assert "Details last confirmed on" in soup.get_text()
    assert "Not for emergencies" in soup.get_text()


def test_sitemap_lists_every_page_and_only_pages(sample_output: Path) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.parse(sample_output / "sitemap.xml").getroot()
    listed = {e.text.removeprefix(f"{PUBLIC_URL}/") for e in root.findall("s:url/s:loc", ns)}
    built = {
        str(p.parent.relative_to(sample_output)).replace(".", "")
        + ("/" if p.parent != sample_output else "")
        for p in sample_output.rglob("index.html")
    }
    unlisted = {
        f"{language}{page}"
        for language in ("", "bn/", "ur/", "pl/", "so/")
        for page in ("search/", "my-list/")
    }
    assert listed == built - unlisted
