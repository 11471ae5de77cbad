"""Finding and reading the site settings (``pelicanconf.py``), as Pelican does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pelican.settings import read_settings

from healthdir.entries.directory import SETTINGS_FILE


class NotASite(Exception):
    """The current folder holds no usable ``pelicanconf.py``."""


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


def index_path(root: Path, settings: dict[str, Any]) -> Path:
    """Where the search index lives: ``SEARCH_INDEX``, relative to the site's folder."""
    return root / settings.get("SEARCH_INDEX", "search-index")


def unmet_need_path(root: Path, settings: dict[str, Any]) -> Path:
    """The anonymous unmet-need counts: ``UNMET_NEED_DB``, relative to the site's folder."""
    return root / settings.get("UNMET_NEED_DB", "var/unmet-need.sqlite3")


def submissions_path(root: Path, settings: dict[str, Any]) -> Path:
    """The moderation queue: ``SUBMISSIONS_PATH``, relative to the site's folder."""
    return root / settings.get("SUBMISSIONS_PATH", "submissions")


def site_path(root: Path, settings: dict[str, Any], name: str, default: str) -> Path:
    """A file or folder the settings name (relative to the site's folder)."""
    return root / settings.get(name, default)
