"""Markdown from entries, rendered with raw HTML removed and links made safe.

Entries are written by the public, so their Markdown goes through nh3 (a maintained
HTML sanitiser) after rendering: tags outside a small list are dropped (their text kept;
script and style contents dropped entirely), only http, https, mailto and tel links
survive, and every link gets ``rel="nofollow noopener noreferrer"``.
"""

from __future__ import annotations

import html

import markdown
import nh3

_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "a", "blockquote", "code"}
_ATTRIBUTES = {"a": {"href"}}
_SCHEMES = {"http", "https", "mailto", "tel"}
_renderer = markdown.Markdown(extensions=[], output_format="html")


def render_markdown(text: str) -> str:
    """Safe HTML for a Markdown field such as an activity's ``details``."""
    if not text.strip():
        return ""
    return sanitise_html(_renderer.reset().convert(text))


def sanitise_html(html: str) -> str:
    """Keep only the small set of tags and link schemes a listing needs."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


def html_to_text(html_text: str) -> str:
    """The words of rendered, sanitised HTML with all markup gone."""
    return html.unescape(nh3.clean(html_text, tags=set())).strip()
