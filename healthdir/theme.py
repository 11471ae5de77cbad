"""One Jinja set-up for the theme, shared by the Pelican build and the web service,
so that a page looks the same whichever of them renders it."""

from __future__ import annotations

from jinja2 import BaseLoader, ChainableUndefined, ChoiceLoader, Environment, PackageLoader

from healthdir.formatting import jinja_filters
from healthdir.open_data.cards import card_json
from healthdir.open_data.web import json_ld


def configure(env: Environment, loader: BaseLoader) -> None:
    """Theme templates first, then the NHS.UK frontend macros; all text escaped."""
    env.loader = ChoiceLoader([loader, PackageLoader("nhsuk_frontend_jinja")])
    env.undefined = ChainableUndefined  # the NHS.UK macros read optional nested params
    env.autoescape = True
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.filters.update(jinja_filters())
    env.filters.update(card=card_json, json_ld=json_ld)
