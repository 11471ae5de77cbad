"""The one secret the service and the commands share, to sign links and form tokens."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from entries.atomic import write_text_atomic

ENVIRONMENT = "HEALTHDIR_SECRET_KEY"


def secret_key(root: Path) -> str:
    """``HEALTHDIR_SECRET_KEY`` if set; otherwise a random key made once and kept in
    ``var/secret-key`` (readable only by its owner, and never committed)."""
    if os.environ.get(ENVIRONMENT):
        return os.environ[ENVIRONMENT]
    path = root / "var" / "secret-key"
    if not path.is_file():
        write_text_atomic(path, secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
