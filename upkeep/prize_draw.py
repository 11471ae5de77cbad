"""The monthly prize draw for groups that confirmed or updated their entry.

The winner is drawn with a seed printed alongside the result: anyone can run the draw
again with the same month and seed and get the same winner.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from upkeep.confirmations import confirmations


@dataclass(frozen=True)
class Draw:
    month: str
    seed: int
    entrants: list[str]
    winner: str | None


def entrants(month: str, log: Path, approvals: Iterable[tuple[str, str]]) -> list[str]:
    """Provider slugs that confirmed (``log``) or had a change approved in ``month``.

    ``approvals`` are ``(day, provider slug)`` pairs from the moderation queue.
    """
    found = {c.provider for c in confirmations(log) if c.day.isoformat().startswith(month)}
    found.update(slug for day, slug in approvals if day.startswith(month))
    return sorted(found)


def draw(month: str, seed: int, names: list[str]) -> Draw:
    """Pick one, the same one every time for the same month, seed and entrants."""
    ordered = sorted(names)
    winner = random.Random(f"{month}:{seed}").choice(ordered) if ordered else None
    return Draw(month=month, seed=seed, entrants=ordered, winner=winner)
