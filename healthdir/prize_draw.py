"""The monthly prize draw for groups that confirmed or updated their entry.

The winner is drawn with a seed printed alongside the result: anyone can run the draw
again with the same month and seed and get the same winner.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from healthdir.confirmations import confirmations
from registration.queue import SubmissionQueue


@dataclass(frozen=True)
class Draw:
    month: str
    seed: int
    entrants: list[str]
    winner: str | None


def entrants(month: str, log: Path, submissions: Path) -> list[str]:
    """Provider slugs that confirmed (log) or had an update approved in ``month`` (YYYY-MM)."""
    found = {c.provider for c in confirmations(log) if c.day.isoformat().startswith(month)}
    for submission in SubmissionQueue(submissions).decided("approved"):
        if submission.kind in ("update", "new") and str(
            submission.decision.get("on", "")
        ).startswith(month):
            file = Path(str(submission.decision.get("file", "")))
            found.add(file.stem or submission.target)
    return sorted(found)


def draw(month: str, seed: int, names: list[str]) -> Draw:
    """Pick one, the same one every time for the same month, seed and entrants."""
    ordered = sorted(names)
    winner = random.Random(f"{month}:{seed}").choice(ordered) if ordered else None
    return Draw(month=month, seed=seed, entrants=ordered, winner=winner)
