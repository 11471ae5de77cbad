"""Counts that add up: a search that finds nothing is counted once, and the prize draw is
for exactly the groups the emails say it is for (those that confirm or update)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from conftest import GOOD_PROVIDER, REPO, TODAY, Client, serve, write_provider
from test_registration import NORTH, SHELTER, check

from entries import load_directory
from entries.site_settings import site_settings
from registration.queue import SubmissionQueue
from registration.review import approve
from search.unmet_need import UnmetNeed
from service import create_app
from upkeep.prize_draw import entrants
from upkeep.reminders import reminders_due

NOTHING = "underwater basket weaving"


@pytest.fixture
def service(sample_build: tuple[Path, Path], tmp_path: Path) -> Iterator[tuple[str, Path]]:
    output, index = sample_build
    db = tmp_path / "unmet.sqlite3"
    for url in serve(create_app(REPO, output, index=index, unmet_need=db)):
        yield url, db


def test_one_search_is_counted_once_when_people_tell_us_too(service: tuple[str, Path]) -> None:
    url, db = service
    client = Client(url)
    query = "/search?q=" + NOTHING.replace(" ", "+")
    _, _, html = client.get(query)
    token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    status, headers, _ = client.post(
        "/search/tell-us", {"csrf_token": token, "q": NOTHING, "message": "Basket weaving"}
    )
    assert status == 303
    client.get(headers["Location"])  # the page after "Thank you"
    client.post("/search/tell-us", {"csrf_token": token, "q": NOTHING, "message": ""})  # error
    store = UnmetNeed(db)
    assert [(n.query, n.searches) for n in store.needs()] == [(NOTHING, 1)]
    assert len(store.told_us()) == 1


def test_the_prize_draw_is_for_groups_that_confirm_or_update(site: Path) -> None:
    """A newly listed group is not in the draw; one that updated its details is, as is one
    that confirmed them; the reminder emails say exactly that."""
    providers = site / "content/providers"
    write_provider(site, "anytown-cat-and-dog-shelter", GOOD_PROVIDER)
    directory, _ = load_directory(site, site_settings(site), today=TODAY)
    queue = SubmissionQueue(site / "submissions")
    new = check(**SHELTER)
    sub, _ = queue.submit("new", entry=new.entry, private=new.private, target=new.slug)
    approve(queue, sub, providers, directory, TODAY, "Sam")
    changed = check(**{**SHELTER, "group_name": "Anytown Cat and Dog Shelter", **NORTH,
                        "email": "walks@shelter.example.org"})  # fmt: skip
    sub, _ = queue.submit(
        "update", entry=changed.entry, private=changed.private,
        target="anytown-cat-and-dog-shelter", replaces=["dog-walking-volunteers"],
        now=datetime(2026, 11, 22, 10),
    )  # fmt: skip
    approve(queue, sub, providers, directory, TODAY, "Sam")
    log = site / "var/confirmations.log"
    log.parent.mkdir()
    log.write_text("2026-11-03,millbrook-knit-and-natter\n")
    assert entrants("2026-11", log, queue.approvals()) == [
        "anytown-cat-and-dog-shelter",
        "millbrook-knit-and-natter",
    ]
    later, _ = load_directory(site, site_settings(site), today=TODAY.replace(year=2027, month=5))
    [reminder] = reminders_due(later, {}, lambda slug: f"https://x/{slug}", "team@x")
    assert (
        "Groups that confirm or update their details are entered into our monthly prize draw."
        in reminder.message.get_content()
    )
