"""Replies by email to groups that register: on receipt, approval and rejection, through a
real SMTP server on loopback; without one, nothing is sent and the log says so plainly."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po
from conftest import HEALTHDIR, Client, Inbox, free_port, serve
from test_register_service import SHELTER_FORM, pending, post_form

from entries import i18n
from entries.model import Site
from registration import replies
from registration.queue import SubmissionQueue
from service import create_app
from upkeep.confirmations import read_link

SECRET = "test-only-secret"  # conftest sets HEALTHDIR_SECRET_KEY to this


@pytest.fixture
def inbox(
    monkeypatch: pytest.MonkeyPatch, smtp: tuple[Inbox, int]
) -> Iterator[tuple[Inbox, dict[str, str]]]:
    """The loopback SMTP server, and the environment that points at it."""
    box, port = smtp
    env = {"HEALTHDIR_SMTP_HOST": "127.0.0.1", "HEALTHDIR_SMTP_PORT": str(port)}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    yield box, env


def register(site: Path, form: dict[str, object], page: str = "/register") -> str:
    """Send the form (at ``page``) to a running service; the submission's id."""
    for url in serve(create_app(site, site / "output", form_rate_limit="1000 per minute")):
        client = Client(url)
        status, _, html = post_form(client, page, form, client.csrf_token(page))
        assert status == 200, html
    return pending(site)[-1].name


# A few of the replies' messages in made-up Polish: the test needs the catalog, not the
# real translations.
POLISH = {
    "We have your details for %(group)s": "PL: mamy dane grupy %(group)s",
    "Your reference is %(reference)s.": "PL: numer zgłoszenia %(reference)s.",
    "Hello %(name)s,": "PL: dzień dobry, %(name)s,",
    "%(group)s is now in the %(area)s directory": "PL: %(group)s jest w katalogu %(area)s",
    "Thank you,": "PL: dziękujemy,",
}


def polish_catalog(folder: Path, messages: dict[str, str] = POLISH) -> Path:
    """A ``pl`` catalog of ``messages`` in ``folder``, as ``make setup`` compiles one."""
    catalog = Catalog(locale="pl")
    for english, polish in messages.items():
        catalog.add(english, polish)
    messages = folder / "pl" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    with open(messages / "messages.po", "wb") as po:
        write_po(po, catalog)
    with open(messages / "messages.mo", "wb") as mo:
        write_mo(mo, catalog)
    return folder


def run(site: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [HEALTHDIR, *args], cwd=site, capture_output=True, text=True, env={**os.environ, **env}
    )


def test_receipt_approval_and_rejection_arrive(
    reg_site: Path, inbox: tuple[Inbox, dict[str, str]]
) -> None:
    box, env = inbox
    reference = register(reg_site, SHELTER_FORM)
    [receipt] = box.messages
    assert receipt["To"] == "pat@example.com"
    assert receipt["From"] == "directory@anytown-chp.example.org"
    assert receipt["Subject"] == "We have your details for Southmoor Cat and Dog Rescue"
    body = receipt.get_content().replace("\r\n", "\n")
    assert body.startswith("Hello Pat Volunteer,\n")
    assert f"Your reference is {reference}." in body
    assert "usually takes up to 5 working days" in body

    approved = run(reg_site, "approve", reference, "--by", "Sam Reviewer", env=env)
    assert approved.returncode == 0, approved.stderr
    assert "Emailed pat@example.com." in approved.stdout
    approval = box.messages[-1]
    assert approval["To"] == "pat@example.com"
    assert approval["Subject"] == "Southmoor Cat and Dog Rescue is now in the Anytown directory"
    body = approval.get_content().replace("\r\n", "\n")
    assert "https://directory.anytown.example.org/providers/southmoor-cat-and-dog-rescue/" in body
    link = next(line for line in body.splitlines() if "/confirm/" in line)
    assert read_link(link.rsplit("/", 1)[1], SECRET, 60) == "southmoor-cat-and-dog-rescue"
    assert "confirm or update their details are entered into our monthly prize draw" in body

    other = register(reg_site, {**SHELTER_FORM, "group_name": "Totally Real Rescue"})
    rejected = run(reg_site, "reject", other, "--reason", "We could not reach you.", env=env)
    assert rejected.returncode == 0, rejected.stderr
    rejection = box.messages[-1]
    assert rejection["Subject"] == "About the details you sent for Totally Real Rescue"
    assert "  We could not reach you.\n" in rejection.get_content().replace("\r\n", "\n")
    assert len(box.messages) == 4  # two receipts, an approval and a rejection


def test_without_smtp_nothing_is_sent_and_one_line_is_logged(
    reg_site: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("HEALTHDIR_SMTP_HOST", raising=False)
    # A group no other test sends: Pelican's log filter drops a line logged twice.
    form = {**SHELTER_FORM, "group_name": "Quiet Log Rescue"}
    with caplog.at_level(logging.WARNING, logger="healthdir.mail"):
        reference = register(reg_site, form)
    lines = [r.getMessage() for r in caplog.records if r.name == "healthdir.mail"]
    assert lines == [
        "Email not sent (no SMTP server is set, HEALTHDIR_SMTP_HOST): "
        f"receipt for submission {reference}"
    ]
    assert SubmissionQueue(reg_site / "submissions").get(reference).state == "pending"


def test_a_server_that_is_down_loses_nothing(
    reg_site: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("HEALTHDIR_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("HEALTHDIR_SMTP_PORT", str(free_port()))  # nothing listens there
    with caplog.at_level(logging.WARNING, logger="healthdir.mail"):
        reference = register(reg_site, {**SHELTER_FORM, "group_name": "Server Down Rescue"})
    [line] = [r.getMessage() for r in caplog.records if r.name == "healthdir.mail"]
    assert line == f"Email not sent (ConnectionRefusedError): receipt for submission {reference}"
    assert "pat" not in line.lower()


def test_replies_are_in_the_language_the_form_was_filled_in(
    reg_site: Path, tmp_path: Path, inbox: tuple[Inbox, dict[str, str]]
) -> None:
    box, env = inbox
    locales = polish_catalog(tmp_path / "locales")
    with open(reg_site / "pelicanconf.py", "a", encoding="utf-8") as settings:
        settings.write(f"\nLANGUAGES = ['en-GB', 'pl']\nLOCALES_PATH = {str(locales)!r}\n")
    form = {**SHELTER_FORM, "group_name": "Polish Form Rescue"}
    reference = register(reg_site, form, page="/pl/register")
    assert SubmissionQueue(reg_site / "submissions").get(reference).language == "pl"
    [receipt] = box.messages
    assert receipt["Subject"] == "PL: mamy dane grupy Polish Form Rescue"
    body = receipt.get_content().replace("\r\n", "\n")
    assert body.startswith("PL: dzień dobry, Pat Volunteer,\n")
    assert f"PL: numer zgłoszenia {reference}." in body
    assert "usually takes up to 5 working days" in body  # not in the catalog: English

    approved = run(reg_site, "approve", reference, "--by", "Sam Reviewer", env=env)
    assert approved.returncode == 0, approved.stderr
    approval = box.messages[-1]
    assert approval["Subject"] == "PL: Polish Form Rescue jest w katalogu Anytown"
    assert "\nPL: dziękujemy,\n" in approval.get_content().replace("\r\n", "\n")


def test_a_submission_with_no_language_is_answered_in_the_sites_first(tmp_path: Path) -> None:
    locales = polish_catalog(tmp_path / "locales")
    queue = SubmissionQueue(tmp_path / "submissions")
    private = {"name": "Ola", "email": "ola@example.com"}
    polish, _ = queue.submit("new", entry={"name": "Grupa"}, private=private, language="pl")
    earlier, _ = queue.submit("new", entry={"name": "Inna"}, private=private)
    assert (polish.language, earlier.language) == ("pl", "")
    sender = "directory@example.org"
    for languages, subject in (
        (["en-GB", "pl"], "We have your details for Inna"),
        (["pl", "en-GB"], "PL: mamy dane grupy Inna"),
    ):
        site = Site.from_settings(
            {"AREA_NAME": "Anytown", "LANGUAGES": languages, "LOCALES_PATH": str(locales)}
        )
        assert replies.receipt(earlier, site, sender)["Subject"] == subject
        assert replies.receipt(polish, site, sender)["Subject"] == "PL: mamy dane grupy Grupa"
    english = Site.from_settings({"AREA_NAME": "Anytown"})  # no LANGUAGES: English only
    assert replies.receipt(polish, english, sender)["Subject"] == "We have your details for Grupa"
    assert i18n.current() is None  # nothing is left speaking Polish
