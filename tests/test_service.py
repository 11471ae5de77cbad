"""The web service over real HTTP: /search, /api/search, "tell us", the static site."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import HEALTHDIR, REPO, Client, serve, site_using

from search.unmet_need import UnmetNeed
from service import create_app


@pytest.fixture(scope="module")
def unmet_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("var") / "unmet-need.sqlite3"


@pytest.fixture(scope="module")
def service_url(sample_build: tuple[Path, Path], unmet_db: Path) -> Iterator[str]:
    output, index = sample_build
    yield from serve(create_app(REPO, output, index=index, unmet_need=unmet_db))


@pytest.fixture
def client(service_url: str) -> Client:
    return Client(service_url)


def test_search_page_renders_results_server_side(client: Client) -> None:
    status, headers, html = client.get("/search?q=walking")
    assert status == 200
    soup = BeautifulSoup(html, "html.parser")
    assert soup.html["lang"] == "en-GB"
    links = [a["href"] for a in soup.select("li.hd-activity h3 a")]
    assert "/activities/millbrook-health-walks/millbrook-health-walk/" in links
    assert soup.select_one("li.hd-activity mark")
    assert "activities found for ‘walking’" in soup.select_one("#results-heading").text
    assert soup.select_one("select[name=domain]") and soup.select_one("input[name=free]")
    assert "not for emergencies" in html
    assert "Set-Cookie" not in headers  # no cookie unless a form needs one


def test_did_you_mean_links_to_the_corrected_search(client: Client) -> None:
    _, _, html = client.get("/search?q=excercise")
    link = BeautifulSoup(html, "html.parser").find("a", string="exercise")
    assert link["href"] == "/search?q=exercise"


def test_filters_show_counts_and_combine(client: Client) -> None:
    _, _, html = client.get("/search?q=&domain=befriending&free=1&locality=north")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("select[name=domain] option[selected]")["value"] == "befriending"
    assert soup.select_one("input[name=free]").has_attr("checked")
    day_choices = [label.get_text(strip=True) for label in soup.select("fieldset label")]
    assert "Tuesday (0)" in day_choices or any(
        re.fullmatch(r"Tuesday \(\d+\)", text) for text in day_choices
    )
    # Area-wide activities are counted in every area: a count is what choosing it gives.
    areas = {o["value"]: o.get_text() for o in soup.select("select[name=locality] option")}
    assert re.fullmatch(r"Anytown North \([1-9]\d*\)", areas["north"])


def test_filters_stay_when_nothing_is_found_and_several_can_be_chosen(client: Client) -> None:
    url = "/search?q=&accessibility=step-free&accessibility=seated-option&day=sun&language=zz"
    soup = BeautifulSoup(client.get(url)[2], "html.parser")
    checked = {(i["name"], i["value"]) for i in soup.select("input[type=checkbox][checked]")}
    assert {("accessibility", "step-free"), ("accessibility", "seated-option")} <= checked
    assert ("day", "sun") in checked
    legends = {legend.get_text(strip=True) for legend in soup.select("legend")}
    assert {"Day", "How it runs", "Accessibility", "Cost"} <= legends
    assert soup.select_one("select[name=language] option[selected]")["value"] == "zz"
    assert soup.find("a", string="Clear all filters")["href"] == "/search"


def test_api_search_returns_results_facets_and_suggestion(client: Client) -> None:
    status, headers, body = client.get("/api/search?q=excercise&limit=3")
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "*"
    data = json.loads(body)
    assert data["suggestion"] == "exercise"
    assert len(data["results"]) == 3 and data["total"] >= 3
    assert {"provider", "activity", "url", "name", "score"} <= set(data["results"][0])
    assert {"domain", "locality", "day", "join", "free"} <= set(data["facets"])
    _, _, body = client.get("/api/search?q=lonely&locality=south&free=1")
    data = json.loads(body)
    assert data["filters"] == {"locality": "south", "free": "1"}
    assert all(r["locality"] in ("south", "all") and r["cost"] == "free" for r in data["results"])


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "(",
        "AND",
        "~",
        "a" * 3000,
        "লোনলি",
        "<script>alert(1)</script>",
        "%",
        "walking&free=maybe&day=funday",
    ],
)
def test_hostile_queries_over_http(client: Client, query: str) -> None:
    status, _, html = client.get("/search?" + urllib.parse.urlencode({"q": query}))
    assert status == 200
    assert "<script>alert(1)</script>" not in html
    status, _, body = client.get("/api/search?" + urllib.parse.urlencode({"q": query}))
    assert status == 200 and "total" in json.loads(body)


def test_zero_results_offer_next_steps_and_are_counted(client: Client, unmet_db: Path) -> None:
    status, _headers, html = client.get("/search?q=Underwater+Basket+Weaving&free=1")
    assert status == 200
    soup = BeautifulSoup(html, "html.parser")
    assert "No activities found" in soup.select_one("#results-heading").text
    assert soup.find("a", string="search again without the filters")
    assert soup.select_one('a[href="/domains/befriending/"]')
    assert "01632 960000" in html
    assert soup.select_one("form.hd-tell-us textarea[name=message]")
    needs = UnmetNeed(unmet_db).needs()
    assert any(n.query == "underwater basket weaving" and n.filters == "free=1" for n in needs)
    raw = sqlite3.connect(unmet_db).execute("SELECT * FROM zero_results").fetchall()
    assert "127.0.0.1" not in repr(raw)


def test_tell_us_needs_csrf_then_stores_the_message(client: Client, unmet_db: Path) -> None:
    before = len(UnmetNeed(unmet_db).told_us())
    status, _, _ = client.post(
        "/search/tell-us", {"q": "trampolining", "message": "A trampolining class"}
    )
    assert status == 400
    assert len(UnmetNeed(unmet_db).told_us()) == before

    _, headers, html = client.get("/search?q=trampolining")
    assert "Set-Cookie" in headers  # the form's security cookie
    token = BeautifulSoup(html, "html.parser").select_one("input[name=csrf_token]")["value"]
    status, _, html = client.post(
        "/search/tell-us", {"csrf_token": token, "q": "trampolining", "message": " "}
    )
    assert (
        status == 400
        and "Tell us what you were looking for" in html
        and "nhsuk-error-summary" in html
    )
    status, headers, _ = client.post(
        "/search/tell-us",
        {
            "csrf_token": token,
            "q": "trampolining",
            "message": "A trampolining class near Southmoor, please",
        },
    )
    assert status == 303 and headers["Location"] == "/search?q=trampolining&told=1"
    told = UnmetNeed(unmet_db).told_us()
    assert (
        told[0].message == "A trampolining class near Southmoor, please"
        and told[0].query == "trampolining"
    )
    _, _, html = client.get(headers["Location"])
    assert "Thank you" in html


def test_oversized_form_is_refused(client: Client, unmet_db: Path) -> None:
    before = len(UnmetNeed(unmet_db).told_us())
    status, _, html = client.post("/search/tell-us", b"message=" + b"x" * 200_000)
    assert status == 413
    assert "too much" in html
    assert len(UnmetNeed(unmet_db).told_us()) == before


def test_static_site_is_served_at_the_same_address(client: Client) -> None:
    assert client.get("/")[0] == 200
    status, headers, _ = client.get("/domains")
    assert status == 308 and headers["Location"] == "/domains/"
    assert client.get("/activities/anytown-cat-and-dog-shelter/dog-walking-volunteers/")[0] == 200
    assert client.get("/theme/css/healthdir.css")[0] == 200
    status, _, html = client.get("/no/such/page/")
    assert status == 404 and "Page not found" in html
    assert client.get("/%2e%2e/%2e%2e/etc/passwd")[0] == 404


def test_search_without_an_index_says_so_kindly(
    sample_build: tuple[Path, Path], tmp_path: Path
) -> None:
    app = create_app(REPO, sample_build[0], index=tmp_path / "missing", unmet_need=tmp_path / "db")
    for url in serve(app):
        status, _, html = Client(url).get("/search?q=walking")
        assert status == 503 and "Search is not available right now" in html
        status, _, body = Client(url).get("/api/search?q=walking")
        assert status == 503 and "error" in json.loads(body)


def test_report_unmet_need(unmet_db: Path, tmp_path: Path, client: Client) -> None:
    for _ in range(3):
        client.get("/search?q=Rock+Climbing")
    client.get("/search?q=knitting+on+Mars")
    site = site_using(tmp_path / "site", UNMET_NEED_DB=str(unmet_db))
    text = subprocess.run(
        [HEALTHDIR, "report", "unmet-need"], cwd=site, capture_output=True, text=True
    )
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == "Searches that found nothing, most frequent first:"
    assert "rock climbing" in lines[1] and lines[1].split()[0] == "3"
    assert "A trampolining class near Southmoor, please" in text.stdout
    csv_out = subprocess.run(
        [HEALTHDIR, "report", "unmet-need", "--csv"], cwd=site, capture_output=True, text=True
    )
    rows = csv_out.stdout.splitlines()
    assert rows[0] == "kind,query,filters,searches,first_day,last_day,message"
    assert rows[1].startswith("no results,rock climbing,,3,")
    future = subprocess.run(
        [HEALTHDIR, "report", "unmet-need", "--since", "2999-01-01"],
        cwd=site,
        capture_output=True,
        text=True,
    )
    assert "rock climbing" not in future.stdout
