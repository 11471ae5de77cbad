"""Incremental builds (issue 16): after each kind of change, the site an incremental build
publishes is byte for byte the one a full build makes of the same files; only what the
change reaches is made again (the rest is the published file, linked); anything but a
provider file changing means a full build; and a build killed part-way leaves the
published site and index as they were."""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import shutil
import signal
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import GOOD_PROVIDER, HEALTHDIR, TODAY, alive, write_provider
from test_hardening import children

from entries.text_safety import SafeCsvWriter
from healthdir.build_state import STATE_FILE
from healthdir.publish import build, wait_for_spare
from open_data.tables import ACTIVITY_COLUMNS, csv_rows, row_key
from open_data.writer import records_in
from search import SearchIndex

SHELTER = "activities/anytown-cat-and-dog-shelter/dog-walking-volunteers/index.html"
WALK = "activities/millbrook-walkers/health-walk/index.html"
CHOIR = "activities/riverside-choir/community-choir/index.html"


def group(
    name: str, activity: str, domain: str, locality: str, confirmed: str, postcode: str = "AB1 2CD"
) -> str:
    """Another valid provider file, made from the shelter's."""
    return (
        GOOD_PROVIDER.replace("AB1 2CD", postcode)
        .replace("Anytown Cat and Dog Shelter", name)
        .replace("Dog walking volunteers", activity)
        .replace("[physical-activity, volunteering]", f"[{domain}]")
        .replace("locality: north", f"locality: {locality}")
        .replace("2026-10-14", confirmed)
    )


WALKERS = group(
    "Millbrook Walkers", "Health walk", "physical-activity", "south", "2026-11-20", "AB2 8XB"
)
CHOIR_FILE = group("Riverside Choir", "Community choir", "arts-for-health", "all", "2026-09-01")


@pytest.fixture
def built(site: Path) -> Path:
    """A site of three providers, built (in full: there was nothing before)."""
    write_provider(site, "anytown-cat-and-dog-shelter", GOOD_PROVIDER)
    write_provider(site, "millbrook-walkers", WALKERS)
    write_provider(site, "riverside-choir", CHOIR_FILE)
    build(site, site / "output", today=TODAY)
    return site


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def inode(site: Path, page: str) -> int:
    return (site / "output" / page).stat().st_ino


def documents(index: Path) -> list[tuple[str, str, str]]:
    """Every document in a search index, as a search for nothing lists them."""
    results = SearchIndex(index).search("", limit=1000).results
    return sorted((r.provider, r.activity, r.item.json) for r in results)


def assert_same_as_full_build(site: Path, today: date = TODAY) -> None:
    """The published site is, byte for byte, what a full build makes of the same files,
    and the search index holds the same documents and finds the same for a word."""
    full = site.parent / "full"
    build(site, full / "output", today=today, index=full / "index", full=True)
    assert files(site / "output") == files(full / "output")
    assert documents(site / "search-index") == documents(full / "index")
    for word in ("walk", "choir", "dogs"):
        found = {r.activity for r in SearchIndex(site / "search-index").search(word).results}
        assert found == {r.activity for r in SearchIndex(full / "index").search(word).results}
    near = [
        {(r.activity, r.distance_text) for r in SearchIndex(i).search("", near="AB1 2CD").results}
        for i in (site / "search-index", full / "index")
    ]
    assert near[0] == near[1]  # distances from the right venues


def test_editing_a_provider_makes_again_only_what_it_reaches(built: Path) -> None:
    pages = (SHELTER, WALK, CHOIR, "index.html", "about/index.html")
    before = {page: inode(built, page) for page in pages}
    write_provider(built, "millbrook-walkers", WALKERS.replace("Mill Park", "Millbrook Park"))
    build(built, built / "output", today=TODAY)

    assert "Millbrook Park" in (built / "output" / WALK).read_text()
    assert inode(built, WALK) != before[WALK]
    # Not on a list with the walkers, so linked from the published site, not made again.
    assert inode(built, CHOIR) == before[CHOIR]
    assert inode(built, SHELTER) == before[SHELTER]
    assert inode(built, "index.html") == before["index.html"]  # made from no provider
    assert inode(built, "about/index.html") == before["about/index.html"]  # nor the site's own
    assert_same_as_full_build(built)


def test_adding_a_provider(built: Path) -> None:
    write_provider(
        built, "eastfield-lunch-club", group("Eastfield Lunch Club", "Lunch club", "healthy-eating", "central", "2026-11-01")
    )  # fmt: skip
    build(built, built / "output", today=TODAY)
    assert (built / "output/activities/eastfield-lunch-club/lunch-club/index.html").is_file()
    assert_same_as_full_build(built)


def test_removing_a_provider(built: Path) -> None:
    choir = inode(built, CHOIR)
    (built / "content/providers/millbrook-walkers.yaml").unlink()
    build(built, built / "output", today=TODAY)
    assert not (built / "output/providers/millbrook-walkers").exists()
    assert inode(built, CHOIR) == choir
    assert_same_as_full_build(built)


def test_renaming_a_provider_file(built: Path) -> None:
    providers = built / "content/providers"
    (providers / "millbrook-walkers.yaml").rename(providers / "millbrook-health-walks.yaml")
    build(built, built / "output", today=TODAY)
    assert not (built / "output/providers/millbrook-walkers").exists()
    assert (built / "output/activities/millbrook-health-walks/health-walk/index.html").is_file()
    assert_same_as_full_build(built)


def test_a_run_of_incremental_builds_builds_in_the_spare(built: Path) -> None:
    """From the third build on, a build starts from the site published before the live
    one (the spare) and brings it up to date; each time, the site is a full build's."""
    choir = inode(built, CHOIR)
    providers = built / "content/providers"
    changes = [
        lambda: write_provider(built, "millbrook-walkers", WALKERS.replace("Mill Park", "the river")),
        lambda: write_provider(built, "eastfield-lunch-club", group("Eastfield Lunch Club", "Lunch club", "arts-for-health", "central", "2026-11-01")),
        lambda: (providers / "millbrook-walkers.yaml").unlink(),
        lambda: (providers / "eastfield-lunch-club.yaml").rename(providers / "eastfield-lunches.yaml"),
        lambda: write_provider(built, "millbrook-walkers", WALKERS),
    ]  # fmt: skip
    for change in changes:
        change()
        build(built, built / "output", today=TODAY)
        assert (built / ".output.spare").is_dir()
        assert inode(built, CHOIR) == choir  # never made again: the choir never changed
        assert_same_as_full_build(built)


@pytest.mark.parametrize(
    "change",
    [
        "content/domains/befriending.md",  # a domain
        "theme/templates/provider.html",  # a template
        "pelicanconf.py",  # the settings
    ],
)
def test_a_change_to_anything_but_providers_means_a_full_build(built: Path, change: str) -> None:
    before = inode(built, CHOIR)
    path = built / change
    text = path.read_text()
    path.write_text(
        text + "\nREVIEW_AFTER = 5\n"
        if path.suffix == ".py"
        else text.replace("A friendly face", "A kind face") + "\n"
    )
    build(built, built / "output", today=TODAY)
    assert inode(built, CHOIR) != before  # made again, not linked
    assert_same_as_full_build(built)


def test_full_forces_a_full_build(built: Path) -> None:
    before = inode(built, CHOIR)
    result = subprocess.run([HEALTHDIR, "build", "--full"], cwd=built, capture_output=True)
    assert result.returncode == 0, result.stderr
    assert inode(built, CHOIR) != before


@pytest.mark.parametrize(
    "day",
    [
        "2026-11-23",  # the next day: only what shows the date changes
        "2027-04-20",  # the shelter (confirmed 2026-10-14) is due for review
        "2027-10-20",  # the shelter and the choir are hidden; the walkers due
    ],
)
def test_entries_going_stale_by_date(built: Path, day: str) -> None:
    result = subprocess.run(
        [HEALTHDIR, "build", "--date", day], cwd=built, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert_same_as_full_build(built, date.fromisoformat(day))


def test_an_earlier_date_means_a_full_build(built: Path) -> None:
    before = inode(built, CHOIR)
    build(built, built / "output", today=date(2026, 11, 21))
    assert inode(built, CHOIR) != before
    assert_same_as_full_build(built, date(2026, 11, 21))


def test_a_replaced_output_folder_means_a_full_build(built: Path) -> None:
    (built / "output").rename(built / "elsewhere")
    (built / "elsewhere").rename(built / "output")  # the same folder: still incremental
    before = inode(built, CHOIR)
    build(built, built / "output", today=TODAY)
    assert inode(built, CHOIR) == before
    (built / "output" / CHOIR).unlink()
    (built / "output" / "stray.html").write_text("not ours")  # changes the folder
    build(built, built / "output", today=TODAY)
    assert (built / "output" / CHOIR).is_file()
    assert_same_as_full_build(built)


def test_a_killed_incremental_build_leaves_the_published_site_and_index(built: Path) -> None:
    for number in range(60):  # enough work that the build can be caught half-way
        write_provider(built, f"group-{number}", group(f"Group {number}", "Health walk", "physical-activity", "north", "2026-11-01"))  # fmt: skip
    build(built, built / "output", today=TODAY)
    published = files(built / "output")
    index = {p.name: p.read_bytes() for p in (built / "search-index").iterdir()}
    write_provider(built, "group-7", group("Group Seven", "Walk", "befriending", "south", "2026-11-02"))  # fmt: skip

    process = subprocess.Popen([HEALTHDIR, "build"], cwd=built)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not children(process.pid):
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    assert files(built / "output") == published
    assert {p.name: p.read_bytes() for p in (built / "search-index").iterdir()} == index
    build(built, built / "output", today=TODAY)
    assert "Group Seven" in (built / "output/providers/group-7/index.html").read_text()
    assert_same_as_full_build(built)


def test_a_full_build_links_the_published_site_into_the_spare(built: Path) -> None:
    """So that the first rebuild after it builds in the spare too, like every later one."""
    wait_for_spare(built / "output")
    spare = built / ".output.spare"
    assert files(spare) == files(built / "output")
    assert (spare / CHOIR).stat().st_ino == inode(built, CHOIR)  # linked, not copied
    assert not list(built.glob(".output.linking-*"))
    folder = spare.stat().st_ino
    write_provider(built, "millbrook-walkers", WALKERS.replace("Mill Park", "the river"))
    build(built, built / "output", today=TODAY)
    assert (built / "output").stat().st_ino == folder  # built in the spare
    assert "the river" in (built / "output" / WALK).read_text()
    assert_same_as_full_build(built)


def test_a_build_waits_for_the_spare_still_being_linked(built: Path) -> None:
    wait_for_spare(built / "output")
    linking = built / ".output.linking-test"
    (built / ".output.spare").rename(linking)  # as if its linking were not done yet
    folder = linking.stat().st_ino
    lock = os.open(linking, os.O_RDONLY)
    fcntl.flock(lock, fcntl.LOCK_EX)
    write_provider(built, "millbrook-walkers", WALKERS.replace("Mill Park", "the river"))
    process = subprocess.Popen([HEALTHDIR, "build"], cwd=built)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not waiting_on(process.pid, linking):
            time.sleep(0.01)
        assert process.poll() is None, "the build did not wait for the spare"
        linking.rename(built / ".output.spare")  # done, as the linking process does
    finally:
        os.close(lock)
    assert process.wait(timeout=60) == 0
    assert (built / "output").stat().st_ino == folder  # it waited, and built in the spare
    assert_same_as_full_build(built)


def waiting_on(pid: int, folder: Path) -> bool:
    """Whether process ``pid`` has ``folder`` open (a build waiting for its lock)."""
    with contextlib.suppress(OSError):
        return any(os.readlink(fd) == str(folder) for fd in Path(f"/proc/{pid}/fd").iterdir())
    return False


def test_a_spare_whose_linking_was_cut_short_is_removed(built: Path) -> None:
    wait_for_spare(built / "output")
    shutil.rmtree(built / ".output.spare")
    cut_short = built / ".output.linking-test"
    (cut_short / "activities").mkdir(parents=True)  # a few links, then the process died
    os.link(built / "output" / "index.html", cut_short / "index.html")
    write_provider(built, "millbrook-walkers", WALKERS.replace("Mill Park", "the river"))
    build(built, built / "output", today=TODAY)
    assert not cut_short.exists()
    assert "the river" in (built / "output" / WALK).read_text()
    assert_same_as_full_build(built)


def test_a_killed_first_rebuild_after_a_full_build_leaves_the_published_site(built: Path) -> None:
    """With no spare (its linking after the full build cut short, say), the build links
    the published site into its staging folder in a process of its own, which a kill
    ends too, changing nothing."""
    wait_for_spare(built / "output")
    shutil.rmtree(built / ".output.spare")
    published = files(built / "output")
    index = {p.name: p.read_bytes() for p in (built / "search-index").iterdir()}
    write_provider(built, "millbrook-walkers", WALKERS.replace("Mill Park", "the river"))

    process = subprocess.Popen([HEALTHDIR, "build"], cwd=built)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (linking := children(process.pid)):
        time.sleep(0.001)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    while time.monotonic() < deadline and any(alive(pid) for pid in linking):
        time.sleep(0.01)

    assert not any(alive(pid) for pid in linking)
    assert files(built / "output") == published
    assert {p.name: p.read_bytes() for p in (built / "search-index").iterdir()} == index
    build(built, built / "output", today=TODAY)
    assert "the river" in (built / "output" / WALK).read_text()
    assert_same_as_full_build(built)


def test_the_state_is_kept_with_the_index_not_published(built: Path) -> None:
    assert (built / "search-index" / STATE_FILE).is_file()
    assert not list((built / "output").rglob(STATE_FILE))


def test_unchanged_records_are_read_from_the_published_page_of_all_records(built: Path) -> None:
    """An incremental build takes each unchanged record's text from ``services.json`` (one
    file, not one per record): exactly the text of the record's own file."""
    data = built / "output" / "data"
    for kind in ("services", "organizations"):
        page = (data / f"{kind}.json").read_text(encoding="utf-8")
        own = {p.stem: p.read_text(encoding="utf-8") for p in (data / kind).glob("*.json")}
        assert {key: page[a:b] for key, (a, b) in records_in(page).items()} == own
        assert len(own) == 3
        assert records_in(page[: len(page) // 2]) == {}  # not a whole page: none
    assert records_in("[]") == {} and records_in(None) == {}


def test_unchanged_rows_are_read_from_the_published_csv(built: Path) -> None:
    """An incremental build takes each unchanged activity's row from the published
    ``activities.csv``: the rows are exactly the file, quotes and commas in cells and all."""
    sung = CHOIR_FILE.replace(
        "Walk our rescue dogs around Mill Park.", 'Sing "Jerusalem", and more.'
    )
    write_provider(built, "riverside-choir", sung)
    build(built, built / "output", today=TODAY)
    write_provider(built, "millbrook-walkers", WALKERS.replace("Mill Park", "Millbrook Park"))
    build(built, built / "output", today=TODAY)  # the choir's row is taken as published
    assert_same_as_full_build(built)

    text = (built / "output/data/activities.csv").read_text(encoding="utf-8")
    rows = csv_rows(text)
    assert list(rows) == [
        row_key("riverside-choir", "community-choir"),
        row_key("anytown-cat-and-dog-shelter", "dog-walking-volunteers"),
        row_key("millbrook-walkers", "health-walk"),
    ]
    assert '"Sing ""Jerusalem"", and more.' in rows["riverside-choir,community-choir"]
    assert text.split("\n", 1)[0] + "\n" + "".join(rows.values()) == text
    # A line break in a cell is inside its quotes, and the row goes on after it.
    out = io.StringIO()
    SafeCsvWriter(out).writerows([ACTIVITY_COLUMNS, ["a", "b", "Two\nlines, two"], ["c", "d", "x"]])
    assert csv_rows(out.getvalue()) == {"a,b": 'a,b,"Two\nlines, two"\n', "c,d": "c,d,x\n"}
    assert csv_rows(out.getvalue()[:-12]) == {}  # cut inside the quotes: not a whole file
    assert csv_rows("name,summary\n") == {} and csv_rows(None) == {}  # not one of ours


def test_runs_of_unchanged_records_are_spliced_around_a_changed_one(built: Path) -> None:
    """With records before and after the one that changed, the page of all records is
    the published runs of them around the new record, as a full build writes it."""
    for number in range(6):
        write_provider(built, f"group-{number}", group(f"Group {number}", f"Walk {number}", "befriending", "south", "2026-11-01"))  # fmt: skip
    build(built, built / "output", today=TODAY)
    services = built / "output/data/services"
    before = {path.name: path.stat().st_ino for path in services.iterdir()}
    write_provider(built, "group-3", group("Group 3", "Walk 3", "befriending", "south", "2026-11-02"))  # fmt: skip
    build(built, built / "output", today=TODAY)
    after = {path.name: path.stat().st_ino for path in services.iterdir()}
    assert len([name for name in after if after[name] != before.get(name)]) == 1  # group 3's
    assert_same_as_full_build(built)
