"""The theme: templates, styles and the one Jinja set-up shared by the Pelican build and
the web service, so that a page looks the same whichever of them renders it."""

from __future__ import annotations

import base64
import hashlib

from jinja2 import (
    BaseLoader,
    ChainableUndefined,
    ChoiceLoader,
    Environment,
    PackageLoader,
    pass_context,
)
from jinja2.runtime import Context
from markupsafe import Markup

from entries.formatting import jinja_filters
from entries.model import Activity
from entries.summary import ActivitySummary, summarise
from open_data.web import json_ld

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
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.filters.update(jinja_filters())
    env.filters.update(summary=_summary, json_ld=json_ld)
    env.globals["js_enabled_script"] = Markup(JS_ENABLED_SCRIPT)


@pass_context
def _summary(context: Context, activity: Activity) -> ActivitySummary:
    """``activity | summary``: what the ``activity_item`` macro shows, and the card "Add
    to my list" keeps."""
    return summarise(activity, context["site"].locality_name(activity.locality))
