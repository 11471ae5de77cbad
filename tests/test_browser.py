"""Every page type in a real browser (Debian's Chromium, headless): axe-core finds no
WCAG 2.2 AA violations, pages work with JavaScript off, by keyboard and when printed."""

from __future__ import annotations

import functools
import re
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import HEALTHDIR, REPO, TODAY, axe_violations, serve
from playwright.sync_api import Browser, Page, expect

from entries import load_directory
from entries.site_settings import site_settings
from service import create_app

DIRECTORY, _ = load_directory(REPO, site_settings(REPO), today=TODAY)
SHELTER = next(p for p in DIRECTORY.providers if "Cat and Dog" in p.name)
PAUSED = next(a for a in DIRECTORY.listed_activities() if a.is_paused)
DUE = next(p for p in DIRECTORY.providers if p.is_due_for_review)
PAGE_TYPES = {
    "home": "/",
    "domains": "/domains/",
    "domain": "/domains/befriending/",
    "localities": "/localities/",
    "locality": "/localities/north/",
    "a-to-z": "/providers/",
    "provider": f"/{SHELTER.url}",
    "activity": f"/{SHELTER.activities[0].url}",
    "paused activity": f"/{PAUSED.url}",
    "recently confirmed": "/recently-confirmed/",
    "how up to date": "/freshness/",
    "activity due for review": f"/{DUE.listed_activities[0].url}",
    "accessibility statement": "/accessibility/",
    "about": "/about/",
    "search unavailable": "/search/",
    "easy read": "/easy-read/",
}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # no request logs
        pass


@pytest.fixture(scope="session")
def base_url(sample_output: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(sample_output))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.mark.parametrize("name", PAGE_TYPES)
@pytest.mark.parametrize("language", ["", "bn/", "ur/"], ids=["English", "Bengali", "Urdu"])
def test_no_axe_violations(page: Page, base_url: str, name: str, language: str) -> None:
    """Every page type in a left-to-right and a right-to-left language too (issue 17)."""
    response = page.goto(f"{base_url}/{language}{PAGE_TYPES[name].lstrip('/')}")
    assert response and response.ok
    assert axe_violations(page) == []


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_urdu_pages_read_right_to_left_with_javascript_off(
    page_without_js: Page, page: Page, base_url: str, name: str
) -> None:
    shown = page_without_js
    shown.goto(f"{base_url}/ur/{PAGE_TYPES[name].lstrip('/')}")
    assert shown.evaluate("getComputedStyle(document.body).direction") == "rtl"
    heading = shown.locator("h1").bounding_box()
    width = shown.viewport_size["width"] if shown.viewport_size else 1280
    assert heading and heading["x"] + heading["width"] > width / 2  # starts on the right
    assert axe_clean_as_served(page, shown) == []


@pytest.mark.parametrize("width", [320, 1280])
def test_no_axe_violations_on_a_small_phone_and_a_desktop(
    browser: Browser, base_url: str, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(base_url + PAGE_TYPES["activity"])
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
    context.close()


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_pages_work_with_javascript_off(page_without_js: Page, base_url: str, name: str) -> None:
    page = page_without_js
    page.goto(base_url + PAGE_TYPES[name])
    assert page.locator("h1").is_visible()
    assert page.get_by_role("link", name="Browse by topic").first.is_visible()
    assert page.locator("#search-field").is_visible()
    assert page.locator(".hd-urgent").get_by_text("not for emergencies").is_visible()


def test_links_are_followable_with_javascript_off(page_without_js: Page, base_url: str) -> None:
    page = page_without_js
    page.goto(base_url + "/")
    page.get_by_role("link", name="Befriending", exact=True).click()
    page.get_by_role("link", name=SHELTER.activities[0].name).count()  # domain page loaded
    assert page.url.endswith("/domains/befriending/")
    first = page.locator("li.hd-activity h3 a").first
    name = first.inner_text()
    first.click()
    assert page.locator("h1").inner_text().endswith(name)


def test_search_box_submits_to_search(page_without_js: Page, base_url: str) -> None:
    page = page_without_js
    page.goto(base_url + "/")
    page.fill("#search-field", "walking")
    page.press("#search-field", "Enter")
    page.wait_for_load_state()
    assert "/search" in page.url and "q=walking" in page.url


def test_keyboard_user_reaches_skip_link_first_and_main_content(page: Page, base_url: str) -> None:
    page.goto(base_url + PAGE_TYPES["activity"])
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id || location.hash") in (
        "maincontent",
        "#maincontent",
    )


def test_keyboard_can_reach_every_link_on_an_activity_page(page: Page, base_url: str) -> None:
    page.goto(base_url + PAGE_TYPES["activity"])
    links = page.locator("main a").count()
    reached = set()
    for _ in range(120):
        page.keyboard.press("Tab")
        reached.add(
            page.evaluate(
                "document.activeElement.closest('main') ? document.activeElement.href : null"
            )
        )
    reached.discard(None)
    assert len(reached) >= len(
        {page.locator("main a").nth(i).get_attribute("href") for i in range(links)}
    )


def test_activity_prints_without_navigation(page: Page, base_url: str) -> None:
    page.goto(base_url + PAGE_TYPES["activity"])
    page.emulate_media(media="print")
    assert page.locator("h1").is_visible()
    assert page.get_by_text("Details last confirmed").is_visible()
    for selector in (".nhsuk-header", ".nhsuk-breadcrumb", ".nhsuk-footer", ".hd-no-print"):
        assert not page.locator(selector).first.is_visible(), selector
    assert page.locator(".hd-print-only").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


SEARCH_PAGES = {
    "search results": "/search?q=walking",
    "zero results": "/search?q=underwater+basket+weaving",
    "filtered results": "/search?q=&domain=befriending&free=1&day=mon",
    "empty search": "/search",
    "did you mean": "/search?q=excercise",
}


@pytest.fixture(scope="module")
def service_url(
    sample_build: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    output, index = sample_build
    db = tmp_path_factory.mktemp("browser-var") / "unmet.sqlite3"
    yield from serve(create_app(REPO, output, index=index, unmet_need=db))


@pytest.mark.parametrize("name", SEARCH_PAGES)
def test_search_pages_have_no_axe_violations(page: Page, service_url: str, name: str) -> None:
    response = page.goto(service_url + SEARCH_PAGES[name])
    assert response and response.ok
    assert axe_violations(page) == []


def test_tell_us_error_state_has_no_axe_violations(page: Page, service_url: str) -> None:
    page.goto(service_url + SEARCH_PAGES["zero results"])
    page.get_by_role("button", name="Send").click()
    page.locator(".nhsuk-error-summary").wait_for()
    assert axe_violations(page) == []
    page.get_by_label("Tell us what you were looking for").fill("Basket weaving for beginners")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Thank you").wait_for()
    assert axe_violations(page) == []


def test_search_and_filter_with_javascript_off(page_without_js: Page, service_url: str) -> None:
    page = page_without_js
    page.goto(service_url + "/")
    page.fill("#search-field", "lonely")
    page.press("#search-field", "Enter")
    page.wait_for_load_state()
    assert "Home visit befriending" in page.locator("main").inner_text()
    page.select_option("#filter-locality", "south")
    page.check("#filter-free")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "locality=south" in page.url and "free=1" in page.url and "q=lonely" in page.url
    assert page.locator("li.hd-activity").count() > 0
    page.get_by_role("link", name="Clear all filters").click()
    assert page.url.endswith("/search?q=lonely")


@pytest.fixture
def live_site(site: Path) -> Iterator[tuple[Path, str]]:
    """A throwaway copy of the site, built and served, that tests may add to."""
    from conftest import GOOD_PROVIDER, write_provider

    from healthdir.publish import build

    write_provider(site, "anytown-cat-and-dog-shelter", GOOD_PROVIDER)
    build(site, site / "output", today=TODAY)
    for url in serve(create_app(site, site / "output", form_rate_limit="1000 per minute")):
        yield site, url


def test_registration_pages_have_no_axe_violations(page: Page, live_site: tuple[Path, str]) -> None:
    _, url = live_site
    page.goto(url + "/register")
    assert axe_violations(page) == []
    page.get_by_text("Add more detail about this activity (optional)").click()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Send for checking").click()
    page.locator(".nhsuk-error-summary").wait_for()
    assert axe_violations(page) == []
    page.goto(url + "/register?update=anytown-cat-and-dog-shelter/dog-walking-volunteers")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Add another activity").click()
    page.get_by_role("heading", name="Activity 2").wait_for()
    page.get_by_role("button", name="Add a different time on other days").last.click()
    page.get_by_text("Another time").wait_for()
    assert axe_violations(page) == []
    page.goto(url + "/report/anytown-cat-and-dog-shelter/dog-walking-volunteers")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Send").click()
    assert axe_violations(page) == []
    page.get_by_label("What is wrong?").fill("It has moved to Sundays")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Thank you: we have your report").wait_for()
    assert axe_violations(page) == []


def fill_in_as_the_shelter(page: Page) -> None:
    """What the cat and dog shelter's volunteer types: nine questions and a tick (and,
    since it differs from the group's, the activity's own name)."""
    page.get_by_label("Your group's name").fill("Southmoor Cat and Dog Rescue")
    page.get_by_label("The activity's own name (optional)").fill("Dog walking volunteers")
    page.get_by_label("What happens?").fill(
        "Walk our rescue dogs around Southmoor fields. No experience needed."
    )
    page.get_by_label("Physical activity").check()
    page.get_by_label("Volunteering").check()
    page.get_by_label("Postcode of the place").fill("AB1 5ZZ")
    page.get_by_label("Saturday").check()
    page.get_by_label("Starts").select_option(label="10am")
    page.get_by_label("Ends").select_option(label="12 noon")
    page.get_by_label("Free", exact=True).check()
    page.get_by_label("Anyone can turn up").check()
    page.get_by_label("Phone number").fill("01632 960778")
    page.get_by_label("Your name (optional)").fill("Pat Volunteer")
    page.get_by_label("Your email address").fill("pat@example.com")
    page.get_by_label("I am allowed to share these details").check()


def test_the_cat_and_dog_shelter_registers_and_goes_live(
    page: Page, live_site: tuple[Path, str]
) -> None:
    site, url = live_site
    page.goto(url + "/register")
    fill_in_as_the_shelter(page)
    page.get_by_role("button", name="Send for checking").click()
    page.get_by_text("Thank you: we have your details").wait_for()
    assert axe_violations(page) == []
    reference = page.get_by_text("Your reference is").inner_text().split()[-1]
    # Nothing is published until someone approves it.
    assert not (site / "content/providers/southmoor-cat-and-dog-rescue.yaml").exists()

    approved = subprocess.run(
        [HEALTHDIR, "approve", reference, "--by", "Sam Reviewer"],
        cwd=site,
        capture_output=True,
        text=True,
    )
    assert approved.returncode == 0, approved.stderr
    built = subprocess.run([HEALTHDIR, "build"], cwd=site, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout + built.stderr

    page.goto(url + "/activities/southmoor-cat-and-dog-rescue/dog-walking-volunteers/")
    main = page.locator("main").inner_text()
    assert "Dog walking volunteers" in page.locator("h1").inner_text()
    for expected in (
        "Saturdays, 10am to 12 noon",
        "AB1 5ZZ",
        "Free",
        "Anyone can turn up",
        "01632 960778",
        "Sam Reviewer",
    ):
        assert expected in main, expected
    assert "pat@example.com" not in "".join(
        p.read_text() for p in (site / "output").rglob("*.html")
    )
    assert (
        "Pat Volunteer"
        not in (site / "content/providers/southmoor-cat-and-dog-rescue.yaml").read_text()
    )


def test_registration_works_with_javascript_off(
    page_without_js: Page, live_site: tuple[Path, str]
) -> None:
    site, url = live_site
    page = page_without_js
    page.goto(url + "/register")
    page.get_by_label("Your group's name").fill("Millbrook Knitters")
    page.get_by_role("button", name="Send for checking").click()
    page.locator(".nhsuk-error-summary").wait_for()
    assert page.get_by_label("Your group's name").input_value() == "Millbrook Knitters"
    page.locator(".nhsuk-error-summary a").first.click()
    fill_in_as_the_shelter(page)
    page.get_by_role("button", name="Send for checking").click()
    page.get_by_text("Thank you: we have your details").wait_for()
    assert len(list((site / "submissions/pending").iterdir())) == 1


def axe_clean_as_served(axe_page: Page, page: Page) -> list[str]:
    """axe-core on what ``page`` shows, even with JavaScript off there: its HTML, without
    scripts, in a page of the same site that can run axe."""
    axe_page.goto(page.url.split("?")[0].split("#")[0])
    html = re.sub(r"<script\b.*?</script>", "", page.content(), flags=re.S)
    axe_page.set_content(html)
    return axe_violations(axe_page)


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript on", "javascript off"])
def test_walk_through_from_add_your_group_to_the_day_filter(
    browser: Browser, live_site: tuple[Path, str], javascript: bool
) -> None:
    """The whole journey by visible labels: the home page's "Add your group", mistakes and
    their messages, sending it, approval and a build, then finding it by its day."""
    site, url = live_site
    # axe is added as an inline script, which the service's CSP rightly blocks.
    context = browser.new_context(java_script_enabled=javascript, bypass_csp=True)
    checker = browser.new_context(bypass_csp=True)
    page, axe_page = context.new_page(), checker.new_page()

    def step() -> None:
        found = axe_violations(page) if javascript else axe_clean_as_served(axe_page, page)
        assert found == []

    page.goto(url + "/")
    assert page.get_by_role("banner").get_by_role("link", name="Add your group").count() == 1
    step()
    page.get_by_role("main").get_by_role("link", name="Add your group").first.click()
    assert page.locator("h1").inner_text() == "Add your group"
    step()
    page.get_by_role("button", name="Send for checking").last.click()
    summary = page.locator(".nhsuk-error-summary li")
    summary.first.wait_for()
    assert 1 < summary.count() <= 10  # at most ten answers are needed, consent included
    step()
    fill_in_as_the_shelter(page)
    page.get_by_label("Postcode of the place").fill("AB1")  # two slips
    page.get_by_label("Ends").select_option(label="9am")
    page.get_by_role("button", name="Send for checking").last.click()
    # Waits for the page that answers (the click does not wait for it to come).
    expect(summary).to_have_text(
        ["Enter a full postcode, such as AB1 2CD", "Select an end time after the start time"]
    )
    assert page.get_by_label("Your group's name").input_value() == "Southmoor Cat and Dog Rescue"
    step()
    page.get_by_label("Postcode of the place").fill("AB1 5ZZ")
    page.get_by_label("Ends").select_option(label="12 noon")
    page.get_by_role("button", name="Send for checking").last.click()
    page.get_by_text("Thank you: we have your details").wait_for()
    step()
    reference = page.get_by_text("Your reference is").inner_text().split()[-1]

    for command in (["approve", reference, "--by", "Sam Reviewer"], ["build"]):
        done = subprocess.run([HEALTHDIR, *command], cwd=site, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr

    page.goto(url + "/")
    page.fill("#search-field", "dog walking")
    page.press("#search-field", "Enter")
    page.wait_for_load_state()
    day = page.get_by_role("group", name="Day")
    day.get_by_label(re.compile("^Sunday")).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "day=sun" in page.url
    assert "Southmoor Cat and Dog Rescue" not in page.locator("main").inner_text()
    page.get_by_role("group", name="Day").get_by_label(re.compile("^Sunday")).uncheck()
    page.get_by_role("group", name="Day").get_by_label(re.compile("^Saturday")).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "day=sat" in page.url
    found = page.locator("li.hd-activity", has_text="Southmoor Cat and Dog Rescue")
    assert "Dog walking volunteers" in found.inner_text()
    step()
    context.close()
    checker.close()


def test_one_click_confirmation_end_to_end(page: Page, live_site: tuple[Path, str]) -> None:
    site, url = live_site
    link = subprocess.run(
        [HEALTHDIR, "confirm-link", "anytown-cat-and-dog-shelter"],
        cwd=site,
        capture_output=True,
        text=True,
    ).stdout.strip()
    token = link.rsplit("/", 1)[1]
    page.goto(f"{url}/confirm/{token}")
    assert "Are these details still right?" in page.locator("h1").inner_text()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Yes, this is all still correct").click()
    page.get_by_text("Thank you for confirming").first.wait_for()
    assert axe_violations(page) == []
    built = subprocess.run([HEALTHDIR, "build"], cwd=site, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout + built.stderr
    page.goto(f"{url}/activities/anytown-cat-and-dog-shelter/dog-walking-volunteers/")
    assert f"Details last confirmed: {TODAY.day} {TODAY:%B %Y}" in page.locator("main").inner_text()

    page.goto(f"{url}/confirm/{token[:-4]}abcd")
    assert page.locator("h1").inner_text() == "This link does not work"
    assert axe_violations(page) == []


def named(label: str, name: str) -> re.Pattern[str]:
    """A button's accessible name: its label, then the visually hidden ": <activity>"."""
    return re.compile(rf"^{re.escape(label)}\s*:\s*{re.escape(name)}$")


SHEET_PAGES = {
    "my list": "/my-list/",
    "leaflet": "/leaflets/domains/befriending/",
    "provision map": "/provision/",
}


@pytest.mark.parametrize("name", SHEET_PAGES)
def test_list_leaflet_and_provision_pages_have_no_axe_violations(
    page: Page, base_url: str, name: str
) -> None:
    page.goto(base_url + SHEET_PAGES[name])
    assert axe_violations(page) == []


def test_shortlist_prints_a_signposting_sheet(page: Page, base_url: str) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    chosen = [a for a in DIRECTORY.listed_activities() if not a.is_paused][:3]
    for activity in chosen:
        page.goto(f"{base_url}/{activity.url}")
        page.get_by_role("button", name=named("Add to my list", activity.name)).click()
        page.get_by_role("button", name=named("Remove from my list", activity.name)).wait_for()
    page.goto(base_url + "/domains/befriending/")  # the list is kept between pages
    page.goto(base_url + "/my-list/")
    names = page.locator(".hd-sheet__name").all_inner_texts()
    assert names == [a.name for a in chosen]
    assert axe_violations(page) == []
    page.get_by_role("button", name=named("Move up", chosen[2].name)).click()
    page.get_by_role("button", name=named("Remove", chosen[0].name)).click()
    assert page.locator(".hd-sheet__name").all_inner_texts() == [chosen[2].name, chosen[1].name]
    page.goto(f"{base_url}/{chosen[0].url}")
    page.get_by_role("button", name=named("Add to my list", chosen[0].name)).click()
    page.goto(base_url + "/my-list/")
    page.emulate_media(media="print")
    assert not page.locator(".nhsuk-header").is_visible()
    assert not page.get_by_role("button", name="Print this list").is_visible()
    pdf = page.pdf(format="A4")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages).split())
    for activity in chosen:
        confirmed = (
            f"{activity.provider.last_confirmed.day} {activity.provider.last_confirmed:%B %Y}"
        )
        assert activity.name in text
        assert f"Details last confirmed on {confirmed}" in text
        assert activity.when.split(",")[0] in text
    assert "not for emergencies" in text.lower() and "999" in text


def test_shortlist_is_absent_without_javascript(page_without_js: Page, base_url: str) -> None:
    page = page_without_js
    page.goto(f"{base_url}/{SHELTER.activities[0].url}")
    assert page.get_by_role("button", name="Add to my list").count() == 0
    page.goto(base_url + "/my-list/")
    assert page.get_by_text("Your list needs JavaScript").is_visible()


def test_pages_break_no_content_security_policy_rule(
    page: Page, live_site: tuple[Path, str]
) -> None:
    _, url = live_site
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for path in (
        "/",
        "/activities/anytown-cat-and-dog-shelter/dog-walking-volunteers/",
        "/search?q=walking",
        "/register",
        "/my-list/",
    ):
        response = page.goto(url + path)
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert page.evaluate("document.body.classList.contains('js-enabled')"), (
            path
        )  # the inline script ran
    page.get_by_role("link", name="Browse by topic").first.wait_for()
    assert violations == []


@pytest.mark.parametrize("name", SHEET_PAGES)
def test_list_leaflet_and_provision_pages_work_with_javascript_off(
    page_without_js: Page, base_url: str, name: str
) -> None:
    page_without_js.goto(base_url + SHEET_PAGES[name])
    assert page_without_js.locator("h1").is_visible()
    assert page_without_js.get_by_text("not for emergencies").first.is_visible()


def test_a_bengali_speaker_finds_lists_and_prints_without_an_english_word(
    page: Page, service_url: str
) -> None:
    """Issue 17: home page, a topic, an activity, a search, My list and its printed sheet,
    all in Bengali but for what groups wrote."""
    from leftover_english import english_left, words_people_wrote

    written = words_people_wrote(DIRECTORY, REPO / "content", site_settings(REPO))

    def no_english(where: str) -> None:
        assert english_left(page.content(), written) == [], where

    page.goto(f"{service_url}/bn/")
    no_english("home")
    page.locator("main a[href^='/bn/domains/']").first.click()
    no_english("topic")
    page.locator("li.hd-activity h3 a").first.click()
    no_english("activity")
    page.locator("[data-activity] button").first.click()
    page.locator("#search-field").fill("walking")
    page.locator("#search-field").press("Enter")
    page.wait_for_url("**/bn/search?q=walking")
    no_english("search results")
    page.goto(f"{service_url}/bn/my-list/")
    page.locator(".hd-sheet__name").first.wait_for()
    no_english("my list")
    page.emulate_media(media="print")
    no_english("the printed sheet")
