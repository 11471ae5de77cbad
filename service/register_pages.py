"""``/register`` (the short form for groups), ``/report/<provider>/<activity>`` ("Is
something wrong?"), both feeding the moderation queue; nothing is published from here."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request

from entries import clock
from entries.model import SLUG, activity_slugs
from entries.schema import labels
from entries.text_safety import one_line
from entries.yaml_source import read_yaml
from registration.duplicates import likely_duplicates
from registration.form import (
    OPTIONAL,
    WHERE_KINDS,
    answers_from_entry,
    check_answers,
    read_answers,
)
from service.shared import current_directory, form_rate_limit, limiter, services

blueprint = Blueprint("register_pages", __name__)
HONEYPOT = "nickname"  # hidden from people; bots fill it in
MAX_REPORT_CHARS = 1000


@blueprint.route("/register", methods=["GET", "POST"])
@limiter.limit(form_rate_limit, methods=["POST"])
def register() -> Any:
    update = request.values.get("update", "")
    existing = _existing(update) if update else None
    if request.method != "POST":  # GET, and HEAD as GET: only a POST may write
        answers = answers_from_entry(*existing[2:]) if existing else read_answers({})
        return _form(answers, {}, update)
    if request.form.get(HONEYPOT):
        return render_template("register_done.html", submission=None, created=True, kind="new")
    directory = current_directory()
    checked = check_answers(
        read_answers(request.form), list(directory.domains), directory.site, clock.today()
    )
    if checked.errors:
        return _form(checked.answers, checked.errors, update), 400
    target = existing[0] if existing else checked.slug
    submission, created = services()["queue"].submit(
        "update" if existing else "new",
        entry=checked.entry,
        private=checked.private,
        target=target,
        activity=existing[1] if existing else "",
        duplicates=likely_duplicates(
            checked.entry or {}, directory, existing[0] if existing else ""
        ),
    )
    return render_template(
        "register_done.html", submission=submission, created=created, kind=submission.kind
    )


@blueprint.route("/report/<provider>/<activity>", methods=["GET", "POST"])
@limiter.limit(form_rate_limit, methods=["POST"])
def report(provider: str, activity: str) -> Any:
    _, _, data, item = _existing(f"{provider}/{activity}")
    values = {"problem": "", "contact": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        if request.form.get(HONEYPOT):
            return render_template(
                "register_done.html", submission=None, created=True, kind="report"
            )
        values = {key: one_line(request.form.get(key, "")) for key in values}
        if not values["problem"]:
            errors["problem"] = "Tell us what is wrong or out of date"
        elif len(values["problem"]) > MAX_REPORT_CHARS:
            errors["problem"] = f"Keep it to {MAX_REPORT_CHARS} characters or fewer"
        if len(values["contact"]) > 254:
            errors["contact"] = "Your email or phone number must be 254 characters or fewer"
        if not errors:
            submission, created = services()["queue"].submit(
                "report",
                private={"contact": values["contact"]},
                target=provider,
                activity=activity,
                message=values["problem"],
            )
            return render_template(
                "register_done.html", submission=submission, created=created, kind="report"
            )
    status = 400 if errors else 200
    return render_template(
        "report.html", provider=data, activity=item, values=values, errors=errors
    ), status


def _existing(reference: str) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
    """``"<provider>/<activity>"`` of a published activity, with its data; else 404."""
    provider, _, activity = reference.partition("/")
    if not (SLUG.fullmatch(provider) and SLUG.fullmatch(activity)):
        abort(404)
    directory = current_directory()
    found = next((p for p in directory.all_providers if p.slug == provider), None)
    if found is None:
        abort(404)
    data = read_yaml(services()["providers"] / f"{provider}.yaml").data
    items = data.get("activities", [])
    slugs = activity_slugs([a.get("name", "") for a in items])
    if activity not in slugs:
        abort(404)
    return provider, activity, data, items[slugs.index(activity)]


def _form(answers: dict[str, Any], errors: dict[str, str], update: str) -> str:
    """The form, with what was typed kept and each error beside its field and in a summary."""
    return render_template(
        "register.html",
        answers=answers,
        errors=errors,
        errors_list=[{"text": message, "href": f"#{name}"} for name, message in errors.items()],
        error=lambda name: {"text": errors[name]} if name in errors else False,
        more_open=any(answers.get(name) or name in errors for name in OPTIONAL),
        update=update,
        where_kinds=WHERE_KINDS,
        all_domains=current_directory().domains,
        access_labels=labels("accessibility"),
    )
