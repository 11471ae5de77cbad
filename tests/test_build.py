"""A real Pelican build of the sample content, read back with BeautifulSoup."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import GOOD_PROVIDER, REPO, TODAY, write_provider

from entries import load_directory
from entries.formatting import label, long_date
from entries.site_settings import site_settings
from healthdir.publish import build

SETTINGS = site_settings(REPO)
DIRECTORY, PROBLEMS = load_directory(REPO, SETTINGS, today=TODAY)
LISTED = DIRECTORY.listed_activities()


def page(output: Path, url: str) -> BeautifulSoup:
    path = output / url / "index.html"
    assert path.is_file(), f"{url} was not built"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def text_of(soup: BeautifulSoup) -> str:
    return " ".join(soup.get_text(" ").split())


def test_sample_content_is_valid_and_big_enough() -> None:
    assert PROBLEMS == []
    assert len(DIRECTORY.all_providers) >= 30
    assert sum(len(p.activities) for p in DIRECTORY.all_providers) >= 45
    assert {d for a in LISTED for d in a.domains} == set(DIRECTORY.domains)
    assert len(DIRECTORY.domains) == 6
    assert {a.locality for a in LISTED} >= {*SETTINGS["LOCALITIES"], "all"}
    assert sum(a.is_paused for a in LISTED) == 1
    old = [p for p in DIRECTORY.all_providers if (TODAY - p.last_confirmed).days > 365]
    assert len(old) == 2
    assert DIRECTORY.hidden == sorted(old, key=lambda p: p.name.casefold())
    languages = {
        lang for p in DIRECTORY.all_providers for a in p.activities for lang in a.languages
    }
    assert {"Urdu", "Polish", "Somali", "Bengali"} <= languages
    assert any(a.cost == "paid" for a in LISTED)
    assert any("online" in a.delivery for a in LISTED)
    assert any("telephone" in a.delivery for a in LISTED)
    assert any("home-visit" in a.delivery for a in LISTED)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "domains",
        "localities",
        "providers",
        "recently-confirmed",
        "accessibility",
        "about",
        "search",
    ],
)
def test_every_page_has_the_essentials(sample_output: Path, url: str) -> None:
    soup = page(sample_output, url)
    assert soup.html["lang"] == "en-GB"
    assert soup.select_one("a.nhsuk-skip-link")["href"] == "#maincontent"
    assert soup.select_one("main#maincontent")
    assert len(soup.find_all("h1")) == 1
    assert "not for emergencies" in text_of(soup)
    assert "999" in text_of(soup) and "NHS 111" in text_of(soup)
    assert soup.select_one("header form[action='/search'] input[name=q]")
    assert (
        "Anytown Community Health Directory" in soup.select_one(".nhsuk-header__service-name").text
    )
    assert not soup.select(".nhsuk-header__logo"), "no NHS logo by default"
    for tag in soup.find_all(["script", "link", "img"]):
        address = tag.get("src") or tag.get("href") or ""
        assert not address.startswith(("http:", "https:", "//")), f"third-party request: {address}"


def test_home_page_lists_domains_localities_and_search(sample_output: Path) -> None:
    soup = page(sample_output, "")
    links = {a["href"] for a in soup.select("main a")}
    assert {f"/domains/{d}/" for d in DIRECTORY.domains} <= links
    assert {f"/localities/{loc}/" for loc in SETTINGS["LOCALITIES"]} <= links
    assert soup.select_one("main form[action='/search'] input[name=q]")
    assert "This directory is not for emergencies" in text_of(soup)


def test_every_provider_has_a_page_with_its_details(sample_output: Path) -> None:
    for provider in DIRECTORY.providers:
        if not provider.listed_activities:
            assert not (sample_output / provider.url).exists()
            continue
        soup = page(sample_output, provider.url)
        text = text_of(soup)
        assert soup.h1.get_text(strip=True) == provider.name
        if provider.about:
            assert " ".join(provider.about.split()) in text
        assert f"Details last confirmed: {long_date(provider.last_confirmed)}" in text
        hrefs = {a["href"] for a in soup.select("main a")}
        assert {f"/{a.url}" for a in provider.listed_activities} <= hrefs
        if provider.contact.email:
            assert f"mailto:{provider.contact.email}" in hrefs


def test_every_activity_page_shows_its_fields(sample_output: Path) -> None:
    for activity in LISTED:
        soup = page(sample_output, activity.url)
        text = text_of(soup)
        for value in (
            activity.name,
            activity.summary,
            activity.when,
            label(activity.cost, "cost"),
            label(activity.how_to_join, "how_to_join"),
        ):
            assert " ".join(value.split()) in text, f"{activity.url}: {value!r} missing"
        for value in (
            activity.price,
            activity.who_for,
            activity.accessibility_notes,
            activity.alert,
        ):
            if value:
                assert " ".join(value.split()) in text, f"{activity.url}: {value!r} missing"
        if activity.venue:
            assert activity.venue.name in text
            assert activity.venue.postcode in text
            if activity.venue.address:
                assert " ".join(activity.venue.address.split()) in text
        for feature in activity.accessibility:
            assert label(feature, "accessibility") in text
        for language in activity.languages:
            assert language in text
        for way in activity.delivery:
            assert label(way, "delivery") in text
        if activity.age_min is not None:
            assert str(activity.age_min) in text
        contact = activity.contact
        assert contact, activity.url
        if contact.phone:
            assert contact.phone in text
        if contact.email:
            assert soup.select_one(f'a[href="mailto:{contact.email}"]')
        assert f"Details last confirmed: {long_date(activity.provider.last_confirmed)}" in text
        crumbs = [a["href"] for a in soup.select("nav.nhsuk-breadcrumb li a")]
        assert crumbs == ["/", "/providers/", f"/{activity.provider.url}"]


def test_paused_activity_says_so_and_closed_ones_are_not_listed(sample_output: Path) -> None:
    [paused] = [a for a in LISTED if a.is_paused]
    assert "This activity is paused" in text_of(page(sample_output, paused.url))
    closed = [a for p in DIRECTORY.providers for a in p.activities if not a.is_listed]
    assert closed, "the sample has a closed activity"
    everything = "".join(p.read_text() for p in sample_output.rglob("*.html"))
    for activity in closed:
        assert not (sample_output / activity.url).exists()
        assert f"/{activity.url}" not in everything


def test_domain_pages_group_activities_by_locality(sample_output: Path) -> None:
    for domain_id, domain in DIRECTORY.domains.items():
        soup = page(sample_output, f"domains/{domain_id}")
        assert soup.h1.get_text(strip=True) == domain.title
        expected = {f"/{a.url}" for a in LISTED if domain_id in a.domains}
        listed = {a["href"] for a in soup.select("li.hd-activity h3 a")}
        assert listed == expected
        headings = [h["id"] for h in soup.select("main h2[id]")]
        order = [*SETTINGS["LOCALITIES"], "all"]
        assert headings == [loc for loc in order if loc in headings]
        for section in soup.select("main section"):
            locality = section.h2["id"]
            for link in section.select("li.hd-activity h3 a"):
                activity = next(a for a in LISTED if f"/{a.url}" == link["href"])
                assert activity.locality == locality


def test_locality_pages_group_by_domain_and_include_area_wide(sample_output: Path) -> None:
    for locality_id, name in SETTINGS["LOCALITIES"].items():
        soup = page(sample_output, f"localities/{locality_id}")
        assert name in soup.h1.get_text()
        expected = {f"/{a.url}" for a in LISTED if a.locality in (locality_id, "all")}
        assert {a["href"] for a in soup.select("li.hd-activity h3 a")} == expected
        assert [h["id"] for h in soup.select("main h2[id]")] == [
            d for d in DIRECTORY.domains if d in {h["id"] for h in soup.select("main h2[id]")}
        ]


def test_a_to_z_and_recently_confirmed(sample_output: Path) -> None:
    soup = page(sample_output, "providers")
    listed = [p for p in DIRECTORY.providers if p.listed_activities]
    assert [a["href"] for a in soup.select("main section li a")] == [f"/{p.url}" for p in listed]
    recent = page(sample_output, "recently-confirmed")
    dates = [td.get_text(strip=True) for td in recent.select("tbody tr td:nth-of-type(2)")]
    newest = max(p.last_confirmed for p in listed)
    assert dates[0] == long_date(newest)
    assert recent.select_one("table caption")


HOSTILE = (
    GOOD_PROVIDER.replace(
        "name: Anytown Cat and Dog Shelter\n", 'name: "<script>alert(1)</script> Shelter"\n', 1
    )
    .replace(
        "      Wear boots. We provide leads and a short safety talk.\n",
        "      Wear boots. <script>alert('x')</script>\n"
        "      <img src=x onerror=alert(1)> <b onclick=alert(2)>Bold</b>\n"
        "      [click me](javascript:alert(3)) and [our site](https://shelter.example.org)\n"
        "      <iframe src=https://evil.example.com></iframe><style>body{display:none}</style>\n",
    )
    .replace("summary: Walk our", 'summary: "<em>Walk</em> our')
)
HOSTILE = HOSTILE.replace("No experience needed.\n", 'No experience needed."\n', 1)


def test_hostile_text_comes_out_inert(site: Path) -> None:
    write_provider(site, "hostile", HOSTILE)
    out = site / "output"
    build(site, out, today=TODAY)
    html = (out / "activities/hostile/dog-walking-volunteers/index.html").read_text()
    soup = BeautifulSoup(html, "html.parser")
    scripts = [
        s
        for s in soup.find_all("script")
        if s.get("src") is None and s.get("type") not in ("application/ld+json", "application/json")
    ]
    assert len(scripts) == 1 and "js-enabled" in scripts[0].text  # only the theme's own
    assert not soup.find_all(["iframe", "img", "style", "b"])
    assert not re.search(r"\son\w+=", html)
    assert "javascript:" not in html
    details = soup.select_one(".hd-details")
    assert "Bold" in details.text
    assert "click me" in details.text
    link = details.select_one('a[href="https://shelter.example.org"]')
    assert "noopener" in link["rel"]
    assert "<script>alert(1)</script> Shelter" in soup.h1.get_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;em&gt;Walk&lt;/em&gt;" in html


def test_freshness_policy_on_a_fixed_build_date(site: Path) -> None:
    dates = {"fresh-group": "2026-09-01", "due-group": "2026-03-03", "overdue-group": "2025-11-01"}
    for slug, confirmed in dates.items():
        name = slug.replace("-", " ").title()
        write_provider(
            site,
            slug,
            GOOD_PROVIDER.replace("Anytown Cat and Dog Shelter", name)
            .replace("last_confirmed: 2026-10-14", f"last_confirmed: {confirmed}")
            .replace("on: 2026-10-14", f"on: {confirmed}"),
        )
    out = site / "output"
    build(site, out, today=TODAY, index=site / "index")
    warning = "These details were last confirmed on 3 March 2026 and may have changed. Check with the group before you go."
    assert warning in text_of(page(out, "providers/due-group"))
    assert warning in text_of(page(out, "activities/due-group/dog-walking-volunteers"))
    assert "may have changed" not in text_of(
        page(out, "activities/fresh-group/dog-walking-volunteers")
    )
    assert not (out / "providers/overdue-group").exists()
    assert not (out / "activities/overdue-group").exists()
    assert "overdue-group" not in (out / "providers/index.html").read_text()
    from search import SearchIndex

    found = SearchIndex(site / "index").search("dog walking").results
    assert [r.provider for r in found] == ["fresh-group", "due-group"]
    assert (site / "content/providers/overdue-group.yaml").exists()  # kept, not deleted
    # The same content built a year earlier: nothing is due or hidden yet.
    build(site, out, today=date(2026, 9, 2), index=site / "index")
    assert (out / "providers/overdue-group/index.html").exists()
    assert "may have changed" not in text_of(page(out, "providers/due-group"))


def test_how_up_to_date_page(sample_output: Path) -> None:
    soup = page(sample_output, "freshness")
    text = text_of(soup)
    everything = [(p, a) for p in DIRECTORY.all_providers for a in p.listed_activities]
    six = sum(1 for p, _ in everything if (TODAY - p.last_confirmed).days < 183)
    assert f"of activities were confirmed in the last 6 months ({six} of {len(everything)})" in text
    assert "After 12 months without a confirmation, we take the listing off the website" in text


def test_an_easy_read_summary_comes_first(sample_output: Path) -> None:
    """A field the model does not name (easy_read) reaches its page from the schema."""
    soup = page(sample_output, "activities/anytown-memory-cafe/memory-cafe-with-singing/")
    section = soup.select_one("section.hd-easy-read")
    lines = [p.get_text() for p in section.select("p")]
    assert lines[0] == "Come for tea and cake." and len(lines) == 4
    lede = soup.select_one("p.nhsuk-lede-text")
    assert section.find_all_next("p", class_="nhsuk-lede-text")[0] is lede
    other = page(sample_output, "activities/millbrook-health-walks/millbrook-health-walk/")
    assert other.select_one("section.hd-easy-read") is None
