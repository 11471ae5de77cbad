"""What each file of a build is made from, so that the next build makes again only what
a change reaches.

Every file a build writes goes through :class:`Outputs`, which records what it was made
from: the providers whose objects were handed to it (``uses``: the activities of a topic
page, a provider and its activities, every provider for a count), and what the code that
made it read of the whole directory (:class:`Reading`: the build date, or everything).
That record is the build's manifest. The next build, told which providers changed since
(:class:`Previous`), takes every file none of whose providers changed, and that read
nothing that changed, from the published site as a hard link instead of making it again;
or, building in the site published before that one (the spare), leaves such a file as
it is when it is already the published one (the same generation).

A file made from the objects it was given depends on exactly them: a topic page lists
the activities of that topic, so a provider that joins or leaves the topic is among the
objects it is given now or was given before, and both are compared.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from entries.directory import Directory
from entries.model import Activity, Provider

DATE = "date"  # read the build date
EVERYTHING = "everything"  # read the directory as a whole: any provider's change reaches it
# What of a directory a file may read without depending on any provider.
_SETTINGS = frozenset({"site", "domains"})


@dataclass(frozen=True)
class Made:
    """One file of the manifest: the providers it was made from, what else it read, and
    the build (generation) that made what it holds."""

    uses: frozenset[str]  # provider slugs
    reads: frozenset[str] = frozenset()  # DATE, EVERYTHING
    gen: int = 0

    def to_json(self) -> list[Any]:
        return [list(self.uses), list(self.reads), self.gen]

    @classmethod
    def from_json(cls, value: list[Any]) -> Made:
        return cls(frozenset(value[0]), frozenset(value[1]), value[2])


@dataclass(frozen=True)
class Previous:
    """The published site and what changed since it was built."""

    folder: Path  # the published output
    made: Mapping[str, Made]  # its manifest
    changed: frozenset[str]  # providers added, removed, edited, or fresh/due/hidden anew
    new_date: bool  # built for another day than the published site

    def still_true(self, made: Made, uses: frozenset[str], reads: frozenset[str]) -> bool:
        """Whether a file made from ``made`` before, and from ``uses`` now, is the same."""
        if self.changed and (EVERYTHING in made.reads or EVERYTHING in reads):
            return False
        if self.new_date and (DATE in made.reads or DATE in reads):
            return False
        return self.changed.isdisjoint(made.uses) and self.changed.isdisjoint(uses)


class Reading:
    """A directory that notes what is read of it, for a file being made from it.

    Its settings (``site``, ``domains``) are free; ``today`` is the build date; anything
    else is the directory as a whole.
    """

    def __init__(self, directory: Directory) -> None:
        self._directory = directory
        self.reads: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        if name == "today":
            self.reads.add(DATE)
        elif name not in _SETTINGS:
            self.reads.add(EVERYTHING)
        return getattr(self._directory, name)


def providers_in(value: object) -> frozenset[str]:
    """The slugs of every provider in ``value``: providers and activities, in any lists,
    tuples, sets and dictionaries (their values)."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is list and item and type(item[0]) is Activity:  # a page's list, quickly
            found.update(a.provider.slug for a in item if type(a) is Activity)
            stack.extend(a for a in item if type(a) is not Activity)
        elif isinstance(item, Activity):
            found.add(item.provider.slug)
        elif isinstance(item, Provider):
            found.add(item.slug)
        elif kind is dict or isinstance(item, Mapping):
            stack.extend(item.values())  # type: ignore[attr-defined]
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
    return frozenset(found)


@dataclass
class Outputs:
    """Writes a build's files into ``folder`` and records what each was made from.

    With ``previous``, a file that would come out the same is taken from the published
    site instead. ``present`` is what the staging folder already holds (path ->
    generation: the spare's manifest, or the published site's while it is linked in
    beside ``folder``), empty for a fresh folder. A file there is never written into,
    as it may be a link to a published one: it is removed first.
    """

    folder: Path
    directory: Directory
    previous: Previous | None = None
    gen: int = 1  # this build's generation
    present: Mapping[str, int] = field(default_factory=dict)
    made: dict[str, Made] = field(default_factory=dict)
    _folders: set[str] = field(default_factory=set, repr=False)  # made by :meth:`_folder_of`

    def reuse(self, path: str, uses: frozenset[str], reads: Iterable[str] = ()) -> bool:
        """Keep ``path`` as the published site has it if it would come out the same, and
        say so; otherwise make room for it to be made."""
        before = self.previous.made.get(path) if self.previous else None
        reads = frozenset(reads)
        if (
            before is not None
            and self.previous.still_true(before, uses, reads)  # type: ignore[union-attr]
            and (self.present.get(path) == before.gen or self._link(path))
        ):
            same = before.uses == uses and reads <= before.reads  # most: kept as it was
            self.made[path] = before if same else Made(uses, before.reads | reads, before.gen)
            return True
        if path in self.present:
            _unlink(self.folder / path)
        return False

    def _link(self, path: str) -> bool:
        target = self.folder / path
        if path in self.present:
            _unlink(target)
        else:
            self._folder_of(str(target))
        try:
            os.link(self.previous.folder / path, target)  # type: ignore[union-attr]
        except FileNotFoundError:  # gone from the published site: make it again
            return False
        return True

    def _folder_of(self, target: str) -> None:
        """Make the folder ``target`` goes in, once a build (not once a file: a site of
        10,000 providers has 100,000 files in 40,000 folders)."""
        parent = os.path.dirname(target)
        if parent not in self._folders:
            os.makedirs(parent, exist_ok=True)
            self._folders.add(parent)

    def record(self, path: str, uses: frozenset[str], reads: Iterable[str]) -> None:
        """Note a file just made."""
        self.made[path] = Made(uses, frozenset(reads), self.gen)

    def write(self, path: str, text: str, uses: frozenset[str], reads: Iterable[str]) -> None:
        """Write ``text`` to ``path`` (as UTF-8) and :meth:`record` it."""
        target = os.path.join(self.folder, path)
        self._folder_of(target)
        with open(target, "wb") as handle:
            handle.write(text.encode())
        self.record(path, uses, reads)

    def file(
        self, path: str, make: Callable[[Directory], str | Iterable[str]], uses: object = ()
    ) -> None:
        """Write ``make(directory)`` to ``path``, made from ``uses``, unless the published
        file would do. ``make`` may give the text in parts, written one by one: a page of
        all records need never be in memory whole (at 10,000 providers, 90 MB of text)."""
        self._file(path, make, uses)

    def text(self, path: str, make: Callable[[Directory], str], uses: object = ()) -> str:
        """:meth:`file`, and the file's text (the published file's, if it was taken as published)."""
        text = self._file(path, make, uses)
        if text is None:
            with open(self.previous.folder / path, encoding="utf-8", newline="") as published:  # type: ignore[union-attr]
                return published.read()
        return text

    def unchanged(self, slug: str) -> bool:
        """Whether provider ``slug`` is as the published site was made from it (never, in
        a build that takes nothing from a published site)."""
        return self.previous is not None and slug not in self.previous.changed

    def published(self, path: str) -> str | None:
        """The published site's ``path`` as text, when this build takes files from one and
        it has that file."""
        if self.previous is None:
            return None
        try:
            with open(self.previous.folder / path, encoding="utf-8", newline="") as published:
                return published.read()
        except FileNotFoundError:
            return None

    def _file(
        self, path: str, make: Callable[[Directory], str | Iterable[str]], uses: object
    ) -> str | None:
        slugs = providers_in(uses)
        if self.reuse(path, slugs):
            return None
        reading = Reading(self.directory)
        text = make(reading)  # type: ignore[arg-type]  # a Reading reads as a Directory
        target = self.folder / path
        self._folder_of(str(target))
        with open(target, "w", encoding="utf-8", newline="") as handle:
            if isinstance(text, str):
                handle.write(text)
            else:
                handle.writelines(text)
        self.record(path, slugs, reading.reads)
        return text if isinstance(text, str) else None


def remove_stale(folder: Path, present: Iterable[str], made: Mapping[str, Made]) -> None:
    """Remove from ``folder`` the files it held that this build did not make or keep, and
    the folders that leaves empty."""
    for path in present:
        if path not in made:
            target = folder / path
            _unlink(target)
            for parent in target.parents:
                if parent == folder or any(parent.iterdir()):
                    break
                parent.rmdir()


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
