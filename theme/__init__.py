"""The theme: templates, styles and the one Jinja set-up shared by the Pelican build and
the web service, so that a page looks the same whichever of them renders it."""

from __future__ import annotations

import base64
import functools
import gettext
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from jinja2 import (
    BaseLoader,
    ChainableUndefined,
    ChoiceLoader,
    Environment,
    PackageLoader,
    pass_context,
    pass_eval_context,
)
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, Macro
from markupsafe import Markup

from entries import i18n
from entries.formatting import jinja_filters
from entries.model import Activity, Provider
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
    # ...the same, made cheaper: a page says some fifty messages, nearly all without
    # variables, and Jinja's own gettext took a quarter of the time pages take.
    env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext)
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.filters.update(jinja_filters())
    env.filters.update(summary=_summary, json_ld=json_ld, once_each=_once_each)
    env.globals["js_enabled_script"] = Markup(JS_ENABLED_SCRIPT)
    env.globals["filter_options"] = _filter_options
    env.filters["language_name"] = i18n.language_name


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


_ENGLISH = gettext.NullTranslations()


@pass_eval_context
def _gettext(eval_ctx: EvalContext, message: str, /, **variables: Any) -> str:
    """What Jinja's newstyle ``gettext`` gives (a format string, escaped in an escaping
    template), the message looked up and made safe once per language."""
    if not eval_ctx.autoescape:
        return i18n.translate(message) % variables
    if variables:
        return _safe(_translations(), message) % variables
    return _filled(_translations(), message)


@pass_eval_context
def _ngettext(
    eval_ctx: EvalContext, singular: str, plural: str, n: int, /, **variables: Any
) -> str:
    """Jinja's newstyle ``ngettext``: ``%(num)s`` is ``n`` unless given."""
    variables.setdefault("num", n)
    text = i18n.translate_plural(singular, plural, n)
    return (Markup(text) if eval_ctx.autoescape else text) % variables


def _translations() -> gettext.NullTranslations:
    language = i18n.current()
    return language.translations if language else _ENGLISH


@functools.cache
def _safe(translations: gettext.NullTranslations, message: str) -> Markup:
    return Markup(translations.gettext(message))


@functools.cache
def _filled(translations: gettext.NullTranslations, message: str) -> Markup:
    return _safe(translations, message) % {}  # as Jinja does: "%%" is "%"


@pass_context
def _summary(context: Context, activity: Activity) -> ActivitySummary:
    """``activity | summary``: what the ``activity_item`` macro shows, and the card "Add
    to my list" keeps."""
    return summarise(activity, context["site"].locality_name(activity.locality))


class Fragments(dict[str, str]):
    """The list items a build makes (``once_each``, by key), noting which a page made from
    more than one provider asked for (``shared_page`` set while it is made): those, and
    those kept from the last build, are worth keeping for the next, as such a page is made
    again whenever any of its providers changes. An item shown on its provider's page alone
    is not: that page is made again only when the provider changes, and the item with it."""

    def __init__(self, kept: Mapping[str, str] | None = None) -> None:
        super().__init__(kept or {})
        self._worth = set(self)
        self.shared_page = False

    def asked(self, keys: Iterable[str]) -> None:
        """Note that the page being made lists the items of ``keys``."""
        if self.shared_page:
            self._worth.update(keys)

    def shared(self) -> dict[str, str]:
        return {key: html for key, html in self.items() if key in self._worth}


@pass_context
def _once_each(
    context: Context, items: Sequence[Activity | Provider], macro: Macro, *args: Any,
    prefix: str = "", suffix: str = "",
) -> Markup:  # fmt: skip
    """``activities | once_each(activity_item, 3, true)``: the macro for each activity's
    summary (or each provider), joined, each between ``prefix`` and ``suffix``. Each is
    made once per build when the build keeps its ``fragments`` (a dictionary in the
    context, as the Pelican plugin does): an activity is listed on several pages, and
    thousands are listed on a topic page, which is then only a join of known pieces."""
    fragments: Fragments | None = context.get("fragments")
    language = i18n.current()
    code, tail = (language.code if language else ""), "".join(f"|{arg}" for arg in args)
    keys = [f"{code}|{item.url}{tail}" for item in items]
    known = fragments.get if fragments is not None else {}.get
    parts = []
    for item, key in zip(items, keys, strict=True):
        made = known(key)
        if made is None:
            shown = _summary(context, item) if isinstance(item, Activity) else item
            made = str(macro(shown, *args))
            if fragments is not None:
                fragments[key] = made  # plain text: a build keeps it for the next
        parts.append(f"{prefix}{made}{suffix}")
    if fragments is not None:
        fragments.asked(keys)
    return Markup("".join(parts))


@pass_context
def _filter_options(context: Context, names: list[str]) -> list[dict[str, Any]]:
    """``filter_options(["locality", "day", "free"])``: those filters of the search page,
    nothing chosen yet, for a topic or area page to send to the search."""
    return facet_options(Filters(), context["site"], context["domains"], names=names)
