"""The link worker's and the patient's journey (issue 15): the public address in every
link that leaves the site, the signposting sheet printed with Chromium, print that reads
well, results first on a phone, and taking an activity away (calendar, text, email)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
from conftest import GOOD_PROVIDER, HEALTHDIR, PUBLIC_URL, REPO, TODAY, axe_violations, serve
from playwright.sync_api import Page
from pypdf import PdfReader

from entries import load_directory
from entries.formatting import long_date
from entries.site_settings import site_settings
from entries.summary import summarise
from service import create_app

DIRECTORY, _ = load_directory(REPO, site_settings(REPO), today=TODAY)
LISTED = DIRECTORY.listed_activities()
TYPICAL = [a for a in LISTED if not a.is_paused]  # what a link worker would add
SHELTER_WALKS = next(a for a in LISTED if a.name == "Dog walking volunteers")
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
PHONE = {"width": 375, "height": 667}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([HEALTHDIR, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def pdf_text(pdf: bytes) -> tuple[int, str]:
    """The number of pages and the words of a PDF, with the lines joined up."""
    pages = PdfReader(BytesIO(pdf)).pages
    return len(pages), " ".join(" ".join(p.extract_text() for p in pages).split())


@pytest.fixture(scope="module")
def url(sample_build: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample directory as `healthdir serve` answers it: static pages and search."""
    output, index = sample_build
    db = tmp_path_factory.mktemp("journey") / "unmet.sqlite3"
    yield from serve(create_app(REPO, output, index=index, unmet_need=db))


# 1. The public address -----------------------------------------------------------------


def test_a_build_for_publishing_needs_the_public_address(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (site / "content/providers/anytown-cat-and-dog-shelter.yaml").write_text(GOOD_PROVIDER)
    monkeypatch.delenv("HEALTHDIR_PUBLIC_URL")
    refused = run("build", cwd=site)
    assert refused.returncode == 1
    assert "PUBLIC_URL" in refused.stderr and "--preview" in refused.stderr
    assert not (site / "output").exists()
    assert run("confirm-link", "anytown-cat-and-dog-shelter", cwd=site).returncode == 2

    monkeypatch.setenv("HEALTHDIR_PUBLIC_URL", "directory.anytown.example.org")
    assert "is not a web address" in run("build", cwd=site).stderr

    preview = run("build", "--preview", cwd=site)
    assert preview.returncode == 0, preview.stderr
    assert "local preview for http://127.0.0.1:8000" in preview.stdout
    sheet = (site / "output/my-list/index.html").read_text()
    assert "http://127.0.0.1:8000/" in sheet
    assert "<loc>http://127.0.0.1:8000/</loc>" in (site / "output/sitemap.xml").read_text()


def test_every_link_that_leaves_the_site_uses_the_public_address(sample_output: Path) -> None:
    for path in sample_output.rglob("*"):
        if path.suffix in {".html", ".json", ".csv", ".xml", ".atom", ".ics"}:
            assert "127.0.0.1" not in path.read_text(encoding="utf-8"), path
    walks = f"{PUBLIC_URL}/{SHELTER_WALKS.url}"
    assert f"<loc>{walks}</loc>" in (sample_output / "sitemap.xml").read_text()
    assert walks in (sample_output / "feeds/activities.atom").read_text()
    assert walks in (sample_output / "data/activities.csv").read_text()
    assert f'"url": "{walks}"' in (sample_output / "data/services.json").read_text()
    assert f"{PUBLIC_URL}/" in (sample_output / "my-list/index.html").read_text()
    assert (
        f"{PUBLIC_URL}/" in (sample_output / "leaflets/domains/befriending/index.html").read_text()
    )


# 6. Take it away: calendar, text message, email ------------------------------------------


def test_each_weekly_activity_has_a_calendar_file(sample_output: Path) -> None:
    weekly = [a for a in LISTED if a.calendar_url]
    assert len(weekly) >= 25
    for activity in weekly:
        calendar = icalendar.Calendar.from_ical(
            (sample_output / activity.calendar_url).read_bytes()
        )
        events = calendar.walk("VEVENT")
        assert len(events) == len(activity.schedule)
        for event, session in zip(events, activity.schedule, strict=True):
            start, end = event["DTSTART"].dt, event["DTEND"].dt
            assert str(start.tzinfo) == str(end.tzinfo) == "Europe/London"
            assert start.strftime("%H:%M") == session.start and end.strftime("%H:%M") == session.end
            assert DAYS[start.weekday()] in session.days
            assert TODAY <= start.date() < TODAY + timedelta(days=7)
            rule = event["RRULE"]
            assert rule["FREQ"] == ["WEEKLY"] and "UNTIL" not in rule and "COUNT" not in rule
            assert [DAYS.index(d) for d in session.days] == [
                ["MO", "TU", "WE", "TH", "FR", "SA", "SU"].index(d) for d in rule["BYDAY"]
            ]
            assert str(event["SUMMARY"]) == activity.name
            assert str(event["URL"]) == f"{PUBLIC_URL}/{activity.url}"
            assert f"{PUBLIC_URL}/{activity.url}" in str(event["DESCRIPTION"])
            if activity.venue:
                assert activity.venue.postcode in str(event["LOCATION"])
    # The file's own time-zone rules are the UK's: 10am is 10am in summer and in winter.
    rules = (
        icalendar.Calendar.from_ical((sample_output / SHELTER_WALKS.calendar_url).read_bytes())
        .walk("VTIMEZONE")[0]
        .to_tz(lookup_tzid=False)
    )
    for week in range(60):
        ten = datetime(2026, 11, 28, 10) + timedelta(weeks=week)
        expected = ten.replace(tzinfo=ZoneInfo("Europe/London")).utcoffset()
        assert ten.replace(tzinfo=rules).utcoffset() == expected, ten


def test_no_calendar_for_what_does_not_run_every_week(sample_output: Path) -> None:
    monthly = [a for a in LISTED if "of the month" in a.when]
    assert monthly and all(a.calendar_url is None for a in monthly)
    assert all(a.calendar_url is None for a in LISTED if a.is_paused or not a.schedule)
    files = {p.relative_to(sample_output).as_posix() for p in sample_output.rglob("*.ics")}
    assert files == {a.calendar_url for a in LISTED if a.calendar_url}


def test_calendar_text_message_and_email_without_javascript(
    page_without_js: Page, url: str
) -> None:
    page = page_without_js
    item = summarise(SHELTER_WALKS, DIRECTORY.site.locality_name(SHELTER_WALKS.locality))
    page.goto(f"{url}/{SHELTER_WALKS.url}")
    calendar = page.get_by_role("link", name="Add to calendar")
    response = page.request.get(url + calendar.get_attribute("href"))
    assert response.ok and response.headers["content-type"].startswith("text/calendar")
    event = icalendar.Calendar.from_ical(response.body()).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == SHELTER_WALKS.name
    assert calendar.get_attribute("download") is not None

    sms = page.get_by_role("link", name="Send to a phone").get_attribute("href")
    assert sms.startswith("sms:?body=")
    mailto = urlsplit(page.get_by_role("link", name="Send by email").get_attribute("href"))
    assert mailto.scheme == "mailto" and not mailto.path  # no address: the person adds it
    email = parse_qs(mailto.query)
    assert email["subject"] == [SHELTER_WALKS.name]
    for body in (unquote(sms.removeprefix("sms:?body=")), email["body"][0]):
        for fact in (SHELTER_WALKS.name, SHELTER_WALKS.when, item.where, item.contact):
            assert fact in body
        assert SHELTER_WALKS.venue.address in body and SHELTER_WALKS.venue.postcode in body
        assert f"{PUBLIC_URL}/{SHELTER_WALKS.url}" in body


# 3. Print that reads well everywhere -------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript on", "javascript off"])
def test_an_activity_page_prints_well(
    page: Page, page_without_js: Page, url: str, javascript: bool
) -> None:
    printer = page if javascript else page_without_js
    printer.goto(f"{url}/{SHELTER_WALKS.url}")
    if javascript:
        assert axe_violations(printer) == []
        assert printer.get_by_role("button", name="Print this page").is_visible()
    printer.emulate_media(media="print")
    for hidden in (".nhsuk-header", ".nhsuk-footer", ".nhsuk-breadcrumb", ".hd-take-away"):
        assert not printer.locator(hidden).first.is_visible(), hidden
    _, text = pdf_text(printer.pdf(format="A4"))
    assert SHELTER_WALKS.name in text and SHELTER_WALKS.when in text
    assert "shelter.example.org" in text  # the website, as its link says it
    for never in ("(Link:", "tel:", "mailto:", "/localities/", "/domains/", "Print this page"):
        assert never not in text, never
    assert f"{PUBLIC_URL}/{SHELTER_WALKS.url}" in text.replace(" ", "")  # to find it again
    assert "Not for emergencies" in text and "999" in text


def test_print_buttons_need_javascript(page_without_js: Page, url: str) -> None:
    for path in (f"/{SHELTER_WALKS.url}", "/domains/befriending/", "/search?q=walking"):
        page_without_js.goto(url + path)
        assert page_without_js.get_by_role("button", name=re.compile("^Print")).count() == 0


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript on", "javascript off"])
def test_search_results_print_as_results(
    page: Page, page_without_js: Page, url: str, javascript: bool
) -> None:
    printer = page if javascript else page_without_js
    printer.goto(f"{url}/search?q=walking&free=1")
    if javascript:
        assert axe_violations(printer) == []
        printer.get_by_role("button", name="Print these results").wait_for()
    names = printer.locator("li.hd-activity h3").all_inner_texts()
    printer.emulate_media(media="print")
    assert not printer.locator("#q").is_visible()
    assert not printer.get_by_text("Filter results").is_visible()
    assert not printer.get_by_label("Free only").is_visible()
    _, text = pdf_text(printer.pdf(format="A4"))
    assert names and all(name in text for name in names)
    assert "activities found for ‘walking’" in text and "Cost: Free only" in text
    for never in ("Apply filters", "What are you looking for", "(Link:", "/activities/", "×"):
        assert never not in text, never


# 4. Results first on a phone ---------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript on", "javascript off"])
def test_results_come_first_on_a_phone(
    page: Page, page_without_js: Page, url: str, javascript: bool
) -> None:
    phone = page if javascript else page_without_js
    phone.set_viewport_size(PHONE)
    phone.goto(f"{url}/search?q=walking")
    first = phone.locator("li.hd-activity h3").first.bounding_box()
    assert first["y"] + first["height"] <= PHONE["height"]  # no scrolling to see it
    filters = phone.locator("details.hd-filters")
    assert filters.bounding_box()["y"] < first["y"]
    assert not phone.locator("#filter-locality").is_visible()
    if javascript:
        assert axe_violations(phone) == []
    phone.get_by_text("Filter results").click()
    phone.select_option("#filter-locality", "north")
    phone.get_by_role("button", name="Apply filters").click()
    phone.wait_for_load_state()
    assert "locality=north" in phone.url
    assert phone.get_by_text("Filter results (1 chosen)").is_visible()
    assert phone.locator("li.hd-activity").first.bounding_box()["y"] <= PHONE["height"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_filters_stay_open_beside_the_results_on_a_wide_screen(
    page_without_js: Page, url: str
) -> None:
    page_without_js.goto(f"{url}/search?q=walking")
    assert page_without_js.locator("#filter-locality").is_visible()
    assert not page_without_js.get_by_text("Filter results").is_visible()


@pytest.mark.parametrize(
    ("path", "summary", "choose", "expected"),
    [
        ("/domains/befriending/", "Filter these activities", "Anytown South", "locality=south"),
        ("/localities/north/", "Filter these activities", "Befriending", "domain=befriending"),
    ],
)
def test_topic_and_area_pages_can_be_narrowed_without_javascript(
    page: Page, page_without_js: Page, url: str, path: str, summary: str, choose: str, expected: str
) -> None:
    page.goto(url + path)
    page.get_by_text(summary).click()
    assert axe_violations(page) == []
    narrow = page_without_js
    narrow.set_viewport_size(PHONE)
    narrow.goto(url + path)
    narrow.get_by_text(summary).click()
    narrow.locator("form.hd-narrow select").select_option(label=choose)
    narrow.get_by_label("Free only").check()
    narrow.get_by_role("button", name="Show activities").click()
    narrow.wait_for_load_state()
    assert "/search?" in narrow.url and expected in narrow.url and "free=1" in narrow.url
    assert narrow.locator("li.hd-activity").count() > 0


# 2. The signposting sheet ------------------------------------------------------------------


def add_to_list(page: Page, url: str, activities: list) -> None:
    for activity in activities:
        page.goto(f"{url}/{activity.url}")
        page.get_by_role(
            "button", name=re.compile(rf"^Add to my list\s*:\s*{re.escape(activity.name)}$")
        ).click()


def test_the_signposting_sheet_is_worth_handing_over(page: Page, url: str) -> None:
    add_to_list(page, url, TYPICAL[:3])
    page.goto(f"{url}/my-list/")
    assert page.locator("h1").inner_text().endswith("Activities for you")
    page.get_by_label("Who is it for? (optional)").fill("Mrs Edna Jones")
    page.get_by_label("Notes (optional)").fill("Try the lunch club first.\nAsk about a lift.")
    page.get_by_label("Your organisation (optional)").fill("Anytown Social Prescribing")
    page.get_by_label("Your phone number (optional)").fill("01632 960999")
    assert axe_violations(page) == []
    page.reload()  # kept in this browser
    assert page.get_by_label("Who is it for? (optional)").input_value() == "Mrs Edna Jones"

    page.emulate_media(media="print")
    assert not page.get_by_label("Notes (optional)").is_visible()
    facts = page.locator(".hd-sheet__item").first
    sizes = facts.evaluate(
        "item => [...item.querySelectorAll('p, dt, dd, h2')].map("
        "e => [e.tagName, parseFloat(getComputedStyle(e).fontSize)])"
    )
    assert all(size >= 16 for _, size in sizes)  # at least 12pt (16px)
    assert min(s for tag, s in sizes if tag == "H2") > max(s for tag, s in sizes if tag != "H2")
    lefts = page.locator(".hd-sheet__facts dd").evaluate_all(
        "dds => dds.map(dd => dd.getBoundingClientRect().left)"
    )
    assert len(set(lefts)) == 1  # every label's value lines up, on every activity
    pages, text = pdf_text(page.pdf(format="A4"))
    assert pages == 1
    for activity in TYPICAL[:3]:
        item = summarise(activity, DIRECTORY.site.locality_name(activity.locality))
        for fact in (item.name, item.when, item.where, item.cost, item.join, item.contact):
            assert " ".join(fact.split()) in text, fact
        assert f"Details last confirmed on {long_date(activity.provider.last_confirmed)}" in text
    today = datetime.now()  # the day it is printed, by the browser's clock
    assert f"For: Mrs Edna Jones · {today.day} {today:%B %Y}" in text
    assert "From: Anytown Social Prescribing, 01632 960999" in text
    assert "Notes Try the lunch club first. Ask about a lift." in text
    assert f"{PUBLIC_URL}/" in text.split("Notes")[-1].replace(" ", "")  # in the footer
    assert "Not for emergencies" in text and "999" in text
    for never in ("Move up", "Remove", "Print this list", "Add to the sheet"):
        assert never not in text, never

    page.emulate_media(media="screen")
    add_to_list(page, url, TYPICAL[3:6])
    page.goto(f"{url}/my-list/")
    page.emulate_media(media="print")
    pages, text = pdf_text(page.pdf(format="A4"))
    assert pages == 2
    assert all(activity.name in text for activity in TYPICAL[:6])

    page.emulate_media(media="screen")
    page.get_by_role("button", name="Clear my list").click()
    add_to_list(page, url, TYPICAL[:1])
    page.goto(f"{url}/my-list/")
    assert page.get_by_label("Who is it for? (optional)").input_value() == ""
    assert page.get_by_label("Notes (optional)").input_value() == ""
    assert page.get_by_label("Your organisation (optional)").input_value() != ""
