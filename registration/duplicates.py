"""Spotting a submission that is probably a group already listed."""

from __future__ import annotations

import difflib
import re
from typing import Any

from entries import Directory
from entries.model import ALL_LOCALITIES

SIMILAR_NAME = 0.85
_FILLER = re.compile(r"\b(the|and|of|group|club|society|association|charity|cic|ltd)\b")


def likely_duplicates(entry: dict[str, Any], directory: Directory, target: str = "") -> list[str]:
    """Listed providers this entry may repeat, each with the reason, for the reviewer.

    Same charity number; or the same or a very similar name with an activity in the same
    locality. ``target`` is the provider an update is for: it is not its own duplicate.
    """
    flags = []
    name = _plain(entry.get("name", ""))
    charity = str(entry.get("charity_number", "")).strip()
    localities = {a.get("locality") for a in entry.get("activities", [])}
    for provider in directory.all_providers:
        if provider.slug == target:
            continue
        if charity and charity == provider.charity_number:
            flags.append(f"{provider.slug}: same charity number ({charity})")
            continue
        similarity = difflib.SequenceMatcher(None, name, _plain(provider.name)).ratio()
        theirs = {a.locality for a in provider.activities}
        overlap = localities & theirs or ALL_LOCALITIES in localities | theirs
        if similarity >= SIMILAR_NAME and overlap:
            kind = "same name" if similarity == 1 else "very similar name"
            flags.append(f"{provider.slug}: {kind} ({provider.name}) in the same area")
    return flags


def _plain(name: str) -> str:
    words = re.sub(r"[^\w\s]", " ", name.casefold().replace("&", " and "))
    return " ".join(_FILLER.sub(" ", words).split())
