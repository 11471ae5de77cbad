"""What the directory team does with a submission: look, approve (publish) or reject."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from entries.atomic import write_text_atomic
from entries.directory import Directory, validate_entry
from entries.model import SLUG, activity_slugs
from entries.problems import field_path
from entries.yaml_source import read_yaml
from entries.yaml_writer import dump_entry
from registration.queue import QueueError, Submission, SubmissionQueue


@dataclass
class Proposal:
    """The file a submission would write, and what it would replace."""

    path: Path
    text: str
    current: str  # "" for a new provider

    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.current.splitlines(keepends=True),
                self.text.splitlines(keepends=True),
                fromfile=f"{self.path} (now)",
                tofile=f"{self.path} (after approval)",
            )
        )


def propose(
    submission: Submission,
    providers_dir: Path,
    directory: Directory,
    today: date,
    by: str = "",
    slug: str = "",
) -> Proposal:
    """The provider file exactly as approving ``submission`` would write it.

    Raises :class:`QueueError` if it cannot be published as it stands.
    """
    if submission.kind == "report":
        raise QueueError(
            "A report is not published: correct the provider's file yourself, then close "
            f'the report with `healthdir reject {submission.id} --reason "…"`.'
        )
    entry = dict(submission.entry or {})
    if submission.kind == "new":
        slug = slug or submission.target
        if not SLUG.fullmatch(slug):
            raise QueueError(
                f'"{slug}" is not a usable file name (lowercase letters, numbers, hyphens).'
            )
        path = providers_dir / f"{slug}.yaml"
        if path.exists():
            raise QueueError(
                f"{path} already exists and this submission is a new group, not an update of "
                "it. If it is a different group, approve it under another name with --slug."
            )
        current, data = "", entry
    else:
        path = providers_dir / f"{submission.target}.yaml"
        if not path.is_file():
            raise QueueError(f"{path} no longer exists, so this update has nothing to update.")
        current = path.read_text(encoding="utf-8")
        data = _merge(read_yaml(path).data, entry, submission.activity)
    data["last_confirmed"] = today
    if by:
        data["checked"] = {"by": by, "on": today}
    _check(data, directory, today, path.stem)
    return Proposal(path=path, text=dump_entry(data), current=current)


def approve(
    queue: SubmissionQueue,
    submission: Submission,
    providers_dir: Path,
    directory: Directory,
    today: date,
    by: str,
    slug: str = "",
) -> Path:
    """Publish the submission's entry into ``content/providers`` and file it as approved."""
    if submission.state != "pending":
        raise QueueError(f"Submission {submission.id} was already {submission.state}.")
    if not by.strip():
        raise QueueError('Say who checked it: --by "Your name".')
    proposal = propose(submission, providers_dir, directory, today, by=by.strip(), slug=slug)
    write_text_atomic(proposal.path, proposal.text)
    queue.decide(
        submission,
        "approved",
        {"by": by.strip(), "on": today.isoformat(), "file": str(proposal.path)},
    )
    return proposal.path


def reject(queue: SubmissionQueue, submission: Submission, reason: str, today: date) -> None:
    if not reason.strip():
        raise QueueError('Give a reason: --reason "…" (kept with the submission).')
    queue.decide(submission, "rejected", {"reason": reason.strip(), "on": today.isoformat()})


def _merge(current: dict[str, Any], entry: dict[str, Any], activity_slug: str) -> dict[str, Any]:
    """The current file with the provider's details and one activity replaced."""
    merged = dict(current)
    for key in ("name", "about", "website", "email", "phone", "charity_number"):
        if key in entry:
            merged[key] = entry[key]
        elif key != "name":
            merged.pop(key, None)
    activities = list(current.get("activities", []))
    slugs = activity_slugs([a.get("name", "") for a in activities])
    new = entry["activities"][0]
    if activity_slug in slugs:
        old = activities[slugs.index(activity_slug)]
        kept = {k: old[k] for k in ("schedule", "suitable_for", "status", "alert") if k in old}
        activities[slugs.index(activity_slug)] = {**new, **kept}
    else:
        activities.append(new)
    merged["activities"] = activities
    return merged


def _check(data: dict[str, Any], directory: Directory, today: date, slug: str) -> None:
    site = directory.site
    problems = validate_entry(_as_text(data), list(directory.domains), list(site.localities), today)
    others = {p.name.casefold(): p.slug for p in directory.all_providers if p.slug != slug}
    if str(data.get("name", "")).casefold() in others:
        problems.append((("name",), f"is already used by {others[data['name'].casefold()]}."))
    if problems:
        lines = "\n".join(f"  {field_path(path)}: {message}" for path, message in problems)
        raise QueueError(f"This entry cannot be published as it stands:\n{lines}")


def _as_text(data: Any) -> Any:
    """Dates as YYYY-MM-DD text, as the schema reads them from a file."""
    if isinstance(data, dict):
        return {k: _as_text(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_as_text(v) for v in data]
    return data.isoformat() if isinstance(data, date) else data
