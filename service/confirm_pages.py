"""``/confirm/<token>``: the page a group reaches from its reminder email, to say with one
click that its details are still right, or to change them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template

from entries import clock
from entries.site_settings import site_path
from service.shared import current_directory, services
from upkeep.confirmations import BadLink, read_link, record_confirmation

blueprint = Blueprint("confirm_pages", __name__)


@blueprint.get("/confirm/<token>")
def confirm(token: str) -> Any:
    provider = _provider(token)
    if isinstance(provider, tuple):
        return provider
    return render_template("confirm.html", provider=provider, token=token)


@blueprint.post("/confirm/<token>")
def record(token: str) -> Any:
    provider = _provider(token)
    if isinstance(provider, tuple):
        return provider
    settings = services()["settings"]
    root = services()["root"]
    today = clock.today()
    changed = record_confirmation(
        services()["providers"] / f"{provider.slug}.yaml",
        today,
        site_path(root, settings, "CONFIRMATION_LOG"),
    )
    return render_template("confirm_done.html", provider=provider, today=today, changed=changed)


def _provider(token: str) -> Any:
    """The provider the link is for, or the friendly page for a link that is no good."""
    settings = services()["settings"]
    try:
        slug = read_link(
            token, current_app.config["SECRET_KEY"], int(settings.get("CONFIRM_LINK_DAYS", 60))
        )
    except BadLink as bad:
        return render_template("confirm_invalid.html", expired=bad.expired), 400
    found = next((p for p in current_directory().all_providers if p.slug == slug), None)
    if found is None:
        return render_template("confirm_invalid.html", expired=False), 404
    return found
