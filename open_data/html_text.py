"""HTML descriptions from other directories, as the plain text our entries hold.

Council directories store descriptions as HTML pasted from word processors: headings
split mid-sentence, empty paragraphs, non-breaking and zero-width spaces, inline styles.
BeautifulSoup parses it; what comes out is a list of paragraphs and list items, which
become a one-line summary (whole sentences) and Markdown details with nothing in them
that Markdown would read as formatting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from entries.text_safety import without_controls

ELLIPSIS = "…"
_BLOCKS = {
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "form", "header", "hr", "main", "nav", "ol", "p", "pre", "section",
    "table", "tbody", "tfoot", "thead", "tr", "ul",
}  # fmt: skip
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_SKIPPED = {
    "audio", "button", "canvas", "head", "iframe", "img", "input", "noscript", "object",
    "script", "select", "style", "svg", "template", "textarea", "title", "video",
}  # fmt: skip
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[A-Z0-9\"“‘(£])")
_TAG = re.compile(r"<[A-Za-z!/]")
_ADDRESS = re.compile(r"https?://[^\s()<>\"']+|mailto:[^\s()<>@\"']+@[^\s()<>\"']+")
_SAYS_WHERE = re.compile(r"https?:|www\.|@|\.(org|com|uk|net)\b", re.IGNORECASE)
_TAG_START = re.compile(r"<(?=[A-Za-z!/])")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]])")  # "_" only acts between words
_LINE_START = re.compile(r"^([#>+-]|\d+(?=\.\s))")


@dataclass(frozen=True)
class Block:
    """One paragraph, heading or list item of a description, as one line of plain text."""

    text: str
    kind: str = "para"  # para | heading | item


def blocks(source: str) -> list[Block]:
    """The paragraphs, headings and list items of an HTML (or plain text) description."""
    if not _TAG.search(source):
        lines = (line for line in source.splitlines())
        return _joined([Block(text) for line in lines if (text := _tidy(line))])
    found: list[Block] = []
    inline: list[str] = []
    _walk(BeautifulSoup(source, "html.parser"), found, inline)
    _flush(found, inline, "para")
    return _joined(found)


def link_targets(source: str) -> list[str]:
    """Where a description's links go, in order (``https://…``, ``mailto:…``, ``tel:…``):
    a listing that gives its contact details only in its text still gives them."""
    if not _TAG.search(source):
        return []
    links = BeautifulSoup(source, "html.parser").find_all("a", href=True)
    return [str(link["href"]).strip() for link in links]


def _walk(node: Tag, found: list[Block], inline: list[str]) -> None:
    for child in node.children:
        if isinstance(child, PreformattedString):  # comments, doctypes, CDATA
            continue
        if isinstance(child, NavigableString):
            inline.append(str(child))
            continue
        if not isinstance(child, Tag) or child.name in _SKIPPED:
            continue
        name = child.name
        if name == "br":
            _flush(found, inline, "para")
        elif name == "li":
            _flush(found, inline, "para")
            _walk(child, found, inline)
            _flush(found, inline, "item")
        elif name in _HEADINGS:
            _flush(found, inline, "para")
            _walk(child, found, inline)
            _flush(found, inline, "heading")
        elif name in _BLOCKS:
            _flush(found, inline, "para")
            _walk(child, found, inline)
            _flush(found, inline, "para")
        elif name in ("td", "th"):
            _walk(child, found, inline)
            inline.append(" ")
        else:
            _walk(child, found, inline)
            if name == "a":
                inline.append(_link_target(child, "".join(inline)))


def _link_target(link: Tag, text_so_far: str) -> str:
    """A link's address in brackets after its words, unless the words already say it."""
    href = str(link.get("href") or "").strip()
    if not _ADDRESS.fullmatch(href):
        return ""
    target = href.removeprefix("mailto:")
    words = link.get_text(" ").strip()
    if not words:
        return f" {target}"
    if _SAYS_WHERE.search(words) or target.rstrip("/").casefold() in text_so_far.casefold():
        return ""
    return f" ({target})"


def _flush(found: list[Block], inline: list[str], kind: str) -> None:
    text = _tidy("".join(inline))
    inline.clear()
    if text:
        found.append(Block(text, kind))


def _tidy(text: str) -> str:
    text = _INVISIBLE.sub("", text.replace("\xa0", " "))
    return " ".join(without_controls(text).split())


def _joined(found: list[Block]) -> list[Block]:
    """Paragraphs or headings that carry on one sentence, as one.

    Word processors often break a sentence over several headings or paragraphs: the next
    one starts in lower case or, for long headings, the previous has no full stop.
    """
    joined: list[Block] = []
    for block in found:
        previous = joined[-1] if joined else None
        if (
            previous
            and previous.kind == block.kind != "item"
            and not previous.text.endswith((".", "!", "?", ":", ";"))
            and (block.text[:1].islower() or (block.kind == "heading" and len(previous.text) > 60))
        ):
            joined[-1] = Block(f"{previous.text} {block.text}", block.kind)
        else:
            joined.append(block)
    return joined


def sentences(text: str) -> list[str]:
    """``text`` split after each full stop, question or exclamation mark."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def shorten(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters; else whole sentences that do, or else
    its first words with an ellipsis."""
    if len(text) <= limit:
        return text
    kept = ""
    for sentence in sentences(text):
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) > limit:
            break
        kept = candidate
    if kept:
        return kept
    cut = text[: limit - len(ELLIPSIS)].rsplit(" ", 1)[0].rstrip(" ,;:-–")
    return cut + ELLIPSIS


def summary_and_rest(found: list[Block], limit: int = 300) -> tuple[str, list[Block]]:
    """The first one or two whole sentences (at most ``limit`` characters), and what is
    left of the description after them.

    Headings that are not sentences (no full stop) are passed over for the summary and
    kept in the rest. When even the first sentence is too long, the summary is its first
    words with an ellipsis and the rest is the whole description.
    """
    start = next((i for i, b in enumerate(found) if _readable(b)), None)
    if start is None:
        return (shorten(found[0].text, limit), found) if found else ("", [])
    end = start + 1
    while found[start].text.endswith(":") and end < len(found) and found[end].kind == "item":
        end += 1
    if end > start + 1:  # "Services include:" and a list, as one sentence
        items = "; ".join(b.text.rstrip(".;,") for b in found[start + 1 : end])
        whole = f"{found[start].text} {items}."
        return (
            (whole, found[:start] + found[end:])
            if len(whole) <= limit
            else (
                shorten(whole, limit),
                found,
            )
        )
    summary, taken, index, left = "", 0, start, ""
    while index < len(found) and taken < 2 and _readable(found[index]):
        parts = sentences(found[index].text)
        used = 0
        for sentence in parts[: 2 - taken]:
            candidate = f"{summary} {sentence}".strip()
            if len(candidate) > limit:
                break
            summary, used, taken = candidate, used + 1, taken + 1
        if used < len(parts):
            left = " ".join(parts[used:]) if used else ""
            break
        index += 1
    if not summary:
        return shorten(found[start].text, limit), found
    rest = found[:start]
    if left:
        rest.append(Block(left, found[index].kind))
        index += 1
    return summary, rest + found[index:]


def _readable(block: Block) -> bool:
    """A paragraph, or a heading that is a sentence: something a summary can start with."""
    return block.kind == "para" or (block.kind == "heading" and _is_sentence(block.text))


def _is_sentence(text: str) -> bool:
    return text.rstrip("\"'”’)").endswith((".", "!", "?"))


def as_markdown(found: list[Block]) -> str:
    """Paragraphs and bulleted lists, with characters Markdown would act on escaped."""
    chunks: list[str] = []
    for block in found:
        line = _escaped(block.text)
        if block.kind == "item":
            if chunks and chunks[-1].startswith("- "):
                chunks[-1] += f"\n- {line}"
            else:
                chunks.append(f"- {line}")
        else:
            chunks.append(line)
    return "\n\n".join(chunks)


def as_text(found: list[Block]) -> str:
    """All the words, as one line."""
    return " ".join(block.text for block in found)


def _escaped(text: str) -> str:
    """One line of plain text that Markdown shows exactly as written."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = _TAG_START.sub("&lt;", text)  # "<b" would be read as a tag, then removed
    return _LINE_START.sub(lambda m: m[1] + "\\" if m[1].isdigit() else "\\" + m[1], text, 1)
