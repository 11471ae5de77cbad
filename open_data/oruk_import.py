"""``healthdir import oruk``: another directory's Open Referral UK feed as provider files.

An area that already has a council or Family Hubs directory can start from it. Each
organisation becomes a provider (a service with none becomes a provider of its own), and
each service one of its activities. Every entry written keeps the feed's name and the
record's id in ``imported_from``, so importing the same feed again finds and updates the
same files, and an unchanged feed changes nothing. Fields the importer does not write
(``checked``, ``easy_read``, ``accessibility``, ``suitable_for``…) are kept as the team left
them; activities added by hand are kept too. A service that has gone from the feed, or is
marked inactive in it, is kept but closed (not published). A service whose directory
gives no way to get in touch is imported all the same (its pages say so, and the report
lists it); contact details in the file are kept for as long as the feed gives none.

Everything is read, converted and checked with the entry model before anything is
written; each file is then written atomically. A record that cannot be imported is
reported with the reason, never guessed into shape.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from entries import clock
from entries.atomic import write_text_atomic
from entries.directory import load_domains, validate_entry
from entries.model import Site, activity_slugs, slugify
from entries.problems import display_path, field_path
from entries.site_settings import site_settings
from entries.yaml_source import MAX_FILE_BYTES, read_yaml
from entries.yaml_writer import dump_entry
from open_data.oruk_feed import ServiceRecord, read_feed
from open_data.oruk_mapping import ImportMapping, load_mapping
from open_data.oruk_records import (
    NotImported,
    activity,
    contact,
    contact_in_text,
    provider_fields,
    unusable_contact,
)

MAX_ACTIVITIES = 50
CONTACT = ("website", "email", "phone")
PROVIDER_FIELDS = ("name", "about", *CONTACT, "charity_number")
ACTIVITY_FIELDS = (
    "name", "summary", "details", "domains", "locality", "when", "schedule", "cost", "price",
    "how_to_join", "venue", "delivery", "who_for", "age_min", "age_max", "languages",
    "accessibility_notes", "status", "alert", "email", "phone", "website",
)  # fmt: skip
INACTIVE = ("inactive", "defunct")


@dataclass(frozen=True)
class Noted:
    """A record the report lists: why it was not imported, or what it lacks."""

    id: str
    name: str
    reason: str

    def __str__(self) -> str:
        return f'{self.id or "(no id)"} "{self.name or "(no name)"}": {self.reason}'


@dataclass
class ImportReport:
    """What an import did (or, before writing, would do)."""

    feed: str
    source: Path
    records: int = 0
    named: int = 0
    imported: list[str] = field(default_factory=list)  # service ids now in a provider file
    new: list[Path] = field(default_factory=list)
    updated: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)  # "file: activity" no longer in the feed
    skipped: list[Noted] = field(default_factory=list)
    no_contact: list[Noted] = field(default_factory=list)  # imported, but with no contact

    def lines(self) -> Iterator[str]:
        """The report as the command prints it."""
        yield (
            f"Read {_count(self.records, 'service')} from {display_path(self.source)} "
            f'(feed "{self.feed}"). Imported {len(self.imported)} of the {self.named} with a name.'
        )
        yield (
            f"Provider files: {len(self.new)} new, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged."
        )
        if self.closed:
            yield f"Closed, as no longer live in the feed ({len(self.closed)}):"
            yield from (f"  {line}" for line in self.closed)
        if self.skipped:
            yield f"Not imported ({len(self.skipped)}):"
            yield from (f"  {skipped}" for skipped in self.skipped)
        if self.no_contact:
            yield (
                f"Imported with no contact details ({len(self.no_contact)}): their pages say "
                "so; add a phone, email or website to each file when you find one:"
            )
            yield from (f"  {record}" for record in self.no_contact)
        if self.new or self.updated:
            yield "Next: `healthdir check`, then `healthdir build` to publish."


@dataclass
class _Group:
    """The services one provider file will hold."""

    key: str  # the organisation's id, or the service's when it has none
    provider: dict[str, Any]
    ids: set[str] = field(default_factory=set)  # its organisations' (or service's) ids
    activities: list[tuple[dict[str, Any], date, ServiceRecord]] = field(default_factory=list)
    previous: dict[str, dict[str, Any]] = field(
        default_factory=dict
    )  # service id -> as in the file


@dataclass
class _File:
    """A provider file already in content/providers."""

    path: Path
    data: dict[str, Any] | None
    feed: str = ""
    id: str = ""
    activity_ids: set[str] = field(default_factory=set)


def import_oruk(
    root: Path,
    feed_file: Path,
    *,
    feed: str = "",
    mapping: Path | None = None,
    today: date | None = None,
) -> ImportReport:
    """Import ``feed_file`` into the site in ``root``; raises :class:`FeedError` or
    :class:`MappingError` (with nothing written) if either file cannot be used."""
    today = today or clock.today()
    settings = site_settings(root)
    site = Site.from_settings(settings)
    domain_ids = list(load_domains(root / settings.get("PATH", "content") / "domains")[0])
    localities = list(site.localities)
    rules = load_mapping(mapping, domain_ids, localities)
    records = read_feed(feed_file)
    name = " ".join((feed or feed_file.stem).split())[:120]
    report = ImportReport(feed=name, source=feed_file, records=len(records.records))

    groups, present, live = _read(records.records, rules, site, name, today, report)
    providers = root / settings.get("PATH", "content") / "providers"
    files = _existing(providers, name)
    writes: dict[Path, dict[str, Any]] = {}
    merged = _merged(groups)
    targets = _targets(merged, files, name)
    names = {_name_key(str(f.data.get("name", ""))): f for f in files if f.data}
    taken = {f.path.stem for f in files}
    for group in merged:
        target = targets.get(group.key)
        clash = names.get(_name_key(group.provider["name"]))
        if target is None and clash is not None:
            reason = f"a provider of the same name is already listed in {display_path(clash.path)}"
            if clash.feed != name:
                reason += ", which was not imported from this feed: update that file by hand"
            report.skipped += [Noted(r.id, r.name, reason) for *_, r in group.activities]
            continue
        current = target.data if target else None
        entry = _checked(_entry(group, current), group, (domain_ids, localities, today), report)
        if entry is not None:
            path = target.path if target else _new_path(providers, group.provider["name"], taken)
            writes[path] = entry
            report.imported += [r.id for *_, r in group.activities]
    for known in files:
        data = writes.get(known.path) or known.data
        if data and known.feed == name:
            closed = _close_gone(data, name, live, present, records.complete)
            if closed:
                writes[known.path] = data
                report.closed += [f"{display_path(known.path)}: {n}" for n in closed]
    _write(writes, report)
    return report


def _read(
    records: list[Any],
    rules: ImportMapping,
    site: Site,
    feed: str,
    today: date,
    report: ImportReport,
) -> tuple[dict[str, _Group], set[str], set[str]]:
    """Each usable record as an activity in its organisation's group (the others are
    reported); also the ids in the feed, and those not marked inactive in it."""
    groups: dict[str, _Group] = {}
    present: dict[str, str] = {}  # id -> the name of the first service with it
    live: set[str] = set()
    for raw in records:
        record = ServiceRecord(raw if isinstance(raw, dict) else {})
        problem = _unusable(raw, record, present)
        report.named += bool(record.name and record.id and record.id not in present)
        present.setdefault(record.id, record.name)
        if record.status not in INACTIVE:
            live.add(record.id)
        if problem:
            report.skipped.append(Noted(record.id, record.name, problem))
            continue
        try:
            entry, confirmed = activity(record, rules, site, feed, today)
        except NotImported as exc:
            report.skipped.append(Noted(record.id, record.name, str(exc)))
            continue
        _group_for(groups, record, feed).activities.append((entry, confirmed, record))
    return groups, set(present), live


def _unusable(raw: Any, record: ServiceRecord, seen: dict[str, str]) -> str:
    if not isinstance(raw, dict):
        return "is not a service record (a set of fields)"
    if not record.id:
        return "has no id"
    if record.id in seen:
        return (
            f'has the same id as an earlier service in the feed ("{seen[record.id]}"), so '
            "the two could not be told apart when the feed is imported again"
        )
    if not record.name:
        return "has no name"
    if record.status in INACTIVE:
        return f"is marked {record.status} in the feed"
    return ""


def _group_for(groups: dict[str, _Group], record: ServiceRecord, feed: str) -> _Group:
    """The organisation's group, made on its first service."""
    key = record.organization_id if record.organization else f"service:{record.id}"
    if key not in groups:
        own = key.removeprefix("service:")
        provider = (
            provider_fields(record.organization)
            if record.organization
            else {
                "name": record.name,
                **contact(record.url, record.email, record.phones()),
            }
        )
        provider["imported_from"] = {"feed": feed, "id": own}
        groups[key] = _Group(key, provider, {own})
    return groups[key]


def _merged(groups: dict[str, _Group]) -> list[_Group]:
    """Groups under the same name (one organisation recorded twice, or a service named
    as an organisation) as one provider: names must be unique in the directory."""
    by_name: dict[str, _Group] = {}
    for group in groups.values():
        key = _name_key(group.provider["name"])
        if key not in by_name:
            by_name[key] = group
            continue
        first = by_name[key]
        first.ids |= group.ids
        first.activities += group.activities
        for name in ("website", "email", "phone", "about", "charity_number"):
            if name not in first.provider and name in group.provider:
                first.provider[name] = group.provider[name]
    return list(by_name.values())


def _existing(folder: Path, feed: str) -> list[_File]:
    found = []
    for path in sorted(folder.glob("*.yaml")):
        data = read_yaml(path).data
        if not isinstance(data, dict):
            found.append(_File(path, None))
            continue
        origin = _origin(data)
        activities = data.get("activities") if isinstance(data.get("activities"), list) else []
        ids = {i for a in activities if isinstance(a, dict) for f, i in [_origin(a)] if f == feed}
        found.append(_File(path, data, origin[0], origin[1], ids))
    return found


def _origin(data: Any) -> tuple[str, str]:
    """The feed and id an entry or activity was imported from ("" and "" if none)."""
    source = data.get("imported_from") if isinstance(data, dict) else None
    if not isinstance(source, dict):
        return "", ""
    return str(source.get("feed", "")), str(source.get("id", ""))


def _targets(groups: list[_Group], files: list[_File], feed: str) -> dict[str, _File]:
    """The file from this feed that each group updates: the one with its organisation's
    id, else one holding any of its services, else one of its name. One group a file."""
    ours = [f for f in files if f.data and f.feed == feed]
    found: dict[str, _File] = {}
    rules = (
        lambda g, f: f.id in g.ids,
        lambda g, f: bool(f.activity_ids & {r.id for *_, r in g.activities}),
        lambda g, f: _name_key(str(f.data.get("name", ""))) == _name_key(g.provider["name"]),
    )
    for rule in rules:
        for group in groups:
            if group.key in found:
                continue
            claimed = {f.path for f in found.values()}
            match = next((f for f in ours if f.path not in claimed and rule(group, f)), None)
            if match:
                found[group.key] = match
    return found


def _entry(group: _Group, current: dict[str, Any] | None) -> dict[str, Any]:
    """The provider file's data: the current file's, updated from the feed."""
    entry = copy.deepcopy(current) if current else {}
    kept_contact = {} if _has_contact(group.provider) else _contact_of(entry)
    for name in PROVIDER_FIELDS:
        entry.pop(name, None)
    entry.update({k: v for k, v in group.provider.items() if k != "imported_from"})
    entry.update(kept_contact)
    entry["imported_from"] = group.provider["imported_from"]
    found = entry.get("activities")
    activities = list(found) if isinstance(found, list) else []  # a broken one stays broken
    by_id = {_origin(a): index for index, a in enumerate(activities) if _origin(a)[0]}
    slugs = activity_slugs([str(_field(a, "name")) for a in activities])
    for new, _, record in group.activities:
        new = _without_contact_of(new, group.provider)
        if not _has_contact(entry) and not _has_contact(new):
            new.update(contact_in_text(record.description))
        index = by_id.get(_origin(new))
        if index is None:  # a hand-made activity of the same name, or a form update of one
            candidates = activity_slugs([new["name"]])[0]
            index = next(
                (i for i, (a, s) in enumerate(zip(activities, slugs, strict=True))
                 if s == candidates and isinstance(a, dict) and not _origin(a)[0]),
                None,
            )  # fmt: skip
        if index is None:
            activities.append(new)
            slugs.append("")
        else:
            old = activities[index]
            group.previous[_origin(new)[1]] = old
            kept = {k: v for k, v in old.items() if k not in ACTIVITY_FIELDS}
            if not _has_contact(entry) and not _has_contact(new):
                kept.update(_contact_of(old))  # added by hand, or given before: the feed gives none
            activities[index] = {**new, **{k: v for k, v in kept.items() if k != "imported_from"}}
    entry["activities"] = _unique_names(activities)
    return entry


def _without_contact_of(activity: dict[str, Any], provider: dict[str, Any]) -> dict[str, Any]:
    """The activity without contact details that only repeat its provider's."""
    return {k: v for k, v in activity.items() if not (k in CONTACT and provider.get(k) == v)}


def _contact_of(data: Any) -> dict[str, Any]:
    """The contact fields an entry or activity in a file has."""
    return {k: data[k] for k in CONTACT if k in data} if isinstance(data, dict) else {}


def _has_contact(data: Any) -> bool:
    return any(_contact_of(data).values())


def _unique_names(activities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Two services of one organisation with the same name become "Name" and "Name (2)":
    activity names must differ within a provider. Names are numbered in file order, so
    the same feed gives the same names each time."""
    seen: set[str] = set()
    for item in activities:
        if not isinstance(item, dict):
            continue
        base = str(item.get("name", ""))
        name, number = base, 1
        while (slug := activity_slugs([name])[0]) in seen and _origin(item)[0]:
            number += 1
            name = f"{base} ({number})"
        seen.add(slug)
        item["name"] = name
    return activities


def _checked(
    entry: dict[str, Any],
    group: _Group,
    site: tuple[list[str], list[str], date],
    report: ImportReport,
) -> dict[str, Any] | None:
    """The entry with every imported activity the entry model refuses taken out (and
    reported); ``None`` if nothing of the group can be written."""
    feed = group.provider["imported_from"]["feed"]
    records = {r.id: r for *_, r in group.activities}
    confirmed_before = str(entry.get("last_confirmed") or "")  # the current file's

    def ours(item: dict[str, Any]) -> ServiceRecord | None:
        origin = _origin(item)
        return records.get(origin[1]) if origin[0] == feed else None

    def drop(index: int, reason: str) -> None:
        """Leave the service out, or as it was if the file had it already."""
        record = records.pop(_origin(entry["activities"][index])[1])
        if record.id in group.previous:
            entry["activities"][index] = group.previous[record.id]
            reason += " (the file keeps its details from before)"
        else:
            del entry["activities"][index]
        report.skipped.append(Noted(record.id, record.name, reason))
        group.activities[:] = [g for g in group.activities if g[2] is not record]

    while True:
        mine = [i for i, a in enumerate(entry["activities"]) if ours(a)]
        if not mine:
            return None
        entry["last_confirmed"] = _last_confirmed(entry, group, ours, confirmed_before)
        if len(entry["activities"]) > MAX_ACTIVITIES:
            drop(
                mine[-1],
                f"its organisation already has {MAX_ACTIVITIES} activities, the most one provider can list",
            )
            continue
        problems = validate_entry(entry, *site)
        if not problems and len(dump_entry(entry).encode()) <= MAX_FILE_BYTES:
            report.no_contact += _without_contact(entry, ours)
            return entry
        if not problems:
            drop(mine[-1], "its organisation's file would be too big")
            continue
        path, message = problems[0]
        if len(path) >= 2 and path[0] == "activities" and path[1] in mine:
            drop(int(path[1]), f"{field_path(path[2:]) or 'it'}: {message}")
            continue
        reason = f"its provider has a problem to fix first: {field_path(path)}: {message}"
        report.skipped += [Noted(r.id, r.name, reason) for r in records.values()]
        return None


def _without_contact(
    entry: dict[str, Any], ours: Callable[[dict[str, Any]], ServiceRecord | None]
) -> list[Noted]:
    """The entry's services from the feed that give no way to get in touch, nor does
    their provider, and why any website or email the record gives could not be used."""
    if _has_contact(entry):
        return []
    found = [(item, ours(item)) for item in entry["activities"]]
    return [
        Noted(record.id, record.name, "gives no phone number, email address or website, "
                "nor does its organisation" + unusable_contact(record.url, record.email))
        for item, record in found
        if record and not _has_contact(item)
    ]  # fmt: skip


def _last_confirmed(
    entry: dict[str, Any],
    group: _Group,
    ours: Callable[[dict[str, Any]], ServiceRecord | None],
    before: str,
) -> str:
    """The oldest day any listed activity's details were confirmed, so the date never
    claims more than the records do: a changed or new service's assured (or changed) date;
    for one the feed leaves as it was, or one added by hand, the file's date, which may be
    later (someone confirmed the details since)."""
    days = {r.id: day.isoformat() for _, day, r in group.activities}
    found = []
    for item in entry["activities"]:
        record = ours(item)
        if _field(item, "status") == "closed":
            continue
        if record is None:
            found.append(before)
        elif group.previous.get(record.id) == item:
            found.append(max(days[record.id], before))
        else:
            found.append(days[record.id])
    return min(day for day in found if day) if any(found) else min(days.values())


def _close_gone(
    data: dict[str, Any], feed: str, live: set[str], present: set[str], complete: bool
) -> list[str]:
    """Close the file's activities from this feed that it marks inactive or, when it is
    the whole feed (not one page of it), no longer lists. Returns their names."""
    closed = []
    for item in data.get("activities", []):
        if not isinstance(item, dict) or item.get("status") == "closed":
            continue
        origin_feed, origin_id = _origin(item)
        inactive = origin_id in present and origin_id not in live
        gone = complete and origin_id not in present
        if origin_feed == feed and (inactive or gone):
            item["status"] = "closed"
            closed.append(str(item.get("name", "")))
    return closed


def _new_path(folder: Path, name: str, taken: set[str]) -> Path:
    base = slugify(name)[:60].rstrip("-") or "provider"
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    taken.add(slug)
    return folder / f"{slug}.yaml"


def _write(writes: dict[Path, dict[str, Any]], report: ImportReport) -> None:
    """Each file written atomically, and only if its text changes."""
    for path, entry in writes.items():
        text = dump_entry(entry)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            report.unchanged.append(path)
            continue
        (report.updated if path.exists() else report.new).append(path)
        write_text_atomic(path, text)


def _field(item: Any, name: str) -> Any:
    return item.get(name, "") if isinstance(item, dict) else ""


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"
