"""Freshness: confirmation links and pages, reminders over real SMTP, report, prize draw."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import (
    GOOD_PROVIDER,
    HEALTHDIR,
    TODAY,
    Client,
    Inbox,
    serve,
    write_provider,
)

from registration.queue import SubmissionQueue
from service import create_app
from upkeep.confirmations import (
    BadLink,
    confirm_link,
    confirmations,
    read_link,
    record_confirmation,
)
from upkeep.prize_draw import draw, entrants
from upkeep.secret import secret_key


def provider(
    name: str, confirmed: str, email_address: str | None = "hello@group.example.org"
) -> str:
    text = GOOD_PROVIDER.replace("Anytown Cat and Dog Shelter", name).replace(
        "last_confirmed: 2026-10-14",
        f"# confirmed by phone\nlast_confirmed: {confirmed}  # keep this",
    )
    text = (
        text.replace("walks@shelter.example.org", email_address)
        if email_address
        else text.replace("email: walks@shelter.example.org\n", "")
    )
    return text


def run(site: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HEALTHDIR, *args], cwd=site, capture_output=True, text=True, env={**os.environ, **env}
    )


class TestLinks:
    def test_a_link_round_trips_and_alterations_are_refused(self) -> None:
        url = confirm_link("anytown-cat-and-dog-shelter", "https://dir.example.org/", "s3cret")
        assert url.startswith("https://dir.example.org/confirm/")
        token = url.rsplit("/", 1)[1]
        assert read_link(token, "s3cret", 60) == "anytown-cat-and-dog-shelter"
        with pytest.raises(BadLink) as altered:
            read_link(token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "s3cret", 60)
        assert not altered.value.expired
        with pytest.raises(BadLink):
            read_link(token, "another-secret", 60)
        forged = confirm_link("../../etc/passwd", "x", "s3cret").rsplit("/", 1)[1]
        with pytest.raises(BadLink):
            read_link(forged, "s3cret", 60)

    def test_an_old_link_has_expired(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import itsdangerous.timed

        token = confirm_link("anytown-cat-and-dog-shelter", "x", "s3cret").rsplit("/", 1)[1]
        real = itsdangerous.timed.time.time
        monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() + 61 * 86400)
        with pytest.raises(BadLink) as old:
            read_link(token, "s3cret", 60)
        assert old.value.expired


def test_recording_changes_one_line_and_is_harmless_twice(site: Path) -> None:
    path = write_provider(site, "group", provider("Group", "2026-01-05"))
    before = path.read_text()
    log = site / "var" / "confirmations.log"
    assert record_confirmation(path, TODAY, log)
    after = path.read_text()
    assert after == before.replace(
        "last_confirmed: 2026-01-05  # keep this", "last_confirmed: 2026-11-22  # keep this"
    )
    assert not record_confirmation(path, TODAY, log)
    assert path.read_text() == after
    assert [(c.day, c.provider) for c in confirmations(log)] == [(TODAY, "group")]


@pytest.fixture
def confirm_site(site: Path) -> Iterator[tuple[Path, str, str]]:
    write_provider(
        site, "anytown-cat-and-dog-shelter", provider("Anytown Cat and Dog Shelter", "2026-03-01")
    )
    link = run(site, "confirm-link", "anytown-cat-and-dog-shelter")
    assert link.returncode == 0, link.stderr
    token = link.stdout.strip().rsplit("/", 1)[1]
    for url in serve(create_app(site, site / "output")):
        yield site, url, token


def test_confirm_page_over_http(confirm_site: tuple[Path, str, str]) -> None:
    site, url, token = confirm_site
    path = site / "content/providers/anytown-cat-and-dog-shelter.yaml"
    before = path.read_text()
    client = Client(url)
    status, _, html = client.get(f"/confirm/{token}")
    assert status == 200
    soup = BeautifulSoup(html, "html.parser")
    assert "Dog walking volunteers" in soup.get_text()
    changed = [a for a in soup.find_all("a") if "Something has changed" in a.get_text()]
    assert changed[0]["href"] == (
        "/register?update=anytown-cat-and-dog-shelter/dog-walking-volunteers"
    )
    assert client.post(f"/confirm/{token}", {})[0] == 400  # no CSRF token
    assert path.read_text() == before
    for bad in (token[:-3] + "abc", "not-a-token", token.replace(".", "x", 1)):
        status, _, html = Client(url).get(f"/confirm/{bad}")
        assert (
            status == 400
            and "This link does not work" in html
            and "Nothing has been changed" in html
        )
    token_field = BeautifulSoup(client.get(f"/confirm/{token}")[2], "html.parser").select_one(
        "input[name=csrf_token]"
    )
    status, _, html = client.post(f"/confirm/{token}", {"csrf_token": token_field["value"]})
    assert status == 200 and "Thank you for confirming" in html
    assert f"last_confirmed: {TODAY.isoformat()}" in path.read_text()
    status, _, html = client.post(f"/confirm/{token}", {"csrf_token": token_field["value"]})
    assert "You had already confirmed today" in html
    assert len(confirmations(site / "var/confirmations.log")) == 1


def test_confirm_link_for_an_unknown_provider(site: Path) -> None:
    result = run(site, "confirm-link", "nobody")
    assert result.returncode == 1 and "there is no provider" in result.stderr


def test_reminders_arrive_once_per_step(site: Path, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    # On 22 November 2026: review after 6 months, hidden after 12.
    write_provider(
        site, "soon-group", provider("Soon Group", "2026-06-10", "soon@group.example.org")
    )  # due 10 Dec
    write_provider(site, "due-group", provider("Due Group", "2026-04-01", "due@group.example.org"))
    write_provider(
        site, "final-group", provider("Final Group", "2025-12-10", "final@group.example.org")
    )  # hidden 10 Dec
    write_provider(
        site, "hidden-group", provider("Hidden Group", "2025-10-01", "hidden@group.example.org")
    )
    write_provider(
        site, "fresh-group", provider("Fresh Group", "2026-11-01", "fresh@group.example.org")
    )
    write_provider(site, "no-email-group", provider("No Email Group", "2026-04-01", None))
    env = {
        "HEALTHDIR_SMTP_HOST": "127.0.0.1",
        "HEALTHDIR_SMTP_PORT": str(port),
        "HEALTHDIR_SECRET_KEY": "k",
    }

    dry = run(site, "remind", "--dry-run", "--date", "2026-11-22", **env)
    assert dry.returncode == 0, dry.stderr
    assert "3 reminders would be sent" in dry.stdout and inbox.messages == []
    assert not (site / "var/reminders.json").exists()

    sent = run(site, "remind", "--date", "2026-11-22", **env)
    assert sent.returncode == 0, sent.stderr
    got = {m["To"]: m for m in inbox.messages}
    assert sorted(got) == [
        "due@group.example.org",
        "final@group.example.org",
        "soon@group.example.org",
    ]
    assert got["final@group.example.org"]["Subject"] == (
        "Last reminder: your listing in the Anytown directory will be hidden on 10 December 2026"
    )
    assert got["soon@group.example.org"]["Subject"].startswith("Are your details")
    for address, slug in (
        ("due@group.example.org", "due-group"),
        ("soon@group.example.org", "soon-group"),
    ):
        body = got[address].get_content()
        link = next(line for line in body.splitlines() if "/confirm/" in line)
        assert link.startswith("https://directory.anytown.example.org/confirm/")
        assert read_link(link.rsplit("/", 1)[1], "k", 60) == slug

    again = run(site, "remind", "--date", "2026-11-23", **env)
    assert "0 reminders sent" in again.stdout and len(inbox.messages) == 3
    # Two weeks on the "soon" group is due: it gets the next step, and only that.
    later = run(site, "remind", "--date", "2026-12-10", **env)
    assert "1 reminder sent" in later.stdout
    assert inbox.messages[-1]["To"] == "soon@group.example.org"
    assert inbox.messages[-1]["Subject"].startswith("Please confirm")


def test_remind_without_smtp_settings_says_so(site: Path) -> None:
    write_provider(site, "due-group", provider("Due Group", "2026-04-01"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEALTHDIR_SMTP")}
    result = subprocess.run(
        [HEALTHDIR, "remind"], cwd=site, capture_output=True, text=True, env=env
    )
    assert result.returncode != 0 and "HEALTHDIR_SMTP_HOST" in result.stderr
    assert "Traceback" not in result.stderr


def test_freshness_report(site: Path) -> None:
    write_provider(site, "due-group", provider("Due Group", "2026-04-01"))
    write_provider(
        site,
        "hidden-group",
        provider("Hidden Group", "2025-10-01").replace("on: 2026-10-14", "on: 2024-01-01"),
    )
    write_provider(site, "fresh-group", provider("Fresh Group", "2026-11-01"))
    result = run(site, "freshness", "--date", "2026-11-22")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        "Freshness on 22 November 2026: 1 fresh, 1 due for review, 1 overdue (hidden) (providers)"
    )
    assert "Activities confirmed in the last 6 months: 33% (1 of 3)" in result.stdout
    oldest = result.stdout.split("oldest confirmation first:\n")[1].splitlines()
    assert oldest[0].startswith("  2025-10-01  overdue (hidden)  Hidden Group")
    assert (
        "Not checked by the directory team in the last 24 months: 1" in result.stdout
    )  # checked 2025-10-01? no: by date
    rows = run(site, "freshness", "--csv", "--date", "2026-11-22").stdout.splitlines()
    assert rows[0] == "provider,name,state,last_confirmed,review_from,hidden_from,checked_on"
    assert rows[1].startswith("hidden-group,Hidden Group,overdue,2025-10-01,2026-04-01,2026-10-01,")


def test_prize_draw_is_reproducible(site: Path) -> None:
    log = site / "var/confirmations.log"
    log.parent.mkdir(parents=True)
    log.write_text("2026-11-02,alpha\n2026-11-15,bravo\n2026-10-30,charlie\n2026-11-20,delta\n")
    names = entrants("2026-11", log, SubmissionQueue(site / "submissions").approvals())
    assert names == ["alpha", "bravo", "delta"]
    first = draw("2026-11", 4242, names)
    assert draw("2026-11", 4242, list(reversed(names))).winner == first.winner
    winners = {draw("2026-11", seed, names).winner for seed in range(40)}
    assert winners == set(names)  # every entrant can win
    result = run(site, "prize-draw", "2026-11", "--seed", "4242")
    assert result.returncode == 0, result.stderr
    assert f"Winner: {first.winner} ({first.winner})" in result.stdout
    assert "Anyone can check it: healthdir prize-draw 2026-11 --seed 4242" in result.stdout
    assert run(site, "prize-draw", "2026-11", "--seed", "4242").stdout == result.stdout
    assert "Nobody to draw from" in run(site, "prize-draw", "2026-01").stdout
    assert run(site, "prize-draw", "November").returncode == 2


def test_secret_key_is_kept_private(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HEALTHDIR_SECRET_KEY", raising=False)
    key = secret_key(site)
    assert key == secret_key(site) and len(key) == 64
    assert oct((site / "var/secret-key").stat().st_mode)[-3:] == "600"
