"""One-click confirmations: signed links, and recording that a person confirmed.

``last_confirmed`` changes only here (or when the directory team approves an entry): only
when a person says the details are still right. The file is edited in place, one line, so
the group's own layout and comments stay as they were.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from entries.atomic import write_text_atomic
from entries.model import SLUG
from entries.yaml_source import parse_yaml

SALT = "healthdir-confirm-details"
_LINE = re.compile(r"^(last_confirmed:[ \t]*)[^\s#]*", re.MULTILINE)
_write_lock = threading.Lock()


class BadLink(Exception):
    """The link was altered, made up, or has expired; ``expired`` says which."""

    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def confirm_link(slug: str, service_url: str, secret: str) -> str:
    token = URLSafeTimedSerializer(secret, salt=SALT).dumps(slug)
    return f"{service_url.rstrip('/')}/confirm/{token}"


def read_link(token: str, secret: str, max_age_days: int) -> str:
    """The provider slug a token was made for; :class:`BadLink` if it is not valid now."""
    serializer = URLSafeTimedSerializer(secret, salt=SALT)
    try:
        slug = serializer.loads(token, max_age=max_age_days * 86400)
    except SignatureExpired:
        raise BadLink(expired=True) from None
    except BadSignature:
        raise BadLink(expired=False) from None
    if not isinstance(slug, str) or not SLUG.fullmatch(slug):
        raise BadLink(expired=False)
    return slug


@dataclass(frozen=True)
class Confirmation:
    day: date
    provider: str


def record_confirmation(path: Path, today: date, log: Path) -> bool:
    """Set the file's ``last_confirmed`` to ``today`` and log it. False if it already was."""
    with _write_lock:
        text = path.read_text(encoding="utf-8")
        new = _LINE.sub(rf"\g<1>{today.isoformat()}", text, count=1)
        if new == text:
            return False
        check = parse_yaml(new)
        if check.errors or check.data.get("last_confirmed") != today.isoformat():
            raise ValueError(f"{path} has no last_confirmed line that can be updated safely.")
        write_text_atomic(path, new)
        _append(log, f"{today.isoformat()},{path.stem}\n")
    return True


def confirmations(log: Path) -> list[Confirmation]:
    if not log.is_file():
        return []
    found = []
    for line in log.read_text(encoding="utf-8").splitlines():
        day, _, slug = line.partition(",")
        if day and slug:
            found.append(Confirmation(date.fromisoformat(day), slug))
    return found


def _append(log: Path, line: str) -> None:
    """One whole line at the end of the log, on disk before this returns."""
    log.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
