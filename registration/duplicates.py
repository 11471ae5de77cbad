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

    Same charity number; the same email address, phone number or website; or the same or
    a very similar name with an activity in the same locality. ``target`` is the provider
    an update is for: it is not its own duplicate.
    """
    flags = []
    name = _plain(entry.get("name", ""))
    charity = str(entry.get("charity_number", "")).strip()
    localities = {a.get("locality") for a in entry.get("activities", [])}
    contacts = _contacts([entry, *entry.get("activities", [])])
    for provider in directory.all_providers:
        if provider.slug == target:
            continue
        if charity and charity == provider.charity_number:
            flags.append(f"{provider.slug}: same charity number ({charity})")
            continue
        records = [vars(provider.contact), *(vars(a.own_contact) for a in provider.activities)]
        theirs = {(kind, key) for kind, key, _ in _contacts(records)}
        shared = [(kind, shown) for kind, key, shown in contacts if (kind, key) in theirs]
        if shared:
            kind, shown = shared[0]
            flags.append(f"{provider.slug}: same {kind} ({shown})")
            continue
        similarity = difflib.SequenceMatcher(None, name, _plain(provider.name)).ratio()
        areas = {a.locality for a in provider.activities}
        overlap = localities & areas or ALL_LOCALITIES in localities | areas
        if similarity >= SIMILAR_NAME and overlap:
            kind = "same name" if similarity == 1 else "very similar name"
            flags.append(f"{provider.slug}: {kind} ({provider.name}) in the same area")
    return flags


def _contacts(records: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """``(kind, comparable key, as written)`` for each email, phone and website; a phone
    number is its digits, a website its host and path without ``www.`` or a final ``/``."""
    found = []
    for record in records:
        for field, kind in (("email", "email address"), ("phone", "phone number"),
                            ("website", "website")):  # fmt: skip
            value = str(record.get(field) or "").strip()
            if field == "email":
                key = value.casefold()
            elif field == "phone":
                key = re.sub(r"\D", "", value.split("ext")[0]).removeprefix("44")
                key = key if key.startswith("0") or not key else "0" + key
            else:
                key = re.sub(r"^[a-z]+://(www\.)?", "", value.casefold()).rstrip("/")
            if key:
                found.append((kind, key, value))
    return found


def _plain(name: str) -> str:
    words = re.sub(r"[^\w\s]", " ", name.casefold().replace("&", " and "))
    return " ".join(_FILLER.sub(" ", words).split())
