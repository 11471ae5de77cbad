"""Finding interface words that did not go through the catalogs.

What a page says, less what groups and the directory team wrote (never translated), should
have no English word left in a language written in other letters, or pseudo-localised
(where every translated message is accented and bracketed). A leaked message is caught
when any of its words is one that nobody wrote in the content.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

from entries import Directory

SHOWN_ATTRIBUTES = ("title", "aria-label", "alt", "placeholder")
WORD = re.compile(r"[A-Za-z]{2,}")
# Parts of a page that are addresses, not words: links, emails, postcodes, times, sizes.
NOT_WORDS = re.compile(
    r"https?://\S+|[\w.+-]+@[\w.-]+|\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b|\b[A-Z]{1,2}\d[A-Z\d]?\b"
)
CHOICE = re.compile(r"[a-z_]+")
PSEUDO = re.compile(r"⟦[^⟧]*⟧")


def words_people_wrote(directory: Directory, content: Path, settings: dict[str, Any]) -> set[str]:
    """Every word in what groups and the directory team wrote, in lower case."""
    texts = [str(settings["SITENAME"]), directory.site.area_name, directory.site.team_name]
    texts += list(directory.site.localities.values())
    for provider in directory.providers:
        texts += _strings(provider.data)
    texts += [path.read_text(encoding="utf-8") for path in content.rglob("*.md")]
    return {word.lower() for text in texts for word in WORD.findall(text)}


def english_left(html: str, written: set[str]) -> list[str]:
    """The words on a page, outside translated messages, that nobody wrote in the content."""
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "svg", "template"]):
        hidden.decompose()
    page_language = soup.html.get("lang") if soup.html else None
    for other in soup.select("body [lang]"):  # in another language on purpose, and marked
        if other.get("lang") != page_language:
            other.decompose()
    shown = list(soup.stripped_strings)
    for tag in soup.find_all(True):
        shown += [str(tag[name]) for name in SHOWN_ATTRIBUTES if tag.has_attr(name)]
        if tag.name == "meta" and tag.get("name") == "description":
            shown.append(str(tag.get("content", "")))
        if tag.name == "input" and tag.get("type") in ("submit", "button"):
            shown.append(str(tag.get("value", "")))
    text = NOT_WORDS.sub(" ", PSEUDO.sub(" ", "\n".join(shown)))
    return [word for word in WORD.findall(text) if word.lower() not in written]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        if not CHOICE.fullmatch(value):  # a value of the schema's: shown by its label
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
