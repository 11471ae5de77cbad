"""``/register`` (the short form for groups), ``/report/<provider>/<activity>`` ("Is
something wrong?"), both feeding the moderation queue; nothing is published from here."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request

from entries import clock, i18n, mail
from entries.i18n import gettext, ngettext
from entries.model import SLUG, activity_slugs
from entries.text_safety import one_line
from entries.yaml_source import read_yaml
from registration import replies
from registration.duplicates import likely_duplicates
from registration.fields import QUESTIONS, SECTIONS, in_section, options
from registration.form import (
    answers_from_entry,
    baseline,
    check_answers,
    prefix,
    read_answers,
    with_one_more,
)
from registration.schedule import VARIES
from service.shared import current_directory, form_rate_limit, limiter, services, too_long

blueprint = Blueprint("register_pages", __name__)
HONEYPOT = "nickname"  # hidden from people; bots fill it in
MAX_REPORT_CHARS = 1000


@blueprint.route("/register", methods=["GET", "POST"])
@limiter.limit(form_rate_limit, methods=["POST"], exempt_when=lambda: bool(request.form.get("add")))
def register() -> Any:
    """The form: new groups, and (``?update=<provider>``) every activity of a listed one."""
    update = request.values.get("update", "").partition("/")[0]
    current = _current(update) if update else None
    if request.method != "POST":  # GET, and HEAD as GET: only a POST may write
        answers = answers_from_entry(current) if current else read_answers({})
        return _form(answers, {}, update)
    if request.form.get(HONEYPOT):
        return render_template("register_done.html", submission=None, created=True, kind="new")
    answers = read_answers(request.form)
    if request.form.get("add"):  # "Add another activity" or "Add another time": no checks yet
        return _form(with_one_more(answers, str(request.form["add"])), {}, update)
    directory = current_directory()
    today = clock.today()
    checked = check_answers(answers, list(directory.domains), directory.site, today)
    if checked.errors:
        return _form(checked.answers, checked.errors, update), 400
    listed = activity_slugs([a.get("name", "") for a in (current or {}).get("activities", [])])
    submission, created = services()["queue"].submit(
        "update" if current else "new",
        entry=checked.entry,
        private=checked.private,
        target=update or checked.slug,
        duplicates=likely_duplicates(checked.entry or {}, directory, update),
        replaces=[slug if slug in listed else "" for slug in checked.replaces] if current else None,
        removes=[slug for slug in checked.removes if slug in listed] if current else None,
        baseline=baseline(current, directory.site, today) if current else None,
        language=_language(),
    )
    if created:
        reply = replies.receipt(submission, directory.site, mail.sender(directory.site.team_email))
        if reply:
            mail.send_reply(reply, f"receipt for submission {submission.id}")
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
            errors["problem"] = gettext("Tell us what is wrong or out of date")
        elif len(values["problem"]) > MAX_REPORT_CHARS:
            errors["problem"] = too_long(MAX_REPORT_CHARS)
        if len(values["contact"]) > 254:
            errors["contact"] = ngettext(
                "Your email or phone number must be %(num)s character or fewer",
                "Your email or phone number must be %(num)s characters or fewer",
                254,
            )
        if not errors:
            submission, created = services()["queue"].submit(
                "report",
                private={"contact": values["contact"]},
                target=provider,
                activity=activity,
                message=values["problem"],
                language=_language(),
            )
            return render_template(
                "register_done.html", submission=submission, created=created, kind="report"
            )
    status = 400 if errors else 200
    return render_template(
        "report.html", provider=data, activity=item, values=values, errors=errors
    ), status


def _language() -> str:
    """The language the form was filled in, so that replies are written in it."""
    language = i18n.current()
    return language.code if language else ""


def _current(provider: str) -> dict[str, Any]:
    """A listed provider's file, as it is now, to update; else 404."""
    if not SLUG.fullmatch(provider):
        abort(404)
    if not any(p.slug == provider for p in current_directory().all_providers):
        abort(404)
    return read_yaml(services()["providers"] / f"{provider}.yaml").data


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
    directory = current_directory()
    choices = {q.name: options(q, directory.domains, directory.site) for q in QUESTIONS}

    def opened(section: str, values: dict[str, Any], start: str) -> bool:
        """A "more" part starts open when anything in it is answered or wrong."""
        return any(values.get(q.name) or start + q.name in errors for q in in_section(section))

    return render_template(
        "register.html",
        answers=answers,
        errors=errors,
        errors_list=[{"text": message, "href": f"#{name}"} for name, message in errors.items()],
        error=lambda name: {"text": errors[name]} if name in errors else False,
        opened=opened,
        update=update,
        prefix=prefix,
        sections={section.name: section for section in SECTIONS},
        questions={section.name: in_section(section.name) for section in SECTIONS},
        choices=choices,
        later_days=[option for option in choices["days"] if option.value != VARIES],
    )
