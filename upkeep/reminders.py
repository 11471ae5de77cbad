"""Reminder emails: three escalating steps before a listing is hidden, each sent once.

A provider gets "soon" in the 30 days before its details are due for review, "due" once
they are, and "final" in the 30 days before they would be hidden. What has been sent is
kept on disk, per provider and per ``last_confirmed``: a step is never sent twice, and a
new confirmation starts the cycle again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

from entries import mail
from entries.atomic import write_text_atomic
from entries.directory import Directory
from entries.formatting import long_date
from entries.i18n import N_, gettext
from entries.model import Provider

STEPS = ("soon", "due", "final")
WARNING = timedelta(days=30)
SUBJECTS = {
    "soon": N_("Are your details in the %(area)s directory still right?"),
    "due": N_("Please confirm your details in the %(area)s directory"),
    "final": N_("Last reminder: your listing in the %(area)s directory will be hidden on %(hide)s"),
}


@dataclass(frozen=True)
class Reminder:
    provider: Provider
    step: str
    to: str
    message: EmailMessage


def step_for(provider: Provider, directory: Directory) -> str | None:
    """Which reminder, if any, the provider should have by the build date."""
    site, today = directory.site, directory.today
    review, hide = (
        site.review_date(provider.last_confirmed),
        site.hide_date(provider.last_confirmed),
    )
    if today >= hide:
        return None  # already hidden: the freshness report lists it for a phone call
    if today >= hide - WARNING:
        return "final"
    if today >= review:
        return "due"
    return "soon" if today >= review - WARNING else None


def email_address(provider: Provider) -> str:
    return provider.contact.email or next(
        (a.own_contact.email for a in provider.activities if a.own_contact.email), ""
    )


def reminders_due(
    directory: Directory, state: dict, link: Callable[[str], str], sender: str
) -> list[Reminder]:
    """The reminders to send now: each provider's current step, if not sent already."""
    due = []
    for provider in directory.all_providers:
        step = step_for(provider, directory)
        to = email_address(provider)
        if not step or not to:
            continue
        record = state.get(provider.slug, {})
        sent = (
            record.get("sent", [])
            if record.get("last_confirmed") == provider.last_confirmed.isoformat()
            else []
        )
        if sent and STEPS.index(step) <= max(STEPS.index(s) for s in sent):
            continue
        due.append(
            Reminder(provider, step, to, _message(provider, step, to, directory, link, sender))
        )
    return due


def send(reminders: list[Reminder], state_path: Path, state: dict) -> None:
    """Send through the SMTP server in the environment (:mod:`entries.mail`; it raises
    :class:`~entries.mail.MailNotSet` if none is set), recording each one as it goes."""
    with mail.connection() as smtp:
        for reminder in reminders:
            smtp.send_message(reminder.message)
            record = state.setdefault(reminder.provider.slug, {})
            confirmed = reminder.provider.last_confirmed.isoformat()
            if record.get("last_confirmed") != confirmed:
                record.update(last_confirmed=confirmed, sent=[])
            record["sent"].append(reminder.step)
            save_state(state_path, state)


def load_state(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def save_state(path: Path, state: dict) -> None:
    write_text_atomic(path, json.dumps(state, indent=2, sort_keys=True) + "\n")


def _message(
    provider: Provider,
    step: str,
    to: str,
    directory: Directory,
    link: Callable[[str], str],
    sender: str,
) -> EmailMessage:
    site = directory.site
    hide = long_date(site.hide_date(provider.last_confirmed))
    message = EmailMessage()
    message["To"] = to
    message["From"] = sender
    message["Subject"] = gettext(SUBJECTS[step], area=site.area_name, hide=hide)
    activities = "\n".join(f"  - {a.name}: {a.when}" for a in provider.listed_activities)
    if step == "soon":
        opening = gettext("It is nearly time to check your group's details in the directory.")
    elif step == "due":
        opening = gettext(
            "Your group's details in the directory are due to be checked. Until you confirm "
            "them, your listing tells people they may have changed."
        )
    else:
        opening = gettext(
            "This is our last reminder. If we do not hear from you, your listing will be "
            "taken off the website on %(hide)s, until you confirm it. Nothing is deleted.",
            hide=hide,
        )
    confirmed = gettext(
        "%(group)s was last confirmed on %(date)s:",
        group=provider.name,
        date=long_date(provider.last_confirmed),
    )
    link_words = gettext(
        "To confirm with one click, or to tell us what has changed, use this link:"
    )
    draw = gettext(
        "Groups that confirm or update their details are entered into our monthly prize draw."
    )
    message.set_content(
        f"{gettext('Hello,')}\n\n{opening}\n\n"
        f"{confirmed}\n{activities}\n\n"
        f"{link_words}\n{link(provider.slug)}\n\n"
        f"{draw}\n\n"
        f"{gettext('Thank you,')}\n{site.team_name}\n{site.team_phone}\n{site.team_email}\n"
    )
    return message
