"""Registration: the form's answers, the queue, duplicate flags and the review commands."""

from __future__ import annotations

import threading
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from conftest import GOOD_PROVIDER, HEALTHDIR, REPO, TODAY, write_provider

from entries import load_directory
from entries.site_settings import site_settings
from entries.yaml_source import read_yaml
from registration.duplicates import likely_duplicates
from registration.form import check_answers, read_answers
from registration.queue import QueueError, SubmissionQueue
from registration.review import approve, propose, reject

DIRECTORY, _ = load_directory(REPO, site_settings(REPO), today=TODAY)

# The cat and dog shelter, as a volunteer would fill the form: ten questions and a tick.
SHELTER = {
    "group_name": "Southmoor Cat and Dog Rescue",
    "activity_name": "Dog walking volunteers",
    "summary": "Walk our rescue dogs around Southmoor fields. No experience needed.",
    "domains": ["physical-activity", "volunteering"],
    "where": "venue",
    "venue_name": "Southmoor Cat and Dog Rescue",
    "postcode": "ab3 9zz",
    "locality": "south",
    "when": "Saturdays, 10am to 12 noon",
    "cost": "free",
    "how_to_join": "drop-in",
    "phone": "01632 960777",
    "your_name": "Pat Volunteer",
    "your_email": "pat@example.com",
    "consent": "yes",
}


class Form(dict):
    """A form post: lists for repeated fields, like Werkzeug's MultiDict."""

    def getlist(self, key: str) -> list[str]:
        value = self.get(key, [])
        return value if isinstance(value, list) else [value]


def check(**answers: object):
    return check_answers(
        read_answers(Form(answers)), list(DIRECTORY.domains), DIRECTORY.site, TODAY
    )


def test_the_cat_and_dog_shelter_needs_only_the_ten_questions() -> None:
    result = check(**SHELTER)
    assert result.errors == {}
    entry = result.entry
    assert entry["name"] == "Southmoor Cat and Dog Rescue"
    activity = entry["activities"][0]
    assert activity["venue"] == {"name": "Southmoor Cat and Dog Rescue", "postcode": "AB3 9ZZ"}
    assert activity["delivery"] == ["in-person"]
    assert entry["phone"] == "01632 960777"
    assert entry["last_confirmed"] == TODAY.isoformat()
    assert result.private == {"name": "Pat Volunteer", "email": "pat@example.com"}
    assert "pat@example.com" not in yaml.safe_dump(entry)
    assert result.slug == "southmoor-cat-and-dog-rescue"
    required = {k for k in SHELTER if k not in ("venue_name", "postcode", "your_email", "locality")}
    assert len(required) == 11  # ten questions (your name and email are one) and the consent tick


def test_an_empty_form_explains_every_missing_answer_in_form_order() -> None:
    result = check()
    assert result.entry is None
    assert list(result.errors) == [
        "group_name", "activity_name", "summary", "domains", "where", "locality", "when",
        "cost", "how_to_join", "phone", "your_name", "your_email", "consent",
    ]  # fmt: skip
    assert result.errors["phone"].startswith("Enter a phone number, email address or website")
    assert result.errors["consent"] == "Confirm that we can publish these details"


def test_answers_in_the_wrong_shape_get_model_messages_on_the_right_field() -> None:
    result = check(**{**SHELTER, "email": "pat at example", "postcode": "AB3", "age_min": "ten"})
    assert result.errors == {
        "postcode": '"AB3" doesn\'t look like a full UK postcode, such as AB1 2CD.',
        "email": '"pat at example" doesn\'t look like one email address such as hello@mygroup.example.org.',
        "age_min": "Enter youngest age as a whole number, like 16",
    }


def test_friendly_fixes_and_limits() -> None:
    result = check(**{**SHELTER, "website": "www.rescue.example.org", "cost": "paid"})
    assert result.errors == {"price": "Enter the price, such as ‘£3 a session’"}
    result = check(**{**SHELTER, "website": "www.rescue.example.org"})
    assert result.entry["website"] == "https://www.rescue.example.org"
    result = check(**{**SHELTER, "summary": "x" * 301})
    assert result.errors == {"summary": "What happens must be 300 characters or fewer"}
    result = check(**{**SHELTER, "domains": ["not-a-domain"]})
    assert "domains" in result.errors


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("a/b\\c", "a-b-c"),
        ("Café ☕ Club", "cafe-club"),
        ("বাংলা রান্না", None),
    ],
)
def test_nothing_typed_chooses_a_file_path(name: str, slug: str | None) -> None:
    result = check(**{**SHELTER, "group_name": name})
    assert result.errors == {}
    assert "/" not in result.slug and ".." not in result.slug
    if slug:
        assert result.slug == slug
    else:
        assert result.slug.startswith("group-") and len(result.slug) == 14


def test_hostile_text_is_kept_as_text() -> None:
    result = check(**{**SHELTER, "summary": "<script>alert(1)</script> walks"})
    assert result.entry["activities"][0]["summary"] == "<script>alert(1)</script> walks"


def test_likely_duplicates_are_flagged() -> None:
    entry = check(
        **{**SHELTER, "group_name": "Anytown Cat & Dog Shelter", "locality": "north"}
    ).entry
    assert likely_duplicates(entry, DIRECTORY) == [
        "anytown-cat-and-dog-shelter: same name (Anytown Cat and Dog Shelter) in the same area"
    ]
    shelter = next(p for p in DIRECTORY.providers if p.charity_number)
    entry = check(**{**SHELTER, "charity_number": shelter.charity_number}).entry
    assert likely_duplicates(entry, DIRECTORY) == [
        f"{shelter.slug}: same charity number ({shelter.charity_number})"
    ]
    entry = check(
        **{**SHELTER, "group_name": "Anytown Cat and Dog Shelters", "locality": "north"}
    ).entry
    assert likely_duplicates(entry, DIRECTORY)[0].endswith(
        "very similar name (Anytown Cat and Dog Shelter) in the same area"
    )
    assert likely_duplicates(check(**SHELTER).entry, DIRECTORY) == []
    # An update of a provider is not its own duplicate.
    entry = check(
        **{**SHELTER, "group_name": "Anytown Cat and Dog Shelter", "locality": "north"}
    ).entry
    assert likely_duplicates(entry, DIRECTORY, target="anytown-cat-and-dog-shelter") == []


class TestQueue:
    def test_submission_is_three_files_with_private_details_apart(self, tmp_path: Path) -> None:
        queue = SubmissionQueue(tmp_path)
        result = check(**SHELTER)
        sub, created = queue.submit(
            "new", entry=result.entry, private=result.private, target=result.slug
        )
        assert created
        folder = tmp_path / "pending" / sub.id
        assert sorted(p.name for p in folder.iterdir()) == [
            "entry.yaml",
            "private.yaml",
            "submission.yaml",
        ]
        assert "pat@example.com" not in (folder / "entry.yaml").read_text()
        assert "Pat Volunteer" in (folder / "private.yaml").read_text()
        assert [s.id for s in queue.pending()] == [sub.id]

    def test_identical_resubmission_is_recognised(self, tmp_path: Path) -> None:
        queue = SubmissionQueue(tmp_path)
        entry = check(**SHELTER).entry
        first, created = queue.submit("new", entry=entry, target="x")
        again, created_again = queue.submit(
            "new", entry={**entry, "last_confirmed": "2026-11-23"}, target="x"
        )
        assert created and not created_again and again.id == first.id
        changed, created_changed = queue.submit("new", entry={**entry, "name": "Other"}, target="x")
        assert created_changed and changed.id != first.id
        assert len(queue.pending()) == 2

    def test_identical_submissions_at_the_same_moment_make_one_item(self, tmp_path: Path) -> None:
        queue = SubmissionQueue(tmp_path)
        entry = check(**SHELTER).entry
        results = []
        threads = [
            threading.Thread(
                target=lambda: results.append(queue.submit("new", entry=entry, target="x"))
            )
            for _ in range(20)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sum(created for _, created in results) == 1
        assert len(queue.pending()) == 1
        assert list((tmp_path / "tmp").iterdir()) == []

    def test_bad_ids_are_refused(self, tmp_path: Path) -> None:
        queue = SubmissionQueue(tmp_path)
        with pytest.raises(QueueError, match="is not a submission id"):
            queue.get("../../etc/passwd")
        with pytest.raises(QueueError, match="There is no submission"):
            queue.get("0" * 16)


class TestReview:
    @pytest.fixture
    def queue(self, tmp_path: Path) -> SubmissionQueue:
        return SubmissionQueue(tmp_path / "submissions")

    def test_approve_writes_the_entry_with_checked_and_today(
        self, site: Path, queue: SubmissionQueue
    ) -> None:
        result = check(**SHELTER)
        sub, _ = queue.submit("new", entry=result.entry, private=result.private, target=result.slug)
        providers = site / "content/providers"
        directory, _ = load_directory(site, site_settings(site), today=TODAY)
        path = approve(queue, sub, providers, directory, date(2026, 11, 23), "Sam Reviewer")
        assert path == providers / "southmoor-cat-and-dog-rescue.yaml"
        text = path.read_text()
        assert "Pat" not in text and "pat@example.com" not in text
        data = read_yaml(path).data
        assert data["last_confirmed"] == "2026-11-23"
        assert data["checked"] == {"by": "Sam Reviewer", "on": "2026-11-23"}
        assert "last_confirmed: 2026-11-23\n" in text
        loaded, problems = load_directory(site, site_settings(site), today=date(2026, 11, 23))
        assert problems == [] and loaded.providers[0].name == "Southmoor Cat and Dog Rescue"
        approved = queue.get(sub.id)
        assert approved.state == "approved" and approved.decision["by"] == "Sam Reviewer"
        with pytest.raises(QueueError, match="already approved"):
            approve(queue, approved, providers, directory, TODAY, "Sam Reviewer")

    def test_approve_refuses_to_replace_an_existing_provider(
        self, site: Path, queue: SubmissionQueue
    ) -> None:
        write_provider(site, "southmoor-cat-and-dog-rescue", GOOD_PROVIDER)
        before = (site / "content/providers/southmoor-cat-and-dog-rescue.yaml").read_text()
        result = check(**SHELTER)
        sub, _ = queue.submit("new", entry=result.entry, private=result.private, target=result.slug)
        directory, _ = load_directory(site, site_settings(site), today=TODAY)
        with pytest.raises(QueueError, match="already exists and this submission is a new group"):
            approve(queue, sub, site / "content/providers", directory, TODAY, "Sam")
        assert (site / "content/providers/southmoor-cat-and-dog-rescue.yaml").read_text() == before
        assert queue.get(sub.id).state == "pending"
        path = approve(
            queue, sub, site / "content/providers", directory, TODAY, "Sam", slug="southmoor-rescue"
        )
        assert path.name == "southmoor-rescue.yaml"

    def test_update_replaces_one_activity_and_shows_a_diff(
        self, site: Path, queue: SubmissionQueue
    ) -> None:
        write_provider(site, "anytown-cat-and-dog-shelter", GOOD_PROVIDER)
        directory, _ = load_directory(site, site_settings(site), today=TODAY)
        answers = {**SHELTER, "group_name": "Anytown Cat and Dog Shelter", "when": "Sundays only, 10am to 12 noon",
                   "locality": "north"}  # fmt: skip
        result = check(**answers)
        sub, _ = queue.submit(
            "update", entry=result.entry, private=result.private,
            target="anytown-cat-and-dog-shelter", activity="dog-walking-volunteers",
        )  # fmt: skip
        proposal = propose(sub, site / "content/providers", directory, TODAY, by="Sam")
        diff = proposal.diff()
        assert "-    when: Saturdays and Sundays, 10am to 12 noon" in diff
        assert "+    when: Sundays only, 10am to 12 noon" in diff
        approve(queue, sub, site / "content/providers", directory, TODAY, "Sam")
        data = read_yaml(site / "content/providers/anytown-cat-and-dog-shelter.yaml").data
        assert len(data["activities"]) == 1
        assert data["activities"][0]["when"] == "Sundays only, 10am to 12 noon"
        assert data["activities"][0]["schedule"]  # kept: the form does not ask for it

    def test_reject_and_reports(self, site: Path, queue: SubmissionQueue) -> None:
        sub, _ = queue.submit("report", target="anytown-cat-and-dog-shelter", activity="dog-walking-volunteers",
                              message="It has moved to Sundays", private={"contact": ""})  # fmt: skip
        directory, _ = load_directory(site, site_settings(site), today=TODAY)
        with pytest.raises(QueueError, match="A report is not published"):
            approve(queue, sub, site / "content/providers", directory, TODAY, "Sam")
        with pytest.raises(QueueError, match="Give a reason"):
            reject(queue, sub, " ", TODAY)
        reject(queue, sub, "Fixed the file by hand", TODAY)
        closed = queue.get(sub.id)
        assert closed.state == "rejected" and closed.decision["reason"] == "Fixed the file by hand"
        assert queue.pending() == []

    def test_submission_age(self, queue: SubmissionQueue) -> None:
        sub, _ = queue.submit(
            "new", entry=check(**SHELTER).entry, target="x", now=datetime(2026, 11, 1, 9, 30)
        )
        assert sub.age_days(TODAY) == 21


def test_review_commands(site: Path) -> None:
    import subprocess

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([HEALTHDIR, *args], cwd=site, capture_output=True, text=True)

    assert run("submissions").stdout.strip() == "Nothing is waiting to be checked."
    write_provider(site, "anytown-cat-and-dog-shelter", GOOD_PROVIDER)
    queue = SubmissionQueue(site / "submissions")
    result = check(**{**SHELTER, "group_name": "Anytown Cat and Dog Shelter", "locality": "north"})
    directory, _ = load_directory(site, site_settings(site), today=TODAY)
    new, _ = queue.submit("new", entry=result.entry, private=result.private, target="shelter-two",
                          duplicates=likely_duplicates(result.entry, directory))  # fmt: skip
    update, _ = queue.submit(
        "update", entry=check(**{**SHELTER, "group_name": "Anytown Cat and Dog Shelter", "locality": "north",
                                 "when": "Sundays only"}).entry,
        target="anytown-cat-and-dog-shelter", activity="dog-walking-volunteers",
    )  # fmt: skip
    listing = run("submissions").stdout
    assert "2 submissions waiting, oldest first:" in listing
    assert f"{new.id}  new" in listing
    assert "possible duplicate of anytown-cat-and-dog-shelter: same name" in listing
    assert "updates anytown-cat-and-dog-shelter/dog-walking-volunteers" in listing
    shown = run("submissions", "show", new.id)
    assert "From (private, never published): Pat Volunteer, pat@example.com" in shown.stdout
    assert "name: Anytown Cat and Dog Shelter" in shown.stdout
    diff = run("submissions", "show", update.id).stdout
    assert "+    when: Sundays only" in diff
    refused = run("approve", new.id, "--by", "Sam")
    assert (
        refused.returncode == 1
        and "is already used by anytown-cat-and-dog-shelter" in refused.stderr
    )
    assert "Traceback" not in refused.stderr
    assert run("approve", update.id, "--by", "Sam").returncode == 0
    assert run("reject", new.id, "--reason", "Duplicate of the existing listing").returncode == 0
    assert run("submissions").stdout.strip() == "Nothing is waiting to be checked."
    assert run("submissions", "show", "../../etc").returncode == 1
