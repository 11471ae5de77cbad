"""Load a whole directory (site settings, domains, providers) and every problem in it."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import markdown

from entries import clock
from entries.checks import check_entry
from entries.model import (
    ALL_LOCALITIES,
    OVERDUE,
    SLUG,
    Activity,
    Domain,
    DomainText,
    Provider,
    Site,
    build_provider,
)
from entries.places import check_locality_postcodes
from entries.problems import Problem, display_path, field_path
from entries.safe_markdown import sanitise_html
from entries.schema import schema_errors
from entries.yaml_source import read_yaml

SETTINGS_FILE = "pelicanconf.py"


@dataclass
class Directory:
    """Everything the site is built from: what the templates, search and exports read."""

    site: Site
    domains: dict[str, Domain]
    providers: list[Provider]  # published: fresh or due for review
    hidden: list[Provider] = field(default_factory=list)  # overdue: kept, not published
    today: date = field(default_factory=clock.today)  # the build date freshness is from
    # listed_activities(), worked out once for these providers: every list page asks.
    _listed: tuple[tuple[int, ...], list[Activity]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def all_providers(self) -> list[Provider]:
        """Every valid provider file, published or hidden, A to Z."""
        return sorted(self.providers + self.hidden, key=lambda p: p.name.casefold())

    def listed_activities(self) -> list[Activity]:
        """Every activity that is not closed, A to Z by name."""
        key = tuple(map(id, self.providers))
        if self._listed is None or self._listed[0] != key:
            found = [a for p in self.providers for a in p.listed_activities]
            found.sort(key=lambda a: (a.name.casefold(), a.provider.name.casefold()))
            self._listed = (key, found)
        return list(self._listed[1])

    def by_domain(self) -> dict[str, dict[str, list[Activity]]]:
        """Each domain's activities grouped by locality (area-wide ones last), in site
        order: one pass over the activities for all the domains."""
        places = [*self.site.localities, ALL_LOCALITIES]
        groups = {domain: {place: [] for place in places} for domain in self.domains}
        for activity in self.listed_activities():
            for domain in activity.domains:
                groups[domain][activity.locality].append(activity)
        return {domain: _filled(by_place) for domain, by_place in groups.items()}

    def by_locality(self) -> dict[str, dict[str, list[Activity]]]:
        """Each locality's activities, and the area-wide ones, grouped by domain in domain
        order: one pass over the activities for all the localities."""
        groups = {place: {domain: [] for domain in self.domains} for place in self.site.localities}
        for activity in self.listed_activities():
            area_wide = activity.locality == ALL_LOCALITIES
            for place in groups if area_wide else [activity.locality]:
                for domain in activity.domains:
                    groups[place][domain].append(activity)
        return {place: _filled(by_domain) for place, by_domain in groups.items()}

    def providers_a_to_z(self) -> dict[str, list[Provider]]:
        """Providers with something listed, grouped by first letter (digits under "0–9")."""
        groups: dict[str, list[Provider]] = defaultdict(list)
        for provider in self.providers:
            if provider.listed_activities:
                first = provider.name[:1].upper()
                groups[first if first.isalpha() else "0–9"].append(provider)
        return dict(sorted(groups.items()))

    def recently_confirmed(self, limit: int = 30) -> list[Provider]:
        listed = [p for p in self.providers if p.listed_activities]
        return sorted(listed, key=lambda p: (-p.last_confirmed.toordinal(), p.name))[:limit]


def load_directory(
    root: Path,
    settings: Mapping[str, Any],
    *,
    paths: Iterable[Path] | None = None,
    today: date | None = None,
    known: Mapping[Path, Mapping[str, Any]] | None = None,
) -> tuple[Directory, list[Problem]]:
    """Load the site in ``root``; return the directory and every problem found.

    ``paths`` limits which provider files are loaded and reported on (files or folders);
    names and slugs are still compared with every file in ``content/providers``.
    ``known`` gives the data of files unchanged since they passed every check (with the
    same settings and domains, on this day or before), which are not read or checked
    again: reading and checking is most of the time a load takes.
    """
    today = today or clock.today()
    content = root / settings.get("PATH", "content")
    problems: list[Problem] = []
    site = Site.from_settings(settings)
    problems += _check_site(site, root / SETTINGS_FILE)
    domains, domain_problems = load_domains(content / "domains")
    problems += domain_problems

    providers_dir = content / "providers"
    files = _provider_files([providers_dir] if paths is None else list(paths), problems)
    providers: list[Provider] = []
    names: dict[str, str] = {}
    slugs: dict[str, str] = {}
    chosen = {f.resolve() for f in files} if paths is not None else set()
    for other in _provider_files([providers_dir], []) if paths is not None else []:
        if other.resolve() not in chosen:
            if name := _quick_name(other):
                names.setdefault(_name_key(name), display_path(other))
            slugs.setdefault(other.stem, display_path(other))
    known = known or {}
    for path in files:
        shown = display_path(path)
        if path in known:
            provider, found = build_provider(path.stem, shown, known[path]), []
        else:
            provider, found = load_provider(path, list(domains), list(site.localities), today)
        problems += found
        if path.stem in slugs:
            problems.append(
                Problem(
                    shown, 1, "file name", f'"{path.stem}" is already used by {slugs[path.stem]}.'
                )
            )
        slugs.setdefault(path.stem, shown)
        if provider:
            key = _name_key(provider.name)
            if key in names:
                problems.append(
                    Problem(
                        shown,
                        1,
                        "name",
                        f'"{provider.name}" is already listed in {names[key]}. '
                        "Update that file instead, or give this group a different name.",
                    )
                )
            else:
                names[key] = shown
                providers.append(provider)
    providers.sort(key=lambda p: p.name.casefold())
    for provider in providers:
        provider.freshness = site.freshness(provider.last_confirmed, today)
    shown = [p for p in providers if p.freshness != OVERDUE]
    hidden = [p for p in providers if p.freshness == OVERDUE]
    directory = Directory(site=site, domains=domains, providers=shown, hidden=hidden, today=today)
    return directory, sorted(problems)


def load_provider(
    path: Path, domain_ids: list[str], locality_ids: list[str], today: date
) -> tuple[Provider | None, list[Problem]]:
    """Load and check one provider file. The provider is ``None`` if it has any problem."""
    shown = display_path(path)
    problems: list[Problem] = []
    if not SLUG.fullmatch(path.stem):
        suggestion = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "my-group"
        problems.append(
            Problem(
                shown,
                1,
                "file name",
                f'"{path.name}" must use only lowercase letters, numbers and hyphens, '
                f"such as {suggestion}.yaml",
            )
        )
    doc = read_yaml(path)
    problems += [Problem(shown, line, field, msg) for line, field, msg in doc.errors]
    if doc.errors:
        return None, problems
    if not isinstance(doc.data, dict):
        problems.append(
            Problem(
                shown, 1, "", "should be a set of fields (name:, last_confirmed:, activities:…)."
            )
        )
        return None, problems
    found = validate_entry(doc.data, domain_ids, locality_ids, today)
    problems += [Problem(shown, doc.line_of(p), field_path(p), msg) for p, msg in found]
    if problems:
        return None, problems
    return build_provider(path.stem, shown, doc.data), []


def validate_entry(
    data: dict[str, Any], domain_ids: list[str], locality_ids: list[str], today: date
) -> list[tuple[tuple[str | int, ...], str]]:
    """Every problem with one entry's data, as ``(field path, message)``: the schema's,
    then the semantic checks' (one message per field). Used for files and for forms."""
    found = list(schema_errors(data))
    reported = {path for path, _ in found}
    found += [
        (path, message)
        for path, message in check_entry(data, domain_ids, locality_ids, today)
        if path not in reported
    ]
    return found


def load_domains(folder: Path) -> tuple[dict[str, Domain], list[Problem]]:
    """The domains defined by ``<folder>/<id>.md``, in their ``Order``, with their
    translations in ``<folder>/<language>/<id>.md``."""
    domains: list[Domain] = []
    problems: list[Problem] = []
    reader = markdown.Markdown(extensions=["meta"])
    translated = (
        {
            language.name: {path.stem: path for path in sorted(language.glob("*.md"))}
            for language in sorted(folder.iterdir())
            if language.is_dir()
        }
        if folder.is_dir()
        else {}
    )
    for path in sorted(folder.glob("*.md")):
        if not SLUG.fullmatch(path.stem):
            problems.append(
                Problem(
                    display_path(path),
                    1,
                    "file name",
                    "must be a domain id such as physical-activity.md",
                )
            )
        written, meta = _domain_text(path, reader, problems)
        if written is None:
            continue
        translations = {}
        for language, files in translated.items():
            if path.stem in files:
                text, _ = _domain_text(files.pop(path.stem), reader, problems)
                if text is not None:
                    translations[language] = text
        domains.append(
            Domain(
                id=path.stem,
                order=int(meta["order"]) if meta.get("order", "").isdigit() else 999,
                written=written,
                translations=translations,
            )
        )
    for files in translated.values():
        for stray in files.values():
            problems.append(
                Problem(
                    display_path(stray),
                    1,
                    "file name",
                    "translates no domain: use the id of a domain file.",
                )
            )
    if not domains and not problems:
        problems.append(Problem(display_path(folder), 0, "", "has no domain files (<id>.md)."))
    domains.sort(key=lambda d: (d.order, d.written.title))
    return {d.id: d for d in domains}, problems


def _domain_text(
    path: Path, reader: markdown.Markdown, problems: list[Problem]
) -> tuple[DomainText | None, dict[str, str]]:
    html = reader.reset().convert(path.read_text(encoding="utf-8"))
    meta = {key: " ".join(value).strip() for key, value in reader.Meta.items()}  # type: ignore[attr-defined]
    if not meta.get("title"):
        problems.append(
            Problem(display_path(path), 1, "Title", "is missing. Start the file with Title: …")
        )
        return None, meta
    text = DomainText(
        title=meta["title"],
        summary=meta.get("summary", ""),
        examples=tuple(e.strip() for e in meta.get("examples", "").split(",") if e.strip()),
        body_html=sanitise_html(html),
    )
    return text, meta


def _check_site(site: Site, settings_path: Path) -> list[Problem]:
    shown = display_path(settings_path)
    problems = []
    if not site.area_name.strip():
        problems.append(Problem(shown, 0, "AREA_NAME", "is missing: set the name of the area."))
    if not 1 <= len(site.localities) <= 4:
        problems.append(
            Problem(shown, 0, "LOCALITIES", "should list 2 to 4 localities (id: name).")
        )
    for locality in site.localities:
        if not SLUG.fullmatch(locality) or locality == ALL_LOCALITIES:
            problems.append(
                Problem(shown, 0, "LOCALITIES", f'"{locality}" is not a usable locality id.')
            )
    problems += [
        Problem(shown, 0, "LOCALITY_POSTCODES", message)
        for message in check_locality_postcodes(site.locality_postcodes, site.localities)
    ]
    return problems


def _provider_files(paths: list[Path], problems: list[Problem]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted((p for p in path.glob("*.yaml") if p.is_file()), key=str)
            problems += [
                Problem(display_path(p), 0, "file name", f"rename it to {p.stem}.yaml")
                for p in sorted(path.glob("*.yml"))
            ]
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(display_path(path), 0, "", "does not exist."))
    return files


def _quick_name(path: Path) -> str:
    """The name in another provider file, to compare with; empty if it has none."""
    doc = read_yaml(path)
    name = doc.data.get("name") if isinstance(doc.data, dict) else None
    return name if isinstance(name, str) else ""


def _name_key(name: str) -> str:
    """Names that differ only in case or spacing are the same name."""
    return " ".join(name.casefold().split())


def _filled(groups: dict[str, list[Activity]]) -> dict[str, list[Activity]]:
    """The groups that have anything in them, in their order."""
    return {key: items for key, items in groups.items() if items}
