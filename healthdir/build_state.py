"""What the published site was built from, so that the next build can make only what
changed (issue 16).

Every build leaves its state in the search index's folder, swapped in with it: the
fingerprint of everything but the provider files (code, templates, settings, domains and
pages), the build date and which output folder it describes (``build-state.json``); and
each provider file's digest, size and time, freshness, checked data, indexed activities
and list items (the theme's ``once_each``), and the manifest of every output file
(:mod:`entries.outputs`), which only an incremental build reads (``build-state-details``
and its shards, in :mod:`marshal`'s format: ten times quicker to write than JSON, at 100
MB for 10,000 providers; a build writes it and reads it back with the same Python, which
the fingerprint includes). The next build compares. If anything but provider files
changed, or the date went back, or the published folder is not the one the state
describes, it builds everything; otherwise only what the changed providers reach.

The site published before (the spare, kept beside the output) is described too: an
incremental build builds in it, so that only files changed since need any work.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sys
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path
from stat import S_ISREG
from types import ModuleType
from typing import Any, TypeVar

from entries import Directory
from entries.outputs import Made, Previous
from theme import Fragments

T = TypeVar("T")
STATE_FILE = "build-state.json"
DETAILS_FILE = "build-state-details"
FORMAT = 3
# The providers' details and list items are kept in this many files (``-00`` …), by
# provider, so that a build that changed a few providers writes only their files again:
# writing all of them (100 MB at 10,000 providers) took a tenth of a rebuild.
SHARDS = 64
# Libraries whose version changes what a build writes.
LIBRARIES = (
    "pelican", "Whoosh-Reloaded", "Jinja2", "MarkupSafe", "Markdown", "nh3",
    "nhsuk-frontend-jinja", "PyYAML", "jsonschema",
)  # fmt: skip
# Settings that say where this build writes, not what it writes.
_WHERE = {"OUTPUT_PATH"}
# The code's own files: Python and the data it reads (the schema, postcodes, synonyms).
# Templates and styles count as the theme's, from the folder the settings name.
CODE_FILES = {".py", ".json", ".yaml", ".csv"}


@dataclass(frozen=True)
class ProviderState:
    """One valid provider file as the published site was built from it."""

    digest: str
    stat: tuple[int, int]  # size and modification time: the same, the file is taken as read
    freshness: str
    data: Mapping[str, Any]
    indexed: tuple[str, ...]  # its documents' keys in the search index


@dataclass
class BuildState:
    """What the published site and search index were built from."""

    inputs: str
    today: date
    output: tuple[int, int, int]  # the output folder: device, inode, modification time
    gen: int = 1  # this build's generation: one more than the last
    providers: dict[str, ProviderState] = field(default_factory=dict)
    made: dict[str, Made] = field(default_factory=dict)
    # The site published before this one, now the spare: its folder, inputs, manifest.
    spare: tuple[int, int, int] | None = None
    spare_inputs: str = ""
    spare_made: dict[str, int] = field(default_factory=dict)  # path -> generation
    # Each list item as made (theme's `once_each`), by key ("…|activities/<slug>/…").
    fragments: dict[str, str] = field(default_factory=dict)
    # The shards of details read (:meth:`read_details`): where from, and what they held.
    shards_read: dict[int, tuple[Path, Any]] = field(default_factory=dict, repr=False)

    @classmethod
    def read(cls, folder: Path) -> BuildState | None:
        """The state in the index ``folder``, without its details (:meth:`read_details`);
        ``None`` if there is none or it is unusable."""
        try:
            raw = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
            if raw.get("format") != FORMAT:
                return None
            return cls(
                inputs=raw["inputs"],
                today=date.fromisoformat(raw["today"]),
                output=tuple(raw["output"]),  # type: ignore[arg-type]
                gen=raw["gen"],
                spare=tuple(raw["spare"]) if raw["spare"] else None,  # type: ignore[arg-type]
                spare_inputs=raw["spare_inputs"],
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def read_details(self, folder: Path) -> bool:
        """Read the providers, the manifests and the list items; say if they were there."""
        try:
            raw = marshal.loads((folder / DETAILS_FILE).read_bytes())
            self.made = {path: Made.from_json(value) for path, value in raw["made"].items()}
            self.spare_made = raw["spare_made"]
            for number in range(SHARDS):
                path = folder / f"{DETAILS_FILE}-{number:02d}"
                shard = marshal.loads(path.read_bytes())
                self.providers.update(
                    (slug, ProviderState(p["digest"], tuple(p["stat"]), p["freshness"], p["data"], tuple(p["indexed"])))
                    for slug, p in shard["providers"].items()
                )  # fmt: skip
                self.fragments.update(shard["fragments"])
                self.shards_read[number] = (path, shard)
        except (OSError, ValueError, KeyError, TypeError, EOFError):
            return False
        return True

    def write(self, folder: Path) -> None:
        """Write the state into the index ``folder``: each shard of the providers' details
        that is as it was read is linked from where it was read, not written again."""
        header = {
            "format": FORMAT,
            "inputs": self.inputs,
            "today": self.today.isoformat(),
            "output": list(self.output),
            "gen": self.gen,
            "spare": list(self.spare) if self.spare else None,
            "spare_inputs": self.spare_inputs,
        }
        details = {
            "made": {path: made.to_json() for path, made in self.made.items()},
            "spare_made": self.spare_made,
        }
        (folder / DETAILS_FILE).write_bytes(marshal.dumps(details))
        for number, shard in self._shards().items():
            path = folder / f"{DETAILS_FILE}-{number:02d}"
            read = self.shards_read.get(number)
            if not (read and read[1] == shard and _linked(read[0], path)):
                path.write_bytes(marshal.dumps(shard))
        (folder / STATE_FILE).write_text(json.dumps(header), encoding="utf-8")

    def _shards(self) -> dict[int, dict[str, dict[str, Any]]]:
        """The providers' details and list items, in shards by provider."""
        shards: dict[int, dict[str, dict[str, Any]]] = {
            number: {"providers": {}, "fragments": {}} for number in range(SHARDS)
        }
        for slug, p in self.providers.items():
            shards[_shard(slug)]["providers"][slug] = {
                "digest": p.digest,
                "stat": list(p.stat),
                "freshness": p.freshness,
                "data": p.data,
                "indexed": list(p.indexed),
            }
        for key, html in self.fragments.items():
            shards[_shard(_fragment_slug(key))]["fragments"][key] = html
        return shards

    def unchanged(self, stats: Mapping[Path, tuple[int, int]]) -> dict[Path, ProviderState]:
        """The provider files in ``stats`` of the same size and time as when last built:
        taken as unchanged, like ``git status`` does, without being read again."""
        unchanged = {}
        for path, stat in stats.items():
            before = self.providers.get(path.stem)
            if before is not None and before.stat == stat:
                unchanged[path] = before
        return unchanged

    def fragments_kept(self, changed: frozenset[str]) -> Fragments:
        """The list items of the activities of providers that have not ``changed``."""
        return Fragments(
            {
                key: html
                for key, html in self.fragments.items()
                if _fragment_slug(key) not in changed
            }
        )

    def previous(
        self, published: Path, directory: Directory, digests: Mapping[Path, str]
    ) -> Previous:
        """The published site, and which providers changed since it was built."""
        by_slug = _by_slug(digests)
        now = {p.slug: (by_slug.get(p.slug, ""), p.freshness) for p in directory.all_providers}
        before = {slug: (p.digest, p.freshness) for slug, p in self.providers.items()}
        changed = {slug for slug in now.keys() | before.keys() if now.get(slug) != before.get(slug)}
        return Previous(
            folder=published,
            made=self.made,
            changed=frozenset(changed),
            new_date=directory.today != self.today,
        )


def state_after(
    inputs: str,
    directory: Directory,
    digests: Mapping[Path, str],
    stats: Mapping[Path, tuple[int, int]],
    output: Path,
    made: Mapping[str, Made],
    gen: int,
    spare: BuildState | None,
    fragments: Fragments,
    linked_spare: tuple[int, int, int] | None = None,
) -> BuildState:
    """The state a build leaves: what it was made from, the ``output`` it made, and the
    spare: the site it replaces (described by ``spare``, its state), or after a full
    build the new site linked into a folder of its own (``linked_spare``, that folder's
    identity once linked: ``_SpareToLink`` in :mod:`healthdir.publish`)."""
    spare_of: tuple[tuple[int, int, int] | None, str, Mapping[str, Made]] = (None, "", {})
    if linked_spare:
        spare_of = (linked_spare, inputs, made)
    elif spare:
        spare_of = (spare.output, spare.inputs, spare.made)
    listed, by_slug, stat_of = (
        {p.slug for p in directory.providers},
        _by_slug(digests),
        _by_slug(stats),
    )
    return BuildState(
        inputs=inputs,
        today=directory.today,
        output=folder_identity(output),
        gen=gen,
        spare=spare_of[0],
        spare_inputs=spare_of[1],
        spare_made={path: m.gen for path, m in spare_of[2].items()},
        fragments=fragments.shared(),
        shards_read=spare.shards_read if spare else {},
        providers={
            p.slug: ProviderState(
                digest=by_slug.get(p.slug, ""),
                stat=stat_of.get(p.slug, (0, 0)),
                freshness=p.freshness,
                data=p.data,
                indexed=tuple(
                    f"{p.slug}/{a.slug}" for a in p.listed_activities if p.slug in listed
                ),
            )
            for p in directory.all_providers
        },
        made=dict(made),
    )


def _shard(slug: str) -> int:
    return zlib.crc32(slug.encode()) % SHARDS


def _fragment_slug(key: str) -> str:
    """The provider a list item is of, from its key (``en-GB|providers/<slug>/``)."""
    return key.split("/", 2)[1]


def _linked(source: Path, target: Path) -> bool:
    try:
        os.link(source, target)
    except OSError:
        return False
    return True


def folder_identity(folder: Path) -> tuple[int, int, int]:
    """Which folder this is: a renamed folder keeps it, a replaced one does not."""
    info = os.stat(folder)
    return (info.st_dev, info.st_ino, info.st_mtime_ns)


def provider_stats(folder: Path) -> dict[Path, tuple[int, int]]:
    """Each provider file's size and modification time (in nanoseconds)."""
    stats = {}
    for path in sorted(folder.glob("*.yaml"), key=str):  # by name: Paths compare slowly
        info = path.stat()
        if S_ISREG(info.st_mode):
            stats[path] = (info.st_size, info.st_mtime_ns)
    return stats


def digest(content: bytes) -> str:
    """A provider file's content digest: what tells an edited file from the same one."""
    return hashlib.sha256(content).hexdigest()


def inputs_fingerprint(
    settings_file: Path, settings: Mapping[str, Any], code: Iterable[ModuleType]
) -> str:
    """One digest of everything a build reads besides the provider files: the code (the
    ``code`` packages' files, Python and the libraries' versions), the theme, the
    settings (the file, and the values it gives), and the content that is not a provider
    (domains, pages)."""
    digest = hashlib.sha256(settings_file.read_bytes())
    digest.update(sys.version.encode())
    for name in LIBRARIES:
        digest.update(f"{name}=={metadata.version(name)}\n".encode())
    for module in code:
        _hash_folder(digest, Path(module.__file__ or "").parent, suffixes=CODE_FILES)
    _hash_folder(digest, Path(settings["THEME"]))
    content = Path(settings["PATH"])
    _hash_folder(digest, content, skip=content / "providers")
    wanted = {k: _plain(v) for k, v in settings.items() if k not in _WHERE and k.isupper()}
    digest.update(json.dumps(wanted, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _hash_folder(
    digest: Any, folder: Path, skip: Path | None = None, suffixes: set[str] | None = None
) -> None:
    """Hash each file in ``folder`` and its name; the folder ``skip`` is not even listed
    (listing the 10,000 provider files it skipped took a second)."""
    found = []
    for parent, folders, names in os.walk(folder, followlinks=True):
        folders[:] = [f for f in folders if f != "__pycache__" and Path(parent, f) != skip]
        found += [Path(parent, n) for n in names if not suffixes or Path(n).suffix in suffixes]
    for path in sorted(found, key=str):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())


def _plain(value: Any) -> Any:
    """A setting as plain data; a value of another kind (a module, a function) by its
    type, since its ``repr`` changes from run to run."""
    if isinstance(value, str | int | float | bool | type(None)):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    return type(value).__qualname__


def _by_slug(by_path: Mapping[Path, T]) -> dict[str, T]:
    return {path.stem: value for path, value in by_path.items()}
