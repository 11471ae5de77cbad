"""The emails a group gets about what it sent: on receipt, on approval, on rejection.

Only the words are made here. The web service sends the receipt, and ``healthdir
approve`` / ``reject`` the others (they add the one-click confirmation link), through
:func:`entries.mail.send_reply`: when no SMTP server is set, nothing is sent.
"""

from __future__ import annotations

from email.message import EmailMessage

from entries.model import Site
from registration.queue import Submission

DIRECTORY = "the {area} Community Health Directory"


def receipt(submission: Submission, site: Site, sender: str) -> EmailMessage | None:
    """ "We have your details": the reference, and what happens next."""
    group = _group(submission)
    update = submission.kind == "update"
    return _message(
        submission,
        site,
        sender,
        subject=f"We have your {'changes' if update else 'details'} for {group}",
        body=(
            f"Thank you for sending {'changes to ' if update else ''}{group}'s details to "
            f"{_directory(site)}.\n\n"
            f"Your reference is {submission.id}.\n\n"
            "What happens next: someone from "
            f"{site.team_name or 'the directory team'} checks every listing before it goes "
            "on the website. This usually takes up to 5 working days. We will email you "
            f"when {'the changes are' if update else 'it is'} published, or if we have a "
            "question.\n\n"
            "If you did not send this, please let us know."
        ),
    )


def approval(
    submission: Submission, site: Site, sender: str, listing_url: str, confirm_url: str
) -> EmailMessage | None:
    """ "Your listing is published": its address, and the one-click confirmation link."""
    group = _group(submission)
    update = submission.kind == "update" or bool(submission.decision.get("as_update_of"))
    done = "The changes you sent are" if update else "Your listing is"
    return _message(
        submission,
        site,
        sender,
        subject=f"{group} is now in the {site.area_name} directory"
        if not update
        else f"Your changes to {group} are approved",
        body=(
            f"{done} approved and will be on the website within a day, at:\n{listing_url}\n\n"
            "Every few months we will ask you to check the details are still right. You can "
            "do it at any time with this link: one click if nothing has changed, or tell us "
            f"what has:\n{confirm_url}\n\n"
            "Groups that confirm or update their details are entered into our monthly "
            "prize draw."
        ),
    )


def rejection(submission: Submission, site: Site, sender: str) -> EmailMessage | None:
    """ "We have not published it", with the reason the reviewer gave."""
    group = _group(submission)
    reason = str(submission.decision.get("reason", "")).strip()
    return _message(
        submission,
        site,
        sender,
        subject=f"About the details you sent for {group}",
        body=(
            f"Thank you for sending {group}'s details to {_directory(site)} "
            f"(reference {submission.id}). We have not published them, because:\n\n"
            f"  {reason}\n\n"
            "If something has changed, or you think we have made a mistake, please get in "
            "touch: we are happy to help."
        ),
    )


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
    contact = "\n".join(part for part in (site.team_phone, site.team_email) if part)
    message.set_content(
        f"Hello{' ' + name if name else ''},\n\n{body}\n\nThank you,\n{site.team_name}\n{contact}\n"
    )
    return message


def _group(submission: Submission) -> str:
    return str((submission.entry or {}).get("name") or submission.target)


def _directory(site: Site) -> str:
    return DIRECTORY.format(area=site.area_name)
