"""The emails a group gets about what it sent: on receipt, on approval, on rejection.

Only the words are made here, in the language the form was filled in (the submission's
``language``; the site's first language for a submission that has none). The web service
sends the receipt, and ``healthdir approve`` / ``reject`` the others (they add the
one-click confirmation link), through :func:`entries.mail.send_reply`: when no SMTP server
is set, nothing is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from email.message import EmailMessage

from entries import i18n
from entries.i18n import gettext
from entries.model import Site
from registration.queue import Submission

log = logging.getLogger(__name__)


def receipt(submission: Submission, site: Site, sender: str) -> EmailMessage | None:
    """ "We have your details": the reference, and what happens next."""
    with _speaking(submission, site):
        group, area = _group(submission), site.area_name
        team = site.team_name or gettext("the directory team")
        if submission.kind == "update":
            subject = gettext("We have your changes for %(group)s", group=group)
            thanks = gettext(
                "Thank you for sending changes to %(group)s's details to the %(area)s "
                "Community Health Directory.",
                group=group,
                area=area,
            )
            when = gettext(
                "We will email you when the changes are published, or if we have a question."
            )
        else:
            subject = gettext("We have your details for %(group)s", group=group)
            thanks = gettext(
                "Thank you for sending %(group)s's details to the %(area)s Community Health "
                "Directory.",
                group=group,
                area=area,
            )
            when = gettext("We will email you when it is published, or if we have a question.")
        next_steps = gettext(
            "What happens next: someone from %(team)s checks every listing before it goes on "
            "the website. This usually takes up to 5 working days.",
            team=team,
        )
        body = [
            thanks,
            gettext("Your reference is %(reference)s.", reference=submission.id),
            f"{next_steps} {when}",
            gettext("If you did not send this, please let us know."),
        ]
        return _message(submission, site, sender, subject, "\n\n".join(body))


def approval(
    submission: Submission, site: Site, sender: str, listing_url: str, confirm_url: str
) -> EmailMessage | None:
    """ "Your listing is published": its address, and the one-click confirmation link."""
    with _speaking(submission, site):
        group = _group(submission)
        if submission.kind == "update" or submission.decision.get("as_update_of"):
            subject = gettext("Your changes to %(group)s are approved", group=group)
            done = gettext(
                "The changes you sent are approved and will be on the website within a day, at:"
            )
        else:
            subject = gettext(
                "%(group)s is now in the %(area)s directory", group=group, area=site.area_name
            )
            done = gettext("Your listing is approved and will be on the website within a day, at:")
        confirm = gettext(
            "Every few months we will ask you to check the details are still right. You can "
            "do it at any time with this link: one click if nothing has changed, or tell us "
            "what has:"
        )
        body = [
            f"{done}\n{listing_url}",
            f"{confirm}\n{confirm_url}",
            gettext(
                "Groups that confirm or update their details are entered into our monthly "
                "prize draw."
            ),
        ]
        return _message(submission, site, sender, subject, "\n\n".join(body))


def rejection(submission: Submission, site: Site, sender: str) -> EmailMessage | None:
    """ "We have not published it", with the reason the reviewer gave."""
    with _speaking(submission, site):
        group = _group(submission)
        reason = str(submission.decision.get("reason", "")).strip()
        subject = gettext("About the details you sent for %(group)s", group=group)
        body = [
            gettext(
                "Thank you for sending %(group)s's details to the %(area)s Community Health "
                "Directory (reference %(reference)s). We have not published them, because:",
                group=group,
                area=site.area_name,
                reference=submission.id,
            ),
            f"  {reason}",
            gettext(
                "If something has changed, or you think we have made a mistake, please get "
                "in touch: we are happy to help."
            ),
        ]
        return _message(submission, site, sender, subject, "\n\n".join(body))


def _message(
    submission: Submission, site: Site, sender: str, subject: str, body: str
) -> EmailMessage | None:
    """The email to whoever sent the submission, or ``None`` if they left no address."""
    to = submission.private.get("email", "")
    if not to or submission.kind == "report":
        return None
    name = submission.private.get("name", "")
    message = EmailMessage()
    message["To"] = to
    message["From"] = sender
    message["Subject"] = subject
    hello = gettext("Hello %(name)s,", name=name) if name else gettext("Hello,")
    contact = "\n".join(part for part in (site.team_phone, site.team_email) if part)
    message.set_content(
        f"{hello}\n\n{body}\n\n{gettext('Thank you,')}\n{site.team_name}\n{contact}\n"
    )
    return message


@contextmanager
def _speaking(submission: Submission, site: Site) -> Iterator[None]:
    """Everything inside in the language the submission was made in."""
    try:
        language = site.language(submission.language)
    except i18n.LanguageProblem as problem:  # better a reply in English than none
        log.warning("Reply to submission %s in English: %s", submission.id, problem)
        language = None
    with i18n.use(language) if language else nullcontext():
        yield


def _group(submission: Submission) -> str:
    return str((submission.entry or {}).get("name") or submission.target)
