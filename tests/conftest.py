"""Shared fixtures: a throwaway copy of the site, provider files, and a real build."""

from __future__ import annotations

import contextlib
import email
import email.message
import http.cookiejar
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import date
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, Page, sync_playwright
from waitress.server import create_server

from entries import clock
from healthdir.publish import build

REPO = Path(__file__).resolve().parent.parent
HEALTHDIR = Path(sys.executable).with_name("healthdir")  # the command, as a volunteer runs it
TODAY = date(2026, 11, 22)
# Every "today" in the code reads the clock (entries.clock): pin it, for this
# process and every command and service the tests start, so no test expires.
os.environ[clock.ENVIRONMENT] = TODAY.isoformat()
# Tests never write a key file into the repository (the service would make var/secret-key).
os.environ.setdefault("HEALTHDIR_SECRET_KEY", "test-only-secret")
# A build for publishing must have the directory's public address: the sample's
# pelicanconf.py reads it from here, for every build, command and service the tests start.
PUBLIC_URL = "https://directory.anytown.example.org"
os.environ["HEALTHDIR_PUBLIC_URL"] = PUBLIC_URL

GOOD_PROVIDER = """\
name: Anytown Cat and Dog Shelter
about: Volunteer-run rescue for cats and dogs.
website: https://shelter.example.org
email: walks@shelter.example.org
phone: 01632 960123
charity_number: "1234567"
last_confirmed: 2026-10-14
checked:
  by: Anytown Community Health Partnership
  on: 2026-10-14
activities:
  - name: Dog walking volunteers
    summary: Walk our rescue dogs around Mill Park. No experience needed.
    details: |
      Wear boots. We provide leads and a short safety talk.
    domains: [physical-activity, volunteering]
    locality: north
    when: Saturdays and Sundays, 10am to 12 noon
    schedule:
      - {days: [sat, sun], from: "10:00", to: "12:00"}
    cost: free
    how_to_join: drop-in
    venue:
      name: Anytown Cat and Dog Shelter
      address: Mill Lane, Anytown
      postcode: AB1 2CD
    delivery: [in-person]
    who_for: Adults; under-16s with a parent or carer.
    age_min: 16
    languages: [English]
    accessibility: [step-free, seated-option]
    accessibility_notes: Paths can be muddy.
    suitable_for: [diabetes, heart-condition]
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of the sample site with no providers, ready for a test to add some."""
    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(REPO / "pelicanconf.py", root)
    for folder in ("theme", "plugins", "content/domains", "content/pages"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "content" / "providers").mkdir()
    return root


@pytest.fixture
def reg_site(site: Path) -> Path:
    """The throwaway site with the cat and dog shelter listed."""
    write_provider(site, "anytown-cat-and-dog-shelter", GOOD_PROVIDER)
    return site


def write_provider(site: Path, slug: str, text: str) -> Path:
    path = site / "content" / "providers" / f"{slug}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The real sample content, built once with Pelican, our plugin and the search index."""
    folder = tmp_path_factory.mktemp("sample")
    build(REPO, folder / "output", today=TODAY, index=folder / "search-index")
    return folder / "output", folder / "search-index"


@pytest.fixture(scope="session")
def sample_output(sample_build: tuple[Path, Path]) -> Path:
    return sample_build[0]


@pytest.fixture(scope="session")
def sample_index(sample_build: tuple[Path, Path]) -> Path:
    return sample_build[1]


def site_using(folder: Path, **settings: object) -> Path:
    """A site folder whose settings use the repository's content and theme, plus ``settings``."""
    folder.mkdir(parents=True, exist_ok=True)
    extra = {"PATH": str(REPO / "content"), "THEME": str(REPO / "theme"), **settings}
    lines = [f"{key} = {value!r}" for key, value in extra.items()]
    (folder / "pelicanconf.py").write_text(
        (REPO / "pelicanconf.py").read_text() + "\n" + "\n".join(lines) + "\n"
    )
    return folder


def serve(app: object) -> Iterator[str]:
    """Run a WSGI app on a free loopback port for as long as the caller iterates."""
    server = create_server(app, host="127.0.0.1", port=0, threads=8)

    def run() -> None:
        with contextlib.suppress(OSError):  # closing the server ends its loop this way
            server.run()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


class Client:
    """A browser-like HTTP client: keeps cookies, does not follow redirects."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict[str, str] | bytes) -> tuple[int, dict[str, str], str]:
        body = data if isinstance(data, bytes) else urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(
            self.base + path,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        return self._open(request)

    def _open(self, request: urllib.request.Request) -> tuple[int, dict[str, str], str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def csrf_token(self, path: str) -> str:
        """GET a form page (setting the session cookie) and return its CSRF token."""
        _, _, html = self.get(path)
        marker = 'name="csrf_token" value="'
        return html.split(marker, 1)[1].split('"', 1)[0]


def free_port() -> int:
    """A loopback port nothing is listening on, for a server started as a separate process."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_serving(
    site: Path, *options: str, ready: str = "/search"
) -> tuple[str, subprocess.Popen[bytes]]:
    """``healthdir serve`` for ``site`` as a separate process, on a free port, once it
    answers ``ready``: its address and the process (the caller stops it)."""
    port = free_port()
    server = subprocess.Popen(
        [HEALTHDIR, "serve", "--port", str(port), *options],
        cwd=site, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            Client(url).get(ready)
            break
        except OSError:
            time.sleep(0.05)
    return url, server


def alive(pid: int) -> bool:
    """Whether process ``pid`` is running (a zombie is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


# A real browser for the accessibility and interaction tests: Debian's Chromium, driven
# headless by Playwright, with axe-core from node_modules.
CHROMIUM = os.environ.get("HEALTHDIR_CHROMIUM", "/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


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


def _page_in_new_context(browser: Browser, **options: bool) -> Iterator[Page]:
    context = browser.new_context(**options)
    yield context.new_page()
    context.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # axe-core is added to each page as an inline script, which the service's
    # Content-Security-Policy would (rightly) block; the CSP test uses strict_page.
    yield from _page_in_new_context(browser, bypass_csp=True)


@pytest.fixture
def strict_page(browser: Browser) -> Iterator[Page]:
    yield from _page_in_new_context(browser)


@pytest.fixture
def page_without_js(browser: Browser) -> Iterator[Page]:
    yield from _page_in_new_context(browser, java_script_enabled=False)


def axe_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


class Inbox:
    """What a real SMTP server on loopback received (aiosmtpd)."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on a free loopback port, and what it received."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()
