"""Finding and reading the site settings (``pelicanconf.py``), as Pelican does."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pelican.settings import read_settings

from entries.directory import SETTINGS_FILE


class NotASite(Exception):
    """The current folder holds no usable ``pelicanconf.py``."""


class NoPublicAddress(NotASite):
    """``PUBLIC_URL`` is not set, or is not a web address: printed sheets, emails and
    feeds would send people to an address they cannot reach."""


def site_settings(root: Path, **override: Any) -> dict[str, Any]:
    """Pelican's settings for the site in ``root``, with ``override`` applied."""
    path = root / SETTINGS_FILE
    if not path.is_file():
        raise NotASite(
            f"There is no {SETTINGS_FILE} in {root}. Run healthdir in the directory's "
            f"folder (the one that holds {SETTINGS_FILE} and content/)."
        )
    try:
        return read_settings(str(path), override=override or None)
    except Exception as exc:  # a settings file is Python: report any mistake in it plainly
        raise NotASite(f"{path} could not be read: {exc}") from exc


# Files and folders the site keeps outside the published output, by setting name, with
# where they go when pelicanconf.py does not say (relative to the site's folder).
SITE_PATHS = {
    "SEARCH_INDEX": "search-index",
    "UNMET_NEED_DB": "var/unmet-need.sqlite3",
    "SUBMISSIONS_PATH": "submissions",
    "CONFIRMATION_LOG": "var/confirmations.log",
    "REMINDER_STATE": "var/reminders.json",
}


def site_path(root: Path, settings: dict[str, Any], name: str) -> Path:
    """Where the setting ``name`` (one of :data:`SITE_PATHS`) puts its file or folder."""
    return root / settings.get(name, SITE_PATHS[name])


def public_url(settings: dict[str, Any]) -> str:
    """The directory's public address (``PUBLIC_URL``), with no slash at the end.

    Every link that leaves the site starts with it: printed sheets, emails, confirmation
    links, calendar files, feeds, CSV, the ORUK records and the sitemap. There is no
    default, so a development address can never reach a patient or a partner's system;
    a local preview passes its own address instead (``healthdir build --preview``).
    """
    url = str(settings.get("PUBLIC_URL") or "").strip().rstrip("/")
    if not url:
        raise NoPublicAddress(
            "The directory's public address is not set. Set PUBLIC_URL in "
            f"{SETTINGS_FILE} (or HEALTHDIR_PUBLIC_URL in the environment) to the address "
            "people use, such as https://directory.anytown.example.org, or build a local "
            "preview with `healthdir build --preview`."
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise NoPublicAddress(
            f'PUBLIC_URL "{url}" is not a web address: give the whole address people use, '
            "starting https://, such as https://directory.anytown.example.org"
        )
    return url
