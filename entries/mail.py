"""Sending email through the SMTP server the environment names.

One place for the settings (``HEALTHDIR_SMTP_HOST``, ``HEALTHDIR_SMTP_PORT``, optional
``HEALTHDIR_SMTP_USER`` / ``HEALTHDIR_SMTP_PASSWORD``, ``HEALTHDIR_SMTP_STARTTLS=1``,
``HEALTHDIR_SMTP_FROM``), used by the reminder emails and by the replies to groups that
register. When no server is set, a reply is not sent and one line says so in the log;
no log line ever holds an address, a name or anything a person wrote.
"""

from __future__ import annotations

import logging
import os
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

log = logging.getLogger("healthdir.mail")


class MailNotSet(RuntimeError):
    """No SMTP server is set in the environment."""


def configured() -> bool:
    """Whether an SMTP server is set (``HEALTHDIR_SMTP_HOST``)."""
    return bool(os.environ.get("HEALTHDIR_SMTP_HOST"))


def sender(default: str) -> str:
    """The From address: ``HEALTHDIR_SMTP_FROM``, else ``default`` (the team's email)."""
    return os.environ.get("HEALTHDIR_SMTP_FROM") or default


@contextmanager
def connection() -> Iterator[smtplib.SMTP]:
    """An SMTP connection, logged in and encrypted as the environment says."""
    host = os.environ.get("HEALTHDIR_SMTP_HOST")
    if not host:
        raise MailNotSet(
            "Set HEALTHDIR_SMTP_HOST (and HEALTHDIR_SMTP_PORT) to send email, or use --dry-run."
        )
    port = int(os.environ.get("HEALTHDIR_SMTP_PORT", "25"))
    with smtplib.SMTP(host, port, timeout=30) as smtp:
        if os.environ.get("HEALTHDIR_SMTP_STARTTLS") == "1":
            smtp.starttls()
        if os.environ.get("HEALTHDIR_SMTP_USER"):
            smtp.login(
                os.environ["HEALTHDIR_SMTP_USER"], os.environ.get("HEALTHDIR_SMTP_PASSWORD", "")
            )
        yield smtp


def send_reply(message: EmailMessage, what: str) -> bool:
    """Send one message if a server is set. Never raises: a reply that cannot go is
    logged as ``what`` (say, "receipt for submission 1a2b…"), never with its address."""
    if not configured():
        log.warning("Email not sent (no SMTP server is set, HEALTHDIR_SMTP_HOST): %s", what)
        return False
    try:
        with connection() as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("Email not sent (%s): %s", type(exc).__name__, what)
        return False
    return True
