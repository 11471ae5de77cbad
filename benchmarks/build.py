"""Benchmark: ``healthdir build`` at scale, full and after one provider changes.

Why this exists: the directory is built by Pelican plus our own checks, plugin and NHS.UK
theme, and a directory team rebuilds it after every approval (issue 16). The targets, for
N providers (2N activities) on our 2-core machine: a full ``healthdir build`` no slower
than a plain Pelican build of the same activities written as Markdown articles with
Pelican's default theme (at N=1,000 and N=10,000), a rebuild after one provider file
changes within 5 seconds at N=10,000, and a peak memory under 1 GB.

For each N the script makes a throwaway site from this repository's settings, theme,
plugins, domains and pages plus N synthetic (but valid and realistic) provider files,
and the same activities as plain Pelican articles; it times the full build against plain
Pelican, then the rebuilds after one provider's file changes (each builds in the spare:
after the full build, the published site linked in the background; later, the site
published before), then writing the search index alone, and reports the peak memory of
every build (all its processes together). It always exits 0 once the builds succeed: it
is a benchmark, not a test.

Run it from the repository root with the project's virtualenv::

    .venv/bin/python benchmarks/build.py [--providers 1000,10000] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import runpy
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "entries" / "provider.schema.json"
SEED = 20261122
RATIO_TARGET = 1.0  # full build / plain Pelican
REBUILD_TARGET = 5.0  # seconds, after one provider file changes
REBUILD_TARGET_PROVIDERS = 10_000
MEMORY_TARGET_MB = 1000  # 1 GB: 10^9 bytes, the stricter reading
REBUILDS = 3  # one provider changed each time
# Writing the search index alone, in a process of its own (the build does it alongside).
INDEX_ONLY = """\
import sys, tempfile, time
from pathlib import Path
from entries import load_directory
from entries.site_settings import site_settings
from search import write_index
site = Path(sys.argv[1])
directory, _ = load_directory(site, site_settings(site))
with tempfile.TemporaryDirectory() as folder:
    start = time.perf_counter()
    write_index(directory, Path(folder))
    print(time.perf_counter() - start)
"""

# Word pools for the synthetic entries -------------------------------------------------

PLACES = [
    "Anytown",
    "Millbrook",
    "Riverside",
    "Market Square",
    "Eastfield",
    "Westgate",
    "Hillcrest",
    "Oakwood",
    "Meadowbank",
    "Castle Hill",
    "Northgate",
    "Southmoor",
    "Brookside",
    "Kingsway",
    "Elm Park",
    "Highfield",
    "Stonebridge",
    "Ashdown",
    "Fairview",
    "Old Town",
]
THEMES = [
    "Walking",
    "Gardening",
    "Wellbeing",
    "Friendship",
    "Carers",
    "Men's Shed",
    "Women's",
    "Memory",
    "Singing",
    "Knit and Natter",
    "Cookery",
    "Lunch",
    "Advice",
    "Repair",
    "Good Neighbours",
    "Older People's",
    "Youth",
    "Stroke",
    "Breathe Easy",
    "Art",
    "Allotment",
    "Tai Chi",
    "Chair Yoga",
    "Bowls",
    "Dementia",
    "Money",
    "Community",
    "Heart",
    "Parkinson's",
    "Sight Loss",
]
KINDS = [
    "Club",
    "Group",
    "Society",
    "Network",
    "Project",
    "Trust",
    "Association",
    "Circle",
    "Café",
    "Collective",
    "Hub",
    "Partnership",
]

ACTIVITY_NAMES = {
    "physical-activity": [
        "Health walk",
        "Chair-based exercise",
        "Gentle yoga",
        "Tai chi for beginners",
        "Walking football",
        "Community gardening",
        "Nordic walking",
        "Seated dance",
        "Swimming for confidence",
        "Strength and balance class",
    ],
    "healthy-eating": [
        "Lunch club",
        "Cooking on a budget",
        "Community pantry",
        "Breakfast club",
        "Cook and eat session",
        "Soup and a chat",
        "Family cookery",
        "Healthy eating workshop",
    ],
    "arts-for-health": [
        "Knit and natter",
        "Community choir",
        "Art class",
        "Singing for lung health",
        "Creative writing group",
        "Pottery for beginners",
        "Photography walk",
        "Music and memories",
    ],
    "befriending": [
        "Telephone befriending",
        "Coffee morning",
        "Memory café",
        "Home visits",
        "Peer support group",
        "Friendship circle",
        "Afternoon tea club",
        "Chat and games",
    ],
    "welfare-rights": [
        "Benefits advice drop-in",
        "Help with forms",
        "Debt advice",
        "Money check-up",
        "Energy bills advice",
        "Housing advice",
        "Pension credit help",
        "Advice surgery",
    ],
    "volunteering": [
        "Volunteer gardeners",
        "Repair café",
        "Dog walking volunteers",
        "Community hub helpers",
        "Befriending volunteers",
        "Litter pick",
        "Food bank volunteers",
        "Volunteer drivers",
    ],
}
GENERIC_ACTIVITY_NAMES = ["Drop-in session", "Weekly group", "Open morning", "Taster session"]

SUMMARIES = [
    "A friendly {what} for anyone who wants to {aim}, with tea and a chat afterwards.",
    "A relaxed {what} run by local volunteers. Come along to {aim} at your own pace.",
    "Our {what} is a welcoming way to {aim} and meet people who live nearby.",
    "A small, supportive {what}. No experience needed: just come and {aim}.",
]
AIMS = [
    "get a bit more active",
    "meet new people",
    "learn something new",
    "feel less alone",
    "sort out money worries",
    "eat well on a budget",
    "look after your mood",
    "give something back",
]
DETAIL_OPENERS = [
    "Sessions are led by trained volunteers who are used to welcoming beginners.",
    "Everyone is welcome, whatever your age or ability, and you can bring a friend.",
    "We keep groups small so there is time to talk and nobody feels rushed.",
    "You can come every week or just when it suits you; there is no need to book a place.",
]
DETAIL_POINTS = [
    "Wear comfortable clothes and shoes",
    "Tea, coffee and biscuits are provided",
    "There are chairs for anyone who needs a rest",
    "Large-print handouts are available",
    "Carers and family members are welcome too",
    "We can help with transport if you ask in advance",
    "All materials are provided",
    "Please tell us about any allergies",
]
DETAIL_CLOSERS = [
    "If you are not sure whether it is right for you, give us a ring and we'll talk it through.",
    "Your GP practice, link worker or social prescriber can tell you more about us.",
    "We also run a [newsletter](https://newsletter.example.org) with news of new sessions.",
    "Ask for *Sam* or *Priya* when you arrive and they will show you round.",
]
VENUES = [
    "Community Centre",
    "Church Hall",
    "Library",
    "Methodist Church",
    "Sports Centre",
    "Village Hall",
    "Health Centre meeting room",
    "Scout Hut",
    "Park Pavilion",
    "Baptist Church kitchen",
]
STREETS = [
    "High Street",
    "Church Lane",
    "Station Road",
    "Mill Road",
    "Park Avenue",
    "Queen Street",
    "Victoria Road",
    "Chapel Walk",
    "Bridge Street",
    "Orchard Close",
]
LANGUAGES = ["Bengali", "Polish", "Urdu", "Punjabi", "Somali", "Arabic", "Romanian", "Gujarati"]
CHECKERS = ["Anytown Community Health Partnership", "Directory team", "Anytown Voluntary Action"]
# Letters a UK postcode allows in each position (see entries.model._POSTCODE).
POSTCODE_AREAS = ["AB"]
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
DAY_WORDS = {
    "mon": "Mondays",
    "tue": "Tuesdays",
    "wed": "Wednesdays",
    "thu": "Thursdays",
    "fri": "Fridays",
    "sat": "Saturdays",
    "sun": "Sundays",
}
SESSION_TIMES = [
    ("09:30", "11:00"),
    ("10:00", "12:00"),
    ("10:30", "12:30"),
    ("11:00", "12:00"),
    ("13:30", "15:00"),
    ("14:00", "16:00"),
    ("18:00", "19:30"),
    ("19:00", "21:00"),
]


@dataclass
class Vocabulary:
    """What the generated entries may use: the site's domains and localities and the schema's enums."""

    domains: dict[str, str]  # id -> title
    localities: list[str]
    days: list[str]
    costs: list[str]
    joins: list[str]
    delivery: list[str]
    accessibility: list[str]
    suitable_for: list[str]


def load_vocabulary(site: Path) -> Vocabulary:
    """Read domain ids, locality ids and the schema's allowed values from the copied site."""
    domains = {}
    for path in sorted((site / "content" / "domains").glob("*.md")):
        title = path.stem
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.lower().startswith("title:"):
                title = line.split(":", 1)[1].strip()
                break
        domains[path.stem] = title
    settings = runpy.run_path(str(site / "pelicanconf.py"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    props = schema["$defs"]["activity"]["properties"]
    return Vocabulary(
        domains=domains,
        localities=list(settings["LOCALITIES"]),
        days=schema["$defs"]["day"]["enum"],
        costs=props["cost"]["enum"],
        joins=props["how_to_join"]["enum"],
        delivery=props["delivery"]["items"]["enum"],
        accessibility=props["accessibility"]["items"]["enum"],
        suitable_for=props["suitable_for"]["items"]["enum"],
    )


def slugify(text: str) -> str:
    """A lowercase, hyphenated ASCII slug (``"Men's Shed Club"`` → ``mens-shed-club``)."""
    out: list[str] = []
    for char in text.lower().replace("'", "").replace("é", "e"):
        out.append(char if char.isascii() and char.isalnum() else "-")
    return "-".join(part for part in "".join(out).split("-") if part)


def clock(hhmm: str) -> str:
    """``"14:30"`` → ``"2.30pm"``, ``"12:00"`` → ``"12 noon"``."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    if (hours, minutes) == (12, 0):
        return "12 noon"
    suffix = "am" if hours < 12 else "pm"
    hour12 = hours % 12 or 12
    return f"{hour12}{suffix}" if minutes == 0 else f"{hour12}.{minutes:02d}{suffix}"


def postcode(rng: random.Random) -> str:
    """A UK postcode such as ``AB12 3DE`` in a real district (AB10 to AB16, a city's
    worth of them), so that "near me" can place every venue and measure distances."""
    outward = f"{rng.choice(POSTCODE_AREAS)}{rng.randint(10, 16)}"
    unit = "".join(rng.choices(POSTCODE_UNIT_LETTERS, k=2))
    return f"{outward} {rng.randint(0, 9)}{unit}"


def phone(rng: random.Random) -> str:
    """A number in Ofcom's range reserved for drama (01632 960000–960999)."""
    return f"01632 960{rng.randint(0, 999):03d}"


def unique_provider_names(rng: random.Random, count: int) -> list[str]:
    """``count`` different provider names whose slugs are different too."""
    names: list[str] = []
    slugs: set[str] = set()
    while len(names) < count:
        name = f"{rng.choice(PLACES)} {rng.choice(THEMES)} {rng.choice(KINDS)}"
        number = 2
        base = name
        while slugify(name) in slugs:
            name = f"{base} {number}"
            number += 1
        slugs.add(slugify(name))
        names.append(name)
    return names


def make_activity(rng: random.Random, vocab: Vocabulary, domain: str, name: str) -> dict[str, Any]:
    """One schema-valid activity in ``domain``, with realistic-length fields."""
    others = [d for d in vocab.domains if d != domain]
    domains = [domain, *rng.sample(others, k=rng.choice([0, 0, 1, 1, 2]))]
    locality = "all" if rng.random() < 0.12 else rng.choice(vocab.localities)
    days = sorted(rng.sample(vocab.days, k=rng.choice([1, 1, 1, 2])), key=vocab.days.index)
    start, end = rng.choice(SESSION_TIMES)
    day_words = " and ".join(DAY_WORDS[d] for d in days)
    when = f"{day_words}, {clock(start)} to {clock(end)}"
    if rng.random() < 0.2:
        when += ", except bank holidays"
    cost = rng.choice(vocab.costs)
    summary = rng.choice(SUMMARIES).format(what=name.lower(), aim=rng.choice(AIMS))
    points = rng.sample(DETAIL_POINTS, k=rng.randint(2, 4))
    details = (
        " ".join(rng.sample(DETAIL_OPENERS, k=2))
        + "\n\n"
        + "".join(f"- {point}\n" for point in points)
        + f"\n{rng.choice(DETAIL_CLOSERS)}\n"
    )
    activity: dict[str, Any] = {
        "name": name,
        "summary": summary,
        "details": details,
        "domains": domains,
        "locality": locality,
        "when": when,
        "schedule": [{"days": days, "from": start, "to": end}],
        "cost": cost,
    }
    if cost == "paid":
        activity["price"] = f"£{rng.randint(2, 8)} a session, concessions £{rng.randint(1, 2)}"
    elif cost == "donation":
        activity["price"] = f"Donations welcome, about £{rng.randint(1, 3)}"
    activity["how_to_join"] = rng.choice(vocab.joins)
    if rng.random() < 0.9:
        place = rng.choice(PLACES)
        street = f"{rng.randint(1, 180)} {rng.choice(STREETS)}"
        activity["venue"] = {
            "name": f"{place} {rng.choice(VENUES)}",
            "address": ", ".join(dict.fromkeys([street, place, "Anytown"])),
            "postcode": postcode(rng),
        }
        delivery = ["in-person"]
        if rng.random() < 0.2:
            delivery.append(rng.choice([d for d in vocab.delivery if d != "in-person"]))
    else:
        delivery = rng.sample([d for d in vocab.delivery if d != "in-person"], k=rng.randint(1, 2))
    activity["delivery"] = delivery
    if rng.random() < 0.5:
        activity["who_for"] = "Adults living in Anytown, and the family members who support them."
        activity["age_min"] = 18
    languages = ["English"]
    if rng.random() < 0.25:
        languages += rng.sample(LANGUAGES, k=rng.randint(1, 2))
    activity["languages"] = languages
    activity["accessibility"] = rng.sample(vocab.accessibility, k=rng.randint(1, 6))
    if rng.random() < 0.4:
        activity["suitable_for"] = rng.sample(vocab.suitable_for, k=rng.randint(1, 3))
    if rng.random() < 0.3:
        activity["phone"] = phone(rng)
    return activity


def make_provider(
    rng: random.Random, vocab: Vocabulary, name: str, slug: str, index: int, today: date
) -> dict[str, Any]:
    """One schema-valid provider entry with exactly two activities."""
    domain_ids = list(vocab.domains)
    first = domain_ids[index % len(domain_ids)]
    second = rng.choice(domain_ids)
    names: list[str] = []
    for domain in (first, second):
        pool = ACTIVITY_NAMES.get(domain, []) + GENERIC_ACTIVITY_NAMES
        taken = {slugify(n) for n in names}
        names.append(rng.choice([n for n in pool if slugify(n) not in taken]))
    confirmed = today - timedelta(days=rng.randint(3, 150))
    checked_on = min(today, confirmed + timedelta(days=rng.randint(0, 3)))
    entry: dict[str, Any] = {
        "name": name,
        "about": (
            f"{name} is a volunteer-led group in Anytown. We have been meeting for "
            f"{rng.randint(2, 30)} years and welcome new faces, whatever your age or ability."
        ),
        "website": f"https://{slug}.example.org",
        "email": f"hello@{slug}.example.org",
        "phone": phone(rng),
    }
    if rng.random() < 0.5:
        entry["charity_number"] = str(rng.randint(1_000_000, 1_199_999))
    entry["last_confirmed"] = confirmed
    entry["checked"] = {"by": rng.choice(CHECKERS), "on": checked_on}
    entry["activities"] = [
        make_activity(rng, vocab, domain, activity_name)
        for domain, activity_name in zip((first, second), names, strict=True)
    ]
    return entry


class _EntryDumper(yaml.SafeDumper):
    """Writes multi-line text as ``|`` blocks and short lists inline, as volunteers do."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _represent_list(dumper: yaml.SafeDumper, items: list[Any]) -> yaml.Node:
    flow = all(isinstance(item, str) for item in items)  # domains: [a, b], as in real files
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flow)


_EntryDumper.add_representer(str, _represent_str)
_EntryDumper.add_representer(list, _represent_list)


def write_site(site: Path, providers: int, today: date) -> list[tuple[str, dict[str, Any]]]:
    """Copy the real site's parts into ``site`` and add ``providers`` synthetic entries."""
    shutil.copy2(ROOT / "pelicanconf.py", site / "pelicanconf.py")
    with (site / "pelicanconf.py").open("a", encoding="utf-8") as settings:
        # One language, like the plain Pelican site it is measured against: each more
        # language is one more copy of every page (the sample has five).
        settings.write('\nLANGUAGES = ["en-GB"]\n')
    for folder in ("theme", "plugins", "content/domains", "content/pages"):
        shutil.copytree(
            ROOT / folder, site / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    vocab = load_vocabulary(site)
    rng = random.Random(SEED)
    folder = site / "content" / "providers"
    folder.mkdir(parents=True)
    entries: list[tuple[str, dict[str, Any]]] = []
    for index, name in enumerate(unique_provider_names(rng, providers)):
        slug = slugify(name)
        entry = make_provider(rng, vocab, name, slug, index, today)
        text = yaml.dump(entry, Dumper=_EntryDumper, sort_keys=False, allow_unicode=True, width=500)
        (folder / f"{slug}.yaml").write_text(text, encoding="utf-8")
        entries.append((slug, entry))
    return entries


PLAIN_SETTINGS = """\
# A plain Pelican site: default theme, no plugins, Pelican's defaults for the rest.
SITENAME = "Plain Pelican benchmark"
PATH = {path!r}
TIMEZONE = "Europe/London"
DEFAULT_LANG = "en"
"""


def write_plain_site(
    plain: Path, entries: list[tuple[str, dict[str, Any]]], domains: dict[str, str]
) -> Path:
    """Write every activity as a Markdown article and a minimal settings file; return it."""
    content = plain / "content"
    content.mkdir(parents=True)
    for slug, entry in entries:
        for activity in entry["activities"]:
            # Provider slugs never hold "--", so this is unique, like healthdir's URLs.
            article_slug = f"{slug}--{slugify(activity['name'])}"
            venue = activity.get("venue")
            where = (
                f"{venue['name']}, {venue['address']}, {venue['postcode']}"
                if venue
                else ", ".join(activity["delivery"])
            )
            cost = activity.get("price") or activity["cost"].capitalize()
            text = (
                f"Title: {activity['name']} ({entry['name']})\n"
                f"Date: {entry['last_confirmed'].isoformat()}\n"
                f"Category: {domains[activity['domains'][0]]}\n"
                f"Tags: {', '.join(domains[d] for d in activity['domains'])}\n"
                f"Slug: {article_slug}\n"
                f"Summary: {activity['summary']}\n\n"
                f"{activity['summary']}\n\n"
                f"{activity['details']}\n"
                f"- **When:** {activity['when']}\n"
                f"- **Where:** {where}\n"
                f"- **Cost:** {cost}\n"
            )
            (content / f"{article_slug}.md").write_text(text, encoding="utf-8")
    settings = plain / "pelicanconf.py"
    settings.write_text(PLAIN_SETTINGS.format(path=str(content)), encoding="utf-8")
    return settings


def executable(name: str) -> str:
    """The virtualenv's ``name`` script, beside the Python running this benchmark."""
    candidate = Path(sys.executable).parent / name
    if candidate.is_file():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"Cannot find the {name} command. Run this with the project's .venv.")
    return found


@dataclass
class Run:
    seconds: float
    peak_mb: float  # the most memory its processes held at once, together (PSS), in 10^6 bytes
    stdout: str


def timed_run(label: str, command: list[str], cwd: Path) -> Run:
    """Run ``command``; its wall-clock seconds and peak memory (sampled as it runs).

    What earlier steps wrote is first flushed to disk (``os.sync``, not timed): otherwise
    the kernel writes it back while this command runs, and a run is timed partly on the
    work of the one before."""
    os.sync()
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak = [0]
    sampler = threading.Thread(target=_sample_memory, args=(process, peak), daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - start
    sampler.join()
    if process.returncode != 0:
        print(f"{label} failed (exit code {process.returncode}): {' '.join(command)}")
        print(stdout, end="")
        print(stderr, end="", file=sys.stderr)
        raise SystemExit(1)
    return Run(seconds, peak[0] * 1024 / 10**6, stdout)


def removed_behind(site: Path) -> None:
    """Wait until what a build left to do in the background is done: removing the site and
    index it replaced (``.output.old-…``), and after a full build linking the new site
    into the spare (``.output.linking-…``). The user does not wait for it, but the next
    timed command would run beside it (plain Pelican, slowed by work not its own)."""
    deadline = time.monotonic() + 300
    while any(site.glob(".*.old-*")) or any(site.glob(".*.linking-*")):
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)


def _sample_memory(process: subprocess.Popen[str], peak: list[int]) -> None:
    """Keep in ``peak[0]`` the largest memory (kB) ``process`` and its descendants held
    together (Linux's /proc; elsewhere nothing is measured). Each process counts its
    share of the pages it shares (PSS): a forked worker shares most of the build's.

    Reading a process's PSS makes the kernel walk all its memory (30 ms for 1 GB), so
    the sampler waits ten times as long as a sample took: sampling every 50 ms took a
    whole core of the two from the builds it measured."""
    while process.poll() is None:
        start = time.perf_counter()
        peak[0] = max(peak[0], sum(_pss_kb(pid) for pid in _tree(process.pid)))
        time.sleep(max(0.05, 10 * (time.perf_counter() - start)))


def _tree(pid: int) -> list[int]:
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        stack.extend(int(child) for child in children)
    return found


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def change_one_provider(site: Path, round_: int) -> None:
    """Edit one provider's first activity's summary, as an approved update does."""
    path = sorted((site / "content" / "providers").glob("*.yaml"))[round_ * 7]
    entry = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry["activities"][0]["summary"] = f"Updated ({round_}): {entry['activities'][0]['summary']}"
    text = yaml.dump(entry, Dumper=_EntryDumper, sort_keys=False, allow_unicode=True, width=500)
    path.write_text(text, encoding="utf-8")


def measure(providers: int, repeat: int, tmp: Path) -> dict[str, Any]:
    """Every figure for a site of ``providers`` providers."""
    healthdir, pelican = executable("healthdir"), executable("pelican")
    site, plain = tmp / f"site-{providers}", tmp / f"plain-{providers}"
    site.mkdir()
    plain.mkdir()
    entries = write_site(site, providers, date.fromisoformat(os.environ["HEALTHDIR_TODAY"]))
    settings = write_plain_site(plain, entries, load_vocabulary(site).domains)
    activities = sum(len(entry["activities"]) for _, entry in entries)
    print(f"\n{providers} providers, {activities} activities")

    full = [healthdir, "build", "--full"]
    pelican_cmd = [pelican, str(plain / "content"), "-s", str(settings), "-o", "out", "-q"]
    fulls: list[Run] = []
    plains: list[Run] = []
    for run in range(repeat):
        removed_behind(site)
        fulls.append(timed_run("healthdir build --full", full, site))
        shutil.rmtree(plain / "out", ignore_errors=True)
        removed_behind(site)
        plains.append(timed_run("plain pelican", pelican_cmd, plain))
        print(
            f"  run {run + 1}: healthdir build --full {fulls[-1].seconds:.2f} s "
            f"({fulls[-1].peak_mb:.0f} MB), plain Pelican {plains[-1].seconds:.2f} s"
        )
    rebuilds = []
    for round_ in range(1, REBUILDS + 1):
        change_one_provider(site, round_)
        removed_behind(site)
        rebuilds.append(timed_run("healthdir build", [healthdir, "build"], site))
        print(f"  rebuild {round_} after one provider changed: {rebuilds[-1].seconds:.2f} s")
    index = timed_run("index", [sys.executable, "-c", INDEX_ONLY, str(site)], ROOT)
    print(f"  search index alone: {float(index.stdout):.2f} s")
    return {
        "providers": providers,
        "full": min(r.seconds for r in fulls),
        "plain": min(r.seconds for r in plains),
        "rebuild_first": rebuilds[0].seconds,
        "rebuild": min(r.seconds for r in rebuilds[1:]),
        "rebuild_worst": max(r.seconds for r in rebuilds),
        "index": float(index.stdout),
        "peak_mb": max(r.peak_mb for r in fulls + rebuilds),
    }


def main(argv: list[str] | None = None) -> int:
    """Generate the sites, time every build and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--providers", default="1000,10000", help="comma-separated sizes (default 1000,10000)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="timed full builds (default 1)")
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.providers.split(",")]
    if min(sizes) < REBUILDS * 7 + 1 or args.repeat < 1:
        parser.error(f"--providers must be at least {REBUILDS * 7 + 1}, --repeat at least 1")
    # The same day for every build, and a public address as a published build needs.
    os.environ.setdefault("HEALTHDIR_TODAY", date.today().isoformat())
    os.environ.setdefault("HEALTHDIR_PUBLIC_URL", "https://directory.example.org")
    with tempfile.TemporaryDirectory(prefix="healthdir-bench-") as tmp_name:
        figures = [measure(n, args.repeat, Path(tmp_name)) for n in sizes]

    print(
        f"\n{'providers':>9}  {'full':>8}  {'Pelican':>8}  {'ratio':>5}  {'rebuild':>15}"
        f"  {'index':>7}  {'peak':>7}"
    )
    for f in figures:
        ratio = f["full"] / f["plain"]
        rebuild = f"{f['rebuild_first']:.1f}/{f['rebuild']:.1f} s"
        print(
            f"{f['providers']:>9}  {f['full']:>6.1f} s  {f['plain']:>6.1f} s  {ratio:>5.2f}"
            f"  {rebuild:>15}  {f['index']:>5.1f} s  {f['peak_mb']:>4.0f} MB"
        )
    print("(rebuild: the first after the full build / the best of the later ones)")
    for f in figures:
        ratio_met = f["full"] / f["plain"] <= RATIO_TARGET
        memory_met = f["peak_mb"] < MEMORY_TARGET_MB
        line = f"{f['providers']}: full <= {RATIO_TARGET}x Pelican {_met(ratio_met)}"
        line += f"; peak < {MEMORY_TARGET_MB} MB {_met(memory_met)}"
        if f["providers"] == REBUILD_TARGET_PROVIDERS:
            met = f["rebuild_worst"] <= REBUILD_TARGET  # every rebuild, the first too
            line += f"; every rebuild <= {REBUILD_TARGET:.0f} s {_met(met)}"
        print(line)
    return 0


def _met(met: bool) -> str:
    return "met" if met else "NOT met"


if __name__ == "__main__":
    sys.exit(main())
