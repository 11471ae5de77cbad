"""/register and /report over real HTTP: protections, the queue, load and a crash."""

from __future__ import annotations

import http.client
import os
import signal
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import TODAY, Client, serve, start_serving
from test_registration import SHELTER

from entries.directory import validate_entry
from entries.yaml_source import read_yaml
from registration.queue import SubmissionQueue
from service import create_app

SHELTER_FORM = {**SHELTER, "domains": SHELTER["domains"]}
DOMAINS = [
    "physical-activity",
    "healthy-eating",
    "arts-for-health",
    "befriending",
    "welfare-rights",
    "volunteering",
]


def encode(form: dict[str, object]) -> dict[str, object]:
    return form


def post_form(client: Client, path: str, form: dict[str, object], token: str | None = None):
    pairs = []
    for key, value in form.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, item))
    if token is not None:
        pairs.append(("csrf_token", token))
    return client.post(path, urllib.parse.urlencode(pairs).encode())


@pytest.fixture
def reg_url(reg_site: Path) -> Iterator[str]:
    yield from serve(create_app(reg_site, reg_site / "output", form_rate_limit="10000 per minute"))


def pending(site: Path) -> list[Path]:
    folder = site / "submissions" / "pending"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_form_is_one_plain_page(reg_url: str) -> None:
    status, _headers, html = Client(reg_url).get("/register")
    assert status == 200
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("form[method=post] input[name=csrf_token]")["value"]
    assert [d.get_text(strip=True) for d in soup.select("details summary")] == [
        "Add more detail about this activity (optional)",
        "Add more about your group (optional)",
    ]
    assert len(soup.select("input[name=domains]")) == 6
    assert "For example: walking groups" in html
    assert soup.h1.get_text(strip=True) == "Add your group"
    # Days and times are choices, with "It varies" after "or".
    days = [i["value"] for i in soup.select("input[name=days]")]
    assert days == ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "varies"]
    assert soup.select_one(".nhsuk-checkboxes__divider").get_text(strip=True) == "or"
    starts = [o.get_text(strip=True) for o in soup.select("select[name=starts] option")]
    assert starts[:3] == ["Choose a time", "6am", "6:15am"] and "12 noon" in starts
    # Nobody is asked for the area: the postcode says it.
    assert soup.select_one("[name=locality]") is None


def test_missing_or_wrong_csrf_token_is_refused(reg_site: Path, reg_url: str) -> None:
    client = Client(reg_url)
    status, _, html = post_form(client, "/register", SHELTER_FORM)
    assert status == 400 and "Your form has expired" in html
    client.csrf_token("/register")
    status, _, _ = post_form(client, "/register", SHELTER_FORM, token="forged")
    assert status == 400
    assert pending(reg_site) == []


def test_errors_are_shown_and_nothing_typed_is_lost(reg_site: Path, reg_url: str) -> None:
    client = Client(reg_url)
    token = client.csrf_token("/register")
    form = {
        **SHELTER_FORM,
        "summary": "",
        "your_email": "not-an-email",
        "group_name": "<script>alert(1)</script>",
    }
    status, _, html = post_form(client, "/register", form, token)
    assert status == 400
    soup = BeautifulSoup(html, "html.parser")
    summary = [a.get_text(strip=True) for a in soup.select(".nhsuk-error-summary a")]
    assert summary == [
        "Describe what happens, in a sentence or two",
        "Enter your email address in the right format, like name@example.com",
    ]
    assert [a["href"] for a in soup.select(".nhsuk-error-summary a")] == ["#summary", "#your_email"]
    assert (
        soup.select_one("#summary-error")
        or "Describe what happens" in soup.select_one(".nhsuk-form-group--error").text
    )
    assert soup.select_one("#group_name")["value"] == "<script>alert(1)</script>"
    assert "<script>alert(1)</script>" not in html
    assert soup.select_one("#postcode")["value"] == SHELTER["postcode"]
    assert soup.select_one("input[name=days][value=sat]").has_attr("checked")
    assert soup.select_one("#starts option[selected]")["value"] == "10:00"
    assert soup.title.text.startswith("Error: ")
    assert pending(reg_site) == []


def test_a_valid_submission_is_queued_once(reg_site: Path, reg_url: str) -> None:
    client = Client(reg_url)
    token = client.csrf_token("/register")
    status, _, html = post_form(client, "/register", SHELTER_FORM, token)
    assert status == 200
    assert (
        "Thank you: we have your details" in html and "usually takes up to 5 working days" in html
    )
    [folder] = pending(reg_site)
    assert f"Your reference is {folder.name}" in html
    entry = yaml.safe_load((folder / "entry.yaml").read_text())
    assert entry["name"] == "Southmoor Cat and Dog Rescue"
    assert "pat@example.com" not in (folder / "entry.yaml").read_text()
    status, _, html = post_form(client, "/register", SHELTER_FORM, token)
    assert status == 200 and "You had already sent us exactly these details" in html
    assert len(pending(reg_site)) == 1


def test_honeypot_pretends_and_stores_nothing(reg_site: Path, reg_url: str) -> None:
    client = Client(reg_url)
    token = client.csrf_token("/register")
    status, _, html = post_form(
        client, "/register", {**SHELTER_FORM, "nickname": "buy pills"}, token
    )
    assert status == 200 and "Thank you" in html
    assert pending(reg_site) == []


def test_a_huge_body_is_refused_with_413(reg_site: Path, reg_url: str) -> None:
    client = Client(reg_url)
    token = client.csrf_token("/register")
    status, _, _ = post_form(
        client, "/register", {**SHELTER_FORM, "details": "x" * 1_000_000}, token
    )
    assert status == 413
    assert pending(reg_site) == []


@pytest.mark.parametrize("name", ["../../etc/passwd", "a/b\\c", "বাংলা রান্না 🍛", "Café ☕"])
def test_names_never_become_paths(reg_site: Path, reg_url: str, name: str) -> None:
    client = Client(reg_url)
    token = client.csrf_token("/register")
    status, _, _ = post_form(client, "/register", {**SHELTER_FORM, "group_name": name}, token)
    assert status == 200
    [folder] = pending(reg_site)
    assert folder.parent == reg_site / "submissions" / "pending"
    meta = yaml.safe_load((folder / "submission.yaml").read_text())
    assert "/" not in meta["target"] and ".." not in meta["target"]
    assert yaml.safe_load((folder / "entry.yaml").read_text())["name"] == name
    assert not (reg_site / "etc").exists()


def test_rate_limit_per_client_keeps_no_address(reg_site: Path) -> None:
    for url in serve(create_app(reg_site, reg_site / "output", form_rate_limit="3 per minute")):
        client = Client(url)
        token = client.csrf_token("/register")
        statuses = [
            post_form(client, "/register", {**SHELTER_FORM, "group_name": f"Group {i}"}, token)[0]
            for i in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
    stored = "".join(p.read_text() for p in (reg_site / "submissions").rglob("*.yaml"))
    assert "127.0.0.1" not in stored


def test_report_something_wrong(reg_site: Path, reg_url: str) -> None:
    client = Client(reg_url)
    path = "/report/anytown-cat-and-dog-shelter/dog-walking-volunteers"
    token = client.csrf_token(path)
    status, _, html = post_form(client, path, {"problem": ""}, token)
    assert status == 400 and "Tell us what is wrong or out of date" in html
    status, _, html = post_form(
        client, path, {"problem": "It has moved to Sundays", "contact": ""}, token
    )
    assert status == 200 and "we have your report" in html
    [folder] = pending(reg_site)
    meta = yaml.safe_load((folder / "submission.yaml").read_text())
    assert meta["kind"] == "report" and meta["message"] == "It has moved to Sundays"
    assert Client(reg_url).get("/report/anytown-cat-and-dog-shelter/no-such-activity")[0] == 404
    assert Client(reg_url).get("/report/..%2F..%2Fetc/passwd")[0] == 404


def form_on(html: str) -> list[tuple[str, str]]:
    """What a browser would send from the page's form, as it stands (no button pressed)."""
    soup = BeautifulSoup(html, "html.parser")
    pairs = []
    for field in soup.select("form[method=post] [name]"):
        name, kind = field["name"], field.get("type", "")
        if field.name == "button" or name == "nickname":
            continue
        if field.name == "select":
            chosen = field.select_one("option[selected]")
            pairs.append((name, chosen["value"] if chosen else ""))
        elif field.name == "textarea":
            pairs.append((name, field.text.strip()))
        elif kind in ("checkbox", "radio"):
            if field.has_attr("checked"):
                pairs.append((name, field["value"]))
        else:
            pairs.append((name, field.get("value", "")))
    return pairs


def post_pairs(client: Client, pairs: list[tuple[str, str]]):
    return client.post("/register", urllib.parse.urlencode(pairs).encode())


def test_update_is_prefilled_and_queued_as_an_update(reg_site: Path, reg_url: str) -> None:
    client = Client(reg_url)
    # The link on an activity's page names the activity; the form covers the whole group.
    path = "/register?update=anytown-cat-and-dog-shelter/dog-walking-volunteers"
    _, _, html = client.get(path)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.h1.get_text(strip=True) == "Update your listing"
    assert soup.select_one("#group_name")["value"] == "Anytown Cat and Dog Shelter"
    assert soup.select_one("#postcode")["value"] == "AB1 2CD"
    assert [i["value"] for i in soup.select("input[name=days][checked]")] == ["sat", "sun"]
    assert soup.select_one("input[name=update]")["value"] == "anytown-cat-and-dog-shelter"
    assert soup.select_one("input[name=was]")["value"] == "dog-walking-volunteers"
    assert soup.select_one("#remove") is not None  # "Take this activity off the directory"
    pairs = [(k, v) for k, v in form_on(html) if k not in ("days", "your_email")]
    pairs += [("days", "sun"), ("your_email", "pat@example.com"), ("consent", "yes")]
    status, _, html = post_pairs(client, pairs)
    assert status == 200, html
    [folder] = pending(reg_site)
    meta = yaml.safe_load((folder / "submission.yaml").read_text())
    assert (meta["kind"], meta["target"], meta["replaces"]) == (
        "update",
        "anytown-cat-and-dog-shelter",
        ["dog-walking-volunteers"],
    )
    assert meta["duplicates"] == []
    assert (folder / "baseline.yaml").is_file()
    entry = yaml.safe_load((folder / "entry.yaml").read_text())
    assert entry["activities"][0]["schedule"] == [{"days": ["sun"], "from": "10:00", "to": "12:00"}]
    assert Client(reg_url).get("/register?update=../../etc/passwd")[0] == 404
    assert Client(reg_url).get("/register?update=no-such-group")[0] == 404


def test_add_another_activity_and_time_without_javascript(reg_site: Path, reg_url: str) -> None:
    client = Client(reg_url)
    _, _, html = client.get("/register")
    pairs = [(k, v) for k, v in form_on(html) if k != "group_name"] + [("group_name", "Rescue")]
    status, _, html = post_pairs(client, [*pairs, ("add", "activity")])
    assert status == 200 and "There is a problem" not in html  # nothing checked yet
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("#group_name")["value"] == "Rescue"  # nothing typed is lost
    assert [h.get_text(strip=True) for h in soup.select("h2.nhsuk-heading-l")] == [
        "Activity 1",
        "Activity 2",
    ]
    assert soup.select_one("#a2-summary") is not None
    status, _, html = post_pairs(client, [*form_on(html), ("add", "time-2")])
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("#a2-s2-starts") is not None and soup.select_one("#s2-starts") is None
    assert "Another time" in soup.get_text()
    assert pending(reg_site) == []


def test_200_concurrent_submissions_make_200_valid_files(reg_site: Path, reg_url: str) -> None:
    def submit(number: int) -> int:
        client = Client(reg_url)
        token = client.csrf_token("/register")
        return post_form(
            client, "/register", {**SHELTER_FORM, "group_name": f"Rescue number {number}"}, token
        )[0]

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(submit, range(200)))
    assert statuses == [200] * 200
    folders = pending(reg_site)
    assert len(folders) == 200
    names = set()
    for folder in folders:
        entry = read_yaml(folder / "entry.yaml").data
        assert validate_entry(entry, DOMAINS, ["north", "central", "south"], TODAY) == []
        names.add(entry["name"])
    assert names == {f"Rescue number {n}" for n in range(200)}


def test_killing_the_server_mid_run_leaves_no_partial_submission(reg_site: Path) -> None:
    with open(reg_site / "pelicanconf.py", "a") as settings:
        settings.write('\nFORM_RATE_LIMIT = "100000 per minute"\n')
    url, server = start_serving(reg_site, ready="/register")

    def submit(number: int) -> int:
        try:
            client = Client(url)
            token = client.csrf_token("/register")
            return post_form(
                client, "/register", {**SHELTER_FORM, "group_name": f"Crash test {number}"}, token
            )[0]
        except (OSError, http.client.HTTPException):  # the server died mid-answer
            return 0

    with ThreadPoolExecutor(max_workers=20) as pool:
        futures = [pool.submit(submit, n) for n in range(400)]
        while len(pending(reg_site)) < 20:
            time.sleep(0.02)
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        results = [f.result() for f in futures]
    assert 0 in results, "the server should have died part-way through"
    folders = pending(reg_site)
    assert len(folders) >= results.count(200)
    for folder in folders:
        assert sorted(p.name for p in folder.iterdir()) == [
            "entry.yaml",
            "private.yaml",
            "submission.yaml",
        ]
        for part in folder.iterdir():
            assert yaml.safe_load(part.read_text()) is not None
    create_app(reg_site)  # the next start clears half-assembled leftovers
    assert (
        not (reg_site / "submissions" / "tmp").exists()
        or list((reg_site / "submissions" / "tmp").iterdir()) == []
    )
    assert len(SubmissionQueue(reg_site / "submissions").pending()) == len(folders)
