"""Every page type in a real browser (Debian's Chromium, headless): axe-core finds no
WCAG 2.2 AA violations, pages work with JavaScript off, by keyboard and when printed."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import REPO, TODAY, serve
from playwright.sync_api import Browser, Page, sync_playwright

from healthdir.entries import load_directory
from healthdir.settings import site_settings
from service import create_app

CHROMIUM = os.environ.get("HEALTHDIR_CHROMIUM", "/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

DIRECTORY, _ = load_directory(REPO, site_settings(REPO), today=TODAY)
SHELTER = next(p for p in DIRECTORY.providers if "Cat and Dog" in p.name)
PAUSED = next(a for a in DIRECTORY.listed_activities() if a.is_paused)
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
    "accessibility statement": "/accessibility/",
    "about": "/about/",
    "search unavailable": "/search/",
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


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: run `make test`, which installs it"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-gpu",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture
def page_without_js(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def axe_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_no_axe_violations(page: Page, base_url: str, name: str) -> None:
    response = page.goto(base_url + PAGE_TYPES[name])
    assert response and response.ok
    assert axe_violations(page) == []


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
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert axe_violations(page) == []
    page.get_by_label("Tell us what you were looking for").fill("Basket weaving for beginners")
    page.get_by_role("button", name="Send").click()
    assert page.get_by_text("Thank you").is_visible()
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
