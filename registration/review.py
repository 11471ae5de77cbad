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
from entries.yaml_edit import patch_entry
from entries.yaml_source import read_yaml
from entries.yaml_writer import dump_entry
from registration.duplicates import likely_duplicates
from registration.form import baseline
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
    as_update_of: str = "",
) -> Proposal:
    """The provider file exactly as approving ``submission`` would write it.

    ``as_update_of`` takes a new group's submission as an update of that listed group.
    Raises :class:`QueueError` if it cannot be published as it stands.
    """
    if submission.kind == "report":
        raise QueueError(
            "A report is not published: correct the provider's file yourself, then close "
            f'the report with `healthdir reject {submission.id} --reason "…"`.'
        )
    entry = dict(submission.entry or {})
    target = as_update_of or (submission.target if submission.kind == "update" else "")
    if not target:
        slug = _usable(slug or submission.target)
        path = providers_dir / f"{slug}.yaml"
        if path.exists():
            raise QueueError(
                f"{path} already exists and this submission is a new group, not an update of "
                "it. If it is a different group, approve it under another name with --slug; "
                f"if it is the same group, use --as-update-of {slug}."
            )
        data = entry
        data["last_confirmed"] = today
        if by:
            data["checked"] = {"by": by, "on": today}
        _check(data, directory, today, path.stem)
        return Proposal(path=path, text=dump_entry(data), current="")
    path = providers_dir / f"{target}.yaml"
    if not SLUG.fullmatch(target) or not path.is_file():
        raise QueueError(f"{path} does not exist, so there is nothing to update.")
    current = path.read_text(encoding="utf-8")
    data, origins = _updated(read_yaml(path).data, submission, directory, today, as_update_of)
    data["last_confirmed"] = today
    if by:
        data["checked"] = {"by": by, "on": today}
    _check(data, directory, today, path.stem)
    return Proposal(path=path, text=patch_entry(current, data, origins), current=current)


def approve(
    queue: SubmissionQueue,
    submission: Submission,
    providers_dir: Path,
    directory: Directory,
    today: date,
    by: str,
    slug: str = "",
    *,
    not_duplicate: bool = False,
    as_update_of: str = "",
) -> Path:
    """Publish the submission's entry into ``content/providers`` and file it as approved.

    A new group that looks like one already listed (:func:`likely_duplicates`) is refused
    unless the reviewer says it is not one (``not_duplicate``) or that it is that group
    (``as_update_of``, which updates its listing instead).
    """
    if submission.state != "pending":
        raise QueueError(f"Submission {submission.id} was already {submission.state}.")
    if not by.strip():
        raise QueueError('Say who checked it: --by "Your name".')
    if as_update_of and submission.kind != "new":
        raise QueueError("--as-update-of is for a new group's submission.")
    if slug:
        _usable(slug)  # a mistyped --slug is said first
    if submission.kind == "new" and not (not_duplicate or as_update_of):
        found = likely_duplicates(submission.entry or {}, directory)
        if found:
            lines = "\n".join(f"  {flag}" for flag in found)
            first = found[0].split(":", 1)[0]
            raise QueueError(
                f"This looks like a group that is already listed:\n{lines}\n"
                f"If it is that group, approve it as an update: --as-update-of {first}\n"
                "If it is a different group, say so: --not-duplicate"
            )
    proposal = propose(
        submission, providers_dir, directory, today, by=by.strip(), slug=slug,
        as_update_of=as_update_of,
    )  # fmt: skip
    write_text_atomic(proposal.path, proposal.text)
    decision = {"by": by.strip(), "on": today.isoformat(), "file": str(proposal.path)}
    if as_update_of:
        decision["as_update_of"] = as_update_of
    queue.decide(submission, "approved", decision)
    return proposal.path


def reject(queue: SubmissionQueue, submission: Submission, reason: str, today: date) -> None:
    if not reason.strip():
        raise QueueError('Give a reason: --reason "…" (kept with the submission).')
    queue.decide(submission, "rejected", {"reason": reason.strip(), "on": today.isoformat()})


def _usable(slug: str) -> str:
    """A file name for a new provider, if it is one; else say what is wrong with it."""
    if not SLUG.fullmatch(slug):
        raise QueueError(
            f'"{slug}" is not a usable file name (lowercase letters, numbers, hyphens).'
        )
    return slug


def _updated(
    current: dict[str, Any],
    submission: Submission,
    directory: Directory,
    today: date,
    as_update_of: str,
) -> tuple[dict[str, Any], list[int | None]]:
    """The file's data with the group's changes made, and for each activity which of the
    file's it is (``None`` if added).

    A field changes only where the submitted answers differ from what the form made of
    the file (the submission's baseline): what the group left alone stays exactly as it
    is in the file, even where the form would word it differently.
    """
    entry = submission.entry or {}
    items = list(current.get("activities") or [])
    slugs = activity_slugs([a.get("name", "") for a in items])
    replaces, removes = list(submission.replaces), list(submission.removes)
    base = submission.baseline or baseline(current, directory.site, today)
    if as_update_of:
        # A new group's form, filled in from scratch: what it gives replaces what the file
        # says, and what it does not mention stays. Activities are matched by name.
        base = {"group": {}, "activities": {}}
        names = activity_slugs([a.get("name", "") for a in entry.get("activities", [])])
        replaces = [name if name in slugs else "" for name in names]
    elif not replaces and submission.activity:  # one activity, queued before whole-group updates
        replaces = [submission.activity] + [""] * (len(entry.get("activities", [])) - 1)
    merged = dict(current)
    _change(merged, entry, base.get("group", {}), never_remove=("name",))
    changed = dict(zip(replaces, entry.get("activities", []), strict=False))
    result: list[dict[str, Any]] = []
    origins: list[int | None] = []
    for index, (slug, item) in enumerate(zip(slugs, items, strict=True)):
        if slug in removes:
            continue
        if slug in changed:
            item = dict(item)
            _change(item, changed[slug], base.get("activities", {}).get(slug, {}))
        result.append(item)
        origins.append(index)
    for slug, item in zip(replaces, entry.get("activities", []), strict=False):
        if slug not in slugs:  # added (or gone from the file since it was sent)
            result.append(item)
            origins.append(None)
    merged["activities"] = result
    return merged, origins


def _change(
    data: dict[str, Any],
    new: dict[str, Any],
    base: dict[str, Any],
    never_remove: tuple[str, ...] = (),
) -> None:
    """Set each field whose new value differs from ``base``; remove one the answers
    emptied. Fields the form does not ask about are not in either, so they stay."""
    for key in [k for k in new if k != "activities"] + [k for k in base if k not in new]:
        if key in ("activities", "last_confirmed") or new.get(key) == base.get(key):
            continue
        if key in new:
            data[key] = new[key]
        elif key not in never_remove:
            data.pop(key, None)


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
