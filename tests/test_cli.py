"""`healthdir check` and `healthdir build`, run as a volunteer runs them: as commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import GOOD_PROVIDER, HEALTHDIR, REPO, write_provider

PELICAN = Path(sys.executable).with_name("pelican")

FIVE_MISTAKES = (
    GOOD_PROVIDER.replace("cost: free", "cost: fre")
    .replace("locality: north", "locality: nowhere")
    .replace("postcode: AB1 2CD", "postcode: AB1")
    .replace("email: walks@shelter.example.org", "emial: walks@shelter.example.org")
    .replace("last_confirmed: 2026-10-14", "last_confirmed: 2026-13-01")
)


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_check_reports_all_five_mistakes_with_file_and_line(site: Path) -> None:
    write_provider(
        site, "anytown-cat-and-dog-shelter", GOOD_PROVIDER.replace("Anytown Cat", "Other Cat")
    )
    write_provider(site, "shelter", FIVE_MISTAKES)
    result = run(HEALTHDIR, "check", cwd=site)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        'content/providers/shelter.yaml:4: emial: "emial" is not a field we know. Did you mean "email"?',
        'content/providers/shelter.yaml:7: last_confirmed: "2026-13-01" is not a real date. Write it as YYYY-MM-DD, such as 2026-10-14.',
        'content/providers/shelter.yaml:17: activities[0].locality: "nowhere" is not one of: north, central, south, or all (for activities open to the whole area)',
        'content/providers/shelter.yaml:21: activities[0].cost: "fre" is not one of: free, donation, paid, ask',
        'content/providers/shelter.yaml:26: activities[0].venue.postcode: "AB1" doesn\'t look like a full UK postcode, such as AB1 2CD.',
    ]
    assert "5 problems found" in result.stderr


def test_check_with_paths_checks_only_those_files(site: Path) -> None:
    good = write_provider(site, "good-group", GOOD_PROVIDER)
    write_provider(site, "broken", "name: [unclosed\n")
    result = run(HEALTHDIR, "check", good.relative_to(site), cwd=site)
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("All good: 1 provider, 1 activity.")
    result = run(HEALTHDIR, "check", "content/providers/broken.yaml", "missing.yaml", cwd=site)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("content/providers/broken.yaml:2: this is not valid YAML (")
    assert lines[1] == "missing.yaml: does not exist."


def test_check_outside_a_site_is_a_clear_error(tmp_path: Path) -> None:
    result = run(HEALTHDIR, "check", cwd=tmp_path)
    assert result.returncode == 2
    assert "There is no pelicanconf.py in" in result.stderr
    assert "Traceback" not in result.stderr


def test_build_publishes_then_refuses_bad_content_leaving_output_alone(site: Path) -> None:
    write_provider(site, "anytown-cat-and-dog-shelter", GOOD_PROVIDER)
    first = run(HEALTHDIR, "build", cwd=site)
    assert first.returncode == 0, first.stderr
    assert "Published 1 activity from 1 provider to output." in first.stdout
    page = site / "output/activities/anytown-cat-and-dog-shelter/dog-walking-volunteers/index.html"
    before = page.read_text()

    write_provider(site, "broken", FIVE_MISTAKES)
    second = run(HEALTHDIR, "build", cwd=site)
    assert second.returncode == 1
    assert "content/providers/broken.yaml:21: activities[0].cost" in second.stdout
    assert "has not been changed" in second.stderr
    assert page.read_text() == before
    assert not (site / "output/providers/broken").exists()
    # Nothing left of the failed build: only the published site linked as the spare.
    assert [p.name for p in site.iterdir() if p.name.startswith(".output")] == [".output.spare"]


def test_a_failing_pelican_build_leaves_the_published_site_intact(site: Path) -> None:
    write_provider(site, "anytown-cat-and-dog-shelter", GOOD_PROVIDER)
    out = site / "public"
    assert run(HEALTHDIR, "build", "--output", out, cwd=site).returncode == 0
    published = sorted(p.relative_to(out) for p in out.rglob("*"))
    index_before = (site / "search-index").stat().st_ino
    (site / "theme/templates/activity.html").write_text(
        "{% extends 'base.html' %}{% block content %}{{ broken(}}{% endblock %}"
    )
    (site / "content/providers/anytown-cat-and-dog-shelter.yaml").write_text(
        GOOD_PROVIDER.replace("Mill Park", "Mill Park and the river")
    )
    result = run(HEALTHDIR, "build", "--output", out, cwd=site)
    assert result.returncode == 1
    assert "Pelican could not build the site" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == published
    page = out / "activities/anytown-cat-and-dog-shelter/dog-walking-volunteers/index.html"
    assert "Mill Park." in page.read_text()
    assert [p.name for p in site.iterdir() if ".building-" in p.name] == []
    assert (site / "search-index").stat().st_ino == index_before  # the index stays too


def test_rebuild_replaces_the_output_and_drops_removed_pages(site: Path) -> None:
    write_provider(site, "anytown-cat-and-dog-shelter", GOOD_PROVIDER)
    write_provider(
        site, "second-group", GOOD_PROVIDER.replace("Anytown Cat and Dog Shelter", "Second Group")
    )
    assert run(HEALTHDIR, "build", cwd=site).returncode == 0
    assert (site / "output/providers/second-group/index.html").exists()
    (site / "content/providers/second-group.yaml").unlink()
    assert run(HEALTHDIR, "build", cwd=site).returncode == 0
    assert not (site / "output/providers/second-group").exists()
    assert (site / "output/providers/anytown-cat-and-dog-shelter/index.html").exists()


def test_plain_pelican_still_builds_the_directory(tmp_path: Path) -> None:
    out = tmp_path / "plain"
    result = run(PELICAN, "content", "-s", "pelicanconf.py", "-o", out, "-q", cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert (out / "index.html").exists()
    assert (out / "activities/anytown-cat-and-dog-shelter").is_dir()
    assert (out / "theme/css/healthdir.css").exists()


def test_plain_pelican_refuses_invalid_content(site: Path) -> None:
    write_provider(site, "broken", FIVE_MISTAKES)
    result = run(PELICAN, "content", "-s", "pelicanconf.py", "-o", site / "out", cwd=site)
    assert result.returncode != 0
    assert "activities[0].cost" in result.stdout + result.stderr
    assert not (site / "out/providers/broken").exists()
