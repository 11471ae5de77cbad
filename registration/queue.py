"""The submissions queue: one folder per submission, written atomically, never lost.

    submissions/pending/<id>/submission.yaml   what it is, when it came, duplicate flags
    submissions/pending/<id>/entry.yaml        the proposed public entry (new and update)
    submissions/pending/<id>/private.yaml      the submitter's own details: never published
    submissions/approved/<id>/…, submissions/rejected/<id>/… once someone has decided

The id is made from the submission's content, so an identical resubmission lands on the
same id and is recognised instead of queued twice. Folders are assembled in
``submissions/tmp/`` and renamed into ``pending/`` in one step: a crash never leaves a
half-written submission in the queue.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from entries import clock
from entries.atomic import fsync_folder, write_text_atomic
from entries.yaml_writer import dump_entry

KINDS = ("new", "update", "report")
STATES = ("pending", "approved", "rejected")
ID = re.compile(r"[0-9a-f]{16}")  # with fullmatch


class QueueError(Exception):
    """A review command cannot do what was asked; the message says why."""


@dataclass
class Submission:
    id: str
    kind: str
    state: str
    received: datetime
    folder: Path
    target: str = ""  # provider slug: proposed (new) or existing (update, report)
    activity: str = ""  # activity slug (report; an update from before whole-group updates)
    message: str = ""  # what is wrong (report)
    duplicates: list[str] = field(default_factory=list)
    entry: dict[str, Any] | None = None
    private: dict[str, str] = field(default_factory=dict)
    decision: dict[str, Any] = field(default_factory=dict)
    # An update: for each of the entry's activities, the slug of the one it updates ("" for
    # one added); the activities it takes off; and what the form made of the file as it
    # was (registration.form.baseline), so only what the group changed is changed.
    replaces: list[str] = field(default_factory=list)
    removes: list[str] = field(default_factory=list)
    baseline: dict[str, Any] | None = None
    language: str = ""  # the language code of the form it came from: replies are in it

    def age_days(self, today: date) -> int:
        return (today - self.received.date()).days


class SubmissionQueue:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def submit(
        self,
        kind: str,
        *,
        entry: dict[str, Any] | None = None,
        private: dict[str, str] | None = None,
        target: str = "",
        activity: str = "",
        message: str = "",
        duplicates: list[str] | None = None,
        replaces: list[str] | None = None,
        removes: list[str] | None = None,
        baseline: dict[str, Any] | None = None,
        language: str = "",
        now: datetime | None = None,
    ) -> tuple[Submission, bool]:
        """Queue a submission. Returns it and whether it is new (False: already had it)."""
        assert kind in KINDS
        changes = {"replaces": replaces or [], "removes": removes or []}
        sub_id = fingerprint(kind, entry, target, activity, message, changes)
        existing = self.find(sub_id)
        if existing:
            return existing, False
        received = (now or clock.now()).replace(microsecond=0)
        meta = {
            "id": sub_id,
            "kind": kind,
            "received": received.isoformat(),
            "target": target,
            "activity": activity,
            "message": message,
            "duplicates": duplicates or [],
        }
        if replaces or removes:
            meta |= changes
        if language:
            meta["language"] = language
        files = {"submission.yaml": _dump(meta), "private.yaml": _dump(private or {})}
        if entry is not None:
            files["entry.yaml"] = dump_entry(entry)
        if baseline is not None:
            files["baseline.yaml"] = _dump(baseline)
        for state in ("tmp", *STATES):
            (self.root / state).mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=self.root / "tmp"))
        try:
            for name, text in files.items():
                with open(staging / name, "w", encoding="utf-8") as handle:
                    handle.write(text)
                    handle.flush()
                    os.fsync(handle.fileno())
            fsync_folder(staging)
            os.chmod(staging, 0o750)
            os.rename(staging, self.root / "pending" / sub_id)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            if exc.errno in (errno.EEXIST, errno.ENOTEMPTY):  # the same, sent twice at once
                return self.get(sub_id), False
            raise
        fsync_folder(self.root / "pending")
        return self.get(sub_id), True

    def find(self, sub_id: str) -> Submission | None:
        for state in STATES:
            if (self.root / state / sub_id / "submission.yaml").is_file():
                return self._read(self.root / state / sub_id, state)
        return None

    def get(self, sub_id: str) -> Submission:
        if not ID.fullmatch(sub_id):
            raise QueueError(f'"{sub_id}" is not a submission id (16 letters and digits).')
        found = self.find(sub_id)
        if not found:
            raise QueueError(
                f"There is no submission {sub_id}. `healthdir submissions` lists them."
            )
        return found

    def pending(self) -> list[Submission]:
        folder = self.root / "pending"
        items = [self._read(p, "pending") for p in folder.iterdir()] if folder.is_dir() else []
        return sorted(items, key=lambda s: s.received)

    def decided(self, state: str) -> list[Submission]:
        """Submissions already approved or rejected, oldest first."""
        folder = self.root / state
        items = [self._read(p, state) for p in folder.iterdir()] if folder.is_dir() else []
        return sorted(items, key=lambda s: s.received)

    def approvals(self) -> list[tuple[str, str]]:
        """``(day, provider slug)`` for each update of a listed group the team approved
        (including a new submission approved as an update of one): a group updating its
        details, as the prize draw and the reminder emails count it. A newly listed group
        is not an update."""
        found = []
        for submission in self.decided("approved"):
            if submission.kind == "update" or submission.decision.get("as_update_of"):
                file = Path(str(submission.decision.get("file", "")))
                found.append(
                    (str(submission.decision.get("on", "")), file.stem or submission.target)
                )
        return found

    def decide(self, submission: Submission, state: str, decision: dict[str, Any]) -> Submission:
        """Record a decision and move the submission out of ``pending``."""
        if submission.state != "pending":
            raise QueueError(f"Submission {submission.id} was already {submission.state}.")
        write_text_atomic(submission.folder / "decision.yaml", _dump(decision))
        destination = self.root / state / submission.id
        os.rename(submission.folder, destination)
        fsync_folder(self.root / state)
        return self._read(destination, state)

    def clear_leftovers(self) -> None:
        """Remove half-assembled submissions left by a crash (they were never queued)."""
        shutil.rmtree(self.root / "tmp", ignore_errors=True)

    def _read(self, folder: Path, state: str) -> Submission:
        meta = _load(folder / "submission.yaml")
        entry_file, baseline_file = folder / "entry.yaml", folder / "baseline.yaml"
        return Submission(
            id=meta["id"],
            kind=meta["kind"],
            state=state,
            received=datetime.fromisoformat(meta["received"]),
            folder=folder,
            target=meta.get("target", ""),
            activity=meta.get("activity", ""),
            message=meta.get("message", ""),
            duplicates=list(meta.get("duplicates") or []),
            entry=_load(entry_file) if entry_file.is_file() else None,
            private=_load(folder / "private.yaml") or {},
            decision=_load(folder / "decision.yaml")
            if (folder / "decision.yaml").is_file()
            else {},
            replaces=[str(slug) for slug in meta.get("replaces") or []],
            removes=[str(slug) for slug in meta.get("removes") or []],
            baseline=_load(baseline_file) if baseline_file.is_file() else None,
            language=str(meta.get("language") or ""),
        )


def fingerprint(
    kind: str,
    entry: dict[str, Any] | None,
    target: str,
    activity: str,
    message: str,
    changes: dict[str, list[str]] | None = None,
) -> str:
    """Same kind, target and content (whatever the day) → same id."""
    content = dict(entry or {})
    content.pop("last_confirmed", None)
    parts: list[Any] = [kind, target, activity, message, content]
    if changes and any(changes.values()):
        parts.append(changes)
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _load(path: Path) -> Any:
    """Queue files are written by this code; still, they are read safely."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return _dates_as_text(data)


def _dates_as_text(data: Any) -> Any:
    if isinstance(data, dict):
        return {str(k): _dates_as_text(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_dates_as_text(v) for v in data]
    if isinstance(data, date):
        return data.isoformat()
    return data
