"""The theme: templates, styles and the one Jinja set-up shared by the Pelican build and
the web service, so that a page looks the same whichever of them renders it."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from jinja2 import (
    BaseLoader,
    ChainableUndefined,
    ChoiceLoader,
    Environment,
    PackageLoader,
    pass_context,
)
from jinja2.runtime import Context, Macro
from markupsafe import Markup

from entries import i18n
from entries.formatting import jinja_filters
from entries.model import Activity
from entries.summary import ActivitySummary, summarise
from open_data.web import json_ld
from search.facets import Filters, facet_options

# The NHS.UK frontend's one inline script (it marks the page as having JavaScript). It is
# kept here so the web service can allow exactly this script in its Content-Security-Policy.
JS_ENABLED_SCRIPT = (
    "document.body.className += ' js-enabled' + "
    "('noModule' in HTMLScriptElement.prototype ? ' nhsuk-frontend-supported' : '');"
)


def content_security_policy() -> str:
    """Only this site's own files, and the one inline script above, by its hash."""
    digest = base64.b64encode(hashlib.sha256(JS_ENABLED_SCRIPT.encode()).digest()).decode()
    return (
        f"default-src 'self'; script-src 'self' 'sha256-{digest}'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def configure(env: Environment, loader: BaseLoader) -> None:
    """Theme templates first, then the NHS.UK frontend macros; all text escaped."""
    env.loader = ChoiceLoader([loader, PackageLoader("nhsuk_frontend_jinja")])
    env.undefined = ChainableUndefined  # the NHS.UK macros read optional nested params
    env.autoescape = True
    # Data for the scripts (their words, JSON-LD) in its own letters: Bengali as \uXXXX
    # would be six times the size. Still safe: `tojson` escapes <, >, & and '.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    env.add_extension("jinja2.ext.i18n")
    # `_("…")`, `ngettext` and `{% trans %}` look up the language being rendered, so one
    # compiled template serves every language.
    env.install_gettext_callables(i18n.translate, i18n.translate_plural, newstyle=True)  # type: ignore[attr-defined]
    env.globals["gettext"] = _gettext
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.filters.update(jinja_filters())
    env.filters.update(summary=_summary, json_ld=json_ld, once=_once)
    env.globals["js_enabled_script"] = Markup(JS_ENABLED_SCRIPT)
    env.globals["filter_options"] = _filter_options
    env.filters["language_name"] = i18n.language_name


_WORDS: dict[tuple[object, str], Markup] = {}  # (catalog, message) -> the words, made safe


def _gettext(message: str, **variables: Any) -> Markup:
    """``_("…")`` as Jinja's own (newstyle, autoescaped): the message in the current
    language, marked safe, with ``variables`` escaped into it. A message with no variables
    is the same every time in a language, so it is made once (a results page has about a
    hundred, and formatting them was a sixth of the page's work)."""
    if variables:
        return Markup(i18n.translate(message)) % variables
    language = i18n.current()
    key = (language.translations if language else None, message)
    if key not in _WORDS:
        _WORDS[key] = Markup(i18n.translate(message)) % {}
    return _WORDS[key]


def language_values(settings: dict[str, Any], language: i18n.Language) -> dict[str, Any]:
    """What a page in ``language`` links with: ``SITEURL`` is that language's home (the
    site's root for the first language, ``/bn`` for Bengali), ``SITEROOT`` the site's own
    root, for what every language shares (styles, scripts, open data, calendar files)."""
    root = settings.get("SITEURL", "")
    home = f"{root}/{language.prefix}".rstrip("/")
    search = settings.get("SEARCH_URL", "/search")
    return {
        "SITEURL": home,
        "SITEROOT": root,
        "SEARCH_URL": f"{home}{search}" if search.startswith("/") else search,
        "language": language,
    }


@pass_context
def _summary(context: Context, activity: Activity) -> ActivitySummary:
    """``activity | summary``: what the ``activity_item`` macro shows, and the card "Add
    to my list" keeps."""
    return summarise(activity, context["site"].locality_name(activity.locality))


@pass_context
def _once(context: Context, activity: Activity, macro: Macro, *args: Any) -> Markup:
    """``activity | once(activity_item, 3, true)``: the macro for the activity's summary,
    made once per build when the build keeps its ``fragments`` (a dictionary in the
    context, as the Pelican plugin does): each activity is listed on several pages, and
    thousands are listed on a topic page."""
    fragments = context.get("fragments")
    language = i18n.current()
    key = "|".join(map(str, (language.code if language else "", activity.url, *args)))
    if fragments is None or key not in fragments:
        made = macro(_summary(context, activity), *args)
        if fragments is None:
            return made
        fragments[key] = str(made)  # plain text: a build keeps it for the next
    return Markup(fragments[key])


@pass_context
def _filter_options(context: Context, names: list[str]) -> list[dict[str, Any]]:
    """``filter_options(["locality", "day", "free"])``: those filters of the search page,
    nothing chosen yet, for a topic or area page to send to the search."""
    return facet_options(Filters(), context["site"], context["domains"], names=names)
