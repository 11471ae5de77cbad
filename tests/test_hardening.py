"""Attacks that once worked, each reproduced as it was found (issue 10): a test that
expired with the calendar, HEAD past CSRF, control characters, CSV formulas, terminal
escapes, odd slugs, loose e-mail addresses, floods, build leftovers and a path probe."""

from __future__ import annotations

import csv
import http.client
import io
import os
import signal
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import GOOD_PROVIDER, HEALTHDIR, TODAY, Client, alive, serve, write_provider
from test_register_service import SHELTER_FORM, pending, post_form

from entries.directory import validate_entry
from entries.schema import schema_errors
from entries.yaml_source import parse_yaml
from healthdir.publish import build
from registration.queue import SubmissionQueue
from search.unmet_need import UnmetNeed
from service import create_app

DOMAINS = ["physical-activity", "volunteering"]
LOCALITIES = ["north", "central", "south"]


def run(site: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HEALTHDIR, *args], cwd=site, capture_output=True, text=True, env={**os.environ, **env}
    )


def entry(**changes: object) -> dict:
    data = parse_yaml(GOOD_PROVIDER).data
    data.update(changes)
    return data


def problems(data: dict) -> dict[tuple, str]:
    return dict(validate_entry(data, DOMAINS, LOCALITIES, TODAY))


@pytest.fixture
def limited_url(reg_site: Path) -> Iterator[str]:
    yield from serve(create_app(reg_site, reg_site / "output", form_rate_limit="5/hour"))


# 1. The calendar ------------------------------------------------------------------------


def test_one_clock_for_commands_and_service(reg_site: Path) -> None:
    ahead = run(reg_site, "freshness", HEALTHDIR_TODAY="2027-06-01")
    assert ahead.returncode == 0 and "Freshness on 1 June 2027" in ahead.stdout
    bad = run(reg_site, "freshness", HEALTHDIR_TODAY="next tuesday")
    assert bad.returncode == 2
    assert "HEALTHDIR_TODAY is set to 'next tuesday', which is not a date" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_the_service_stamps_submissions_with_the_clock(reg_site: Path) -> None:
    for url in serve(create_app(reg_site, reg_site / "output")):
        client = Client(url)
        post_form(client, "/register", SHELTER_FORM, client.csrf_token("/register"))
    [folder] = pending(reg_site)
    assert yaml.safe_load((folder / "entry.yaml").read_text())["last_confirmed"] == TODAY
    meta = yaml.safe_load((folder / "submission.yaml").read_text())
    assert str(meta["received"]).startswith(str(TODAY))


# 2. HEAD is GET, never a write ------------------------------------------------------------


def raw(url: str, method: str, path: str, body: str = "") -> tuple[int, dict[str, str]]:
    """A request exactly as written (no client-side tidying of the method or the path)."""
    host = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    connection.request(method, path, body=body or None, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, dict(response.headers)


def test_head_never_writes_and_is_not_refused(reg_site: Path, limited_url: str) -> None:
    body = urllib.parse.urlencode({**SHELTER_FORM, "domains": "volunteering"})
    report = "/report/anytown-cat-and-dog-shelter/dog-walking-volunteers"
    for _ in range(15):
        assert raw(limited_url, "HEAD", "/register", body)[0] == 200
        assert raw(limited_url, "HEAD", report, "problem=It+has+moved")[0] == 200
    assert raw(limited_url, "HEAD", "/register")[0] == 200  # curl -I
    assert raw(limited_url, "HEAD", "/search/tell-us", "message=hello")[0] == 404  # POST only
    assert pending(reg_site) == []
    assert not (reg_site / "var" / "unmet-need.sqlite3").exists()
    client = Client(limited_url)  # the rate limit still has all five POSTs to give
    token = client.csrf_token("/register")
    posts = [
        post_form(client, "/register", {**SHELTER_FORM, "group_name": f"Group {i}"}, token)[0]
        for i in range(6)
    ]
    assert posts == [200, 200, 200, 200, 200, 429]


# 3. Control characters and bidirectional overrides ---------------------------------------


def test_check_refuses_control_characters_naming_the_field(site: Path) -> None:
    text = (
        GOOD_PROVIDER.replace(
            "name: Anytown Cat and Dog Shelter", 'name: "Anytown \\0Cat and Dog Shelter"'
        )
        .replace("summary: Walk our rescue", 'summary: "Walk \\e[2J our rescue')
        .replace("No experience needed.\n", 'No experience needed."\n', 1)
    )
    write_provider(site, "shelter", text)
    result = run(site, "check")
    assert result.returncode == 1
    assert (
        "content/providers/shelter.yaml:1: name: contains an invisible control character "
        "(U+0000). Delete it" in result.stdout
    )
    assert "activities[0].summary: contains an invisible control character (U+001B)" in (
        result.stdout
    )
    assert "\x1b" not in result.stdout and "\x00" not in result.stdout


def test_line_breaks_and_tabs_only_where_a_field_has_several_lines() -> None:
    activity = entry()["activities"][0]
    fine = entry(about="Line one.\n\tLine two.", activities=[{**activity, "details": "a\n\tb"}])
    assert problems(fine) == {}
    assert problems(entry(name="Two\nlines")) == {
        ("name",): "contains an invisible control character (U+000A). Delete it: retype "
        "the text, or paste it as plain text."
    }
    assert ("activities", 0, "when") in problems(
        entry(activities=[{**activity, "when": "Sat\x07"}])
    )


def test_form_answers_lose_control_characters(reg_site: Path, limited_url: str) -> None:
    client = Client(limited_url)
    token = client.csrf_token("/register")
    form = {
        **SHELTER_FORM,
        "group_name": "Evil\x1b[2J Group\x00",
        "details": "First line\x07\nSecond line",
    }
    assert post_form(client, "/register", form, token)[0] == 200
    [folder] = pending(reg_site)
    saved = yaml.safe_load((folder / "entry.yaml").read_text())
    assert saved["name"] == "Evil[2J Group"
    assert saved["activities"][0]["details"] == "First line\nSecond line"


def test_names_are_isolated_so_overrides_cannot_reorder_the_page(site: Path) -> None:
    evil = "Evil \u202egnp.exe Group"
    write_provider(site, "evil", GOOD_PROVIDER.replace("Anytown Cat and Dog Shelter", evil, 1))
    build(site, site / "output", today=TODAY, index=site / "index")
    pages = {
        "providers/evil/index.html": "h1 bdi",
        "activities/evil/dog-walking-volunteers/index.html": "h1 .nhsuk-caption-l bdi",
        "providers/index.html": "main li a bdi",
        "domains/volunteering/index.html": ".hd-activity dd bdi",
    }
    for path, selector in pages.items():
        soup = BeautifulSoup((site / "output" / path).read_text(), "html.parser")
        assert evil in [tag.get_text() for tag in soup.select(selector)], path


# 4. Spreadsheet formulas -----------------------------------------------------------------


def test_every_csv_neutralises_formulas(site: Path) -> None:
    write_provider(
        site,
        "formula",
        GOOD_PROVIDER.replace(
            "name: Anytown Cat and Dog Shelter", "name: '=HYPERLINK(\"x\")'"
        ).replace("name: Dog walking volunteers", "name: '@SUM(A1)'"),
    )
    build(site, site / "output", today=TODAY, index=site / "index")
    rows = list(csv.DictReader(io.StringIO((site / "output/data/activities.csv").read_text())))
    assert rows[0]["provider_name"] == '\'=HYPERLINK("x")' and rows[0]["name"] == "'@SUM(A1)"
    assert rows[0]["phone"] == "01632 960123"

    fresh = list(csv.reader(io.StringIO(run(site, "freshness", "--csv").stdout)))
    assert fresh[1][1] == '\'=HYPERLINK("x")'

    store = UnmetNeed(site / "var/unmet-need.sqlite3")
    store.record_told_us("", {"language": "+polish"}, "=cmd|' /C calc'!A0", TODAY)
    told = list(csv.reader(io.StringIO(run(site, "report", "unmet-need", "--csv").stdout)))
    assert told[-1][2] == "language=+polish" and told[-1][6] == "'=cmd|' /C calc'!A0"


# 5. Terminal escapes ---------------------------------------------------------------------


def test_moderation_commands_show_control_characters_escaped(reg_site: Path) -> None:
    queue = SubmissionQueue(reg_site / "submissions")
    report, _ = queue.submit(
        "report",
        private={"contact": "\x1b]0;pwned\x07"},
        target="anytown-cat-and-dog-shelter",
        activity="dog-walking-volunteers",
        message="Moved\x1b[2J to Sundays",
    )
    listing = run(reg_site, "submissions")
    shown = run(reg_site, "submissions", "show", report.id)
    for result in (listing, shown):
        assert result.returncode == 0
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout
        assert "Moved\\x1b[2J to Sundays" in result.stdout
    assert "\\x1b]0;pwned\\x07" in shown.stdout


# 6. Slugs and ids are whole names --------------------------------------------------------


def test_a_newline_never_makes_a_file_name(reg_site: Path) -> None:
    queue = SubmissionQueue(reg_site / "submissions")
    new = entry(name="Newline Group")
    sub, _ = queue.submit("new", entry=new, target="newline-group")
    result = run(reg_site, "approve", sub.id, "--by", "Sam", "--slug", "newline\n")
    assert result.returncode == 1 and "is not a usable file name" in result.stderr
    assert sorted(p.name for p in (reg_site / "content/providers").iterdir()) == [
        "anytown-cat-and-dog-shelter.yaml"
    ]
    bad_id = run(reg_site, "submissions", "show", sub.id + "\n")
    assert bad_id.returncode == 1 and "is not a submission id" in bad_id.stderr

    write_provider(reg_site, "second\n", GOOD_PROVIDER.replace("Anytown", "Otherton"))
    checked = run(reg_site, "check")
    assert checked.returncode == 1
    assert "must use only lowercase letters, numbers and hyphens" in checked.stdout


def test_schema_patterns_do_not_stop_before_a_final_line_break() -> None:
    activity = entry()["activities"][0]
    found = dict(schema_errors(entry(activities=[{**activity, "locality": "north\n"}])))
    assert ("activities", 0, "locality") in found


# 7. E-mail addresses and web addresses ---------------------------------------------------


@pytest.mark.parametrize("address", ["a@b.co?subject=x&body=y", "a,b@x.co", "a@b.co\n", "a@b"])
def test_the_schema_takes_only_one_plain_email_address(address: str) -> None:
    assert ("email",) in dict(schema_errors(entry(email=address)))


@pytest.mark.parametrize("address", ["a@b.co?subject=x&body=y", "a,b@x.co", "a@b"])
def test_the_form_takes_only_one_plain_email_address(
    address: str, reg_site: Path, limited_url: str
) -> None:
    client = Client(limited_url)
    token = client.csrf_token("/register")
    for field, message in (
        ("email", "doesn't look like one email address"),
        ("your_email", "Enter your email address in the right format"),
    ):
        status, _, html = post_form(client, "/register", {**SHELTER_FORM, field: address}, token)
        summary = BeautifulSoup(html, "html.parser").select_one(".nhsuk-error-summary")
        assert status == 400 and message in summary.get_text(), field
    assert pending(reg_site) == []


def test_schema_and_form_agree_on_web_addresses(reg_site: Path, limited_url: str) -> None:
    assert dict(schema_errors(entry(website="HTTPS://Shelter.Example.org/Walks"))) == {}
    client = Client(limited_url)
    token = client.csrf_token("/register")
    form = {**SHELTER_FORM, "website": "HTTPS://Shelter.Example.org/Walks"}
    assert post_form(client, "/register", form, token)[0] == 200
    [folder] = pending(reg_site)
    saved = yaml.safe_load((folder / "entry.yaml").read_text())
    assert saved["website"] == "https://shelter.example.org/Walks"


# 8. Floods -------------------------------------------------------------------------------


def test_tell_us_has_a_rate_limit(reg_site: Path) -> None:
    db = reg_site / "unmet.sqlite3"
    app = create_app(reg_site, reg_site / "output", unmet_need=db, form_rate_limit="5/hour")
    for url in serve(app):
        client = Client(url)
        client.get("/search?q=zzzz")
        token = client.csrf_token("/register")
        statuses = [
            client.post("/search/tell-us", {"csrf_token": token, "message": f"need {i}"})[0]
            for i in range(30)
        ]
    assert statuses[:5] == [303] * 5 and set(statuses[5:]) == {429}
    assert len(UnmetNeed(db).told_us(None)) == 5


# 9. Build leftovers ----------------------------------------------------------------------


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_a_killed_build_leaves_no_worker_and_its_leftovers_are_cleared(site: Path) -> None:
    for number in range(60):  # enough work that the build can be caught half-way
        write_provider(
            site, f"group-{number}", GOOD_PROVIDER.replace("Anytown Cat", f"Group {number} Cat")
        )
    assert run(site, "build").returncode == 0
    published = sorted(p.relative_to(site / "output") for p in (site / "output").rglob("*"))
    running = site / f".output.building-{os.getpid()}-x"  # a build still running
    running.mkdir()

    build_process = subprocess.Popen([HEALTHDIR, "build"], cwd=site)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < deadline and not workers:
        workers = children(build_process.pid)
        time.sleep(0.02)
    assert workers, "the build never started its worker"
    os.kill(build_process.pid, signal.SIGKILL)
    build_process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(w) for w in workers):
        time.sleep(0.05)
    assert not any(alive(w) for w in workers), "the worker outlived the build"
    assert sorted(p.relative_to(site / "output") for p in (site / "output").rglob("*")) == (
        published
    )

    assert run(site, "build").returncode == 0
    # Dead builds' folders are gone; a running build's folder is never touched.
    assert [p.name for p in site.iterdir() if ".building-" in p.name] == [running.name]


# 10. A path probe ------------------------------------------------------------------------


def test_paths_that_leave_the_site_are_404_without_a_redirect(reg_site: Path) -> None:
    build(reg_site, reg_site / "output", today=TODAY, index=reg_site / "index")
    for url in serve(create_app(reg_site, reg_site / "output")):
        up = "..%2F" * 20  # far enough to reach / from any temporary folder
        for path in (f"/{up}etc", f"/{up}etc%2Fno-such-folder", "/..%2Fcontent", "/..%2F"):
            status, headers = raw(url, "GET", path)
            assert status == 404 and "Location" not in headers, path
        status, headers = raw(url, "GET", "/providers")
        assert status == 308 and headers["Location"] == "/providers/"
