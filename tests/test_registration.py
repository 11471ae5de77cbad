"""Registration: the form's answers, the queue, duplicate flags and the review commands."""

from __future__ import annotations

import threading
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from conftest import GOOD_PROVIDER, HEALTHDIR, REPO, TODAY, write_provider

from entries import load_directory
from entries.atomic import write_text_atomic
from entries.site_settings import site_settings
from entries.yaml_source import parse_yaml, read_yaml
from registration.duplicates import likely_duplicates
from registration.form import answers_from_entry, baseline, check_answers, prefix, read_answers
from registration.queue import QueueError, SubmissionQueue
from registration.review import approve, propose, reject

DIRECTORY, _ = load_directory(REPO, site_settings(REPO), today=TODAY)

# The cat and dog shelter, as a volunteer would fill the form: the nine required
# questions and the consent tick, plus the activity's own name and theirs (both optional).
SHELTER = {
    "group_name": "Southmoor Cat and Dog Rescue",
    "activity_name": "Dog walking volunteers",
    "summary": "Walk our rescue dogs around Southmoor fields. No experience needed.",
    "domains": ["physical-activity", "volunteering"],
    "postcode": "ab1 5zz",
    "days": ["sat"],
    "starts": "10:00",
    "ends": "12:00",
    "cost": "free",
    "how_to_join": "drop-in",
    "phone": "01632 960778",
    "your_name": "Pat Volunteer",
    "your_email": "pat@example.com",
    "consent": "yes",
}
OPTIONAL = ("activity_name", "your_name")
TIMES = ("starts", "ends")  # part of the "when" question, with the days


COMMENTED_SHELTER = GOOD_PROVIDER.replace(
    "    when: Saturdays", "    # walks only at weekends (the comment stays)\n    when: Saturdays"
)
THREE_ACTIVITIES = (
    COMMENTED_SHELTER
    + """\
  - name: Cat cuddling
    summary: Come and stroke the cats.
    domains: [befriending]
    locality: north
    when: Mondays, 2pm to 4pm
    schedule:
      - {days: [mon], from: "14:00", to: "16:00"}
    cost: free
    how_to_join: drop-in
    # cats like a quiet room
    accessibility_notes: A quiet room.
  - name: Fostering information
    summary: Find out about fostering a cat.
    domains: [volunteering]
    locality: all
    when: By arrangement
    cost: free
    how_to_join: contact-first
    delivery: [telephone]
"""
)


class Form(dict):
    """A form post: lists for repeated fields, like Werkzeug's MultiDict."""

    def getlist(self, key: str) -> list[str]:
        value = self.get(key, [])
        return value if isinstance(value, list) else [value]


def check(**answers: object):
    return check_answers(
        read_answers(Form(answers)), list(DIRECTORY.domains), DIRECTORY.site, TODAY
    )


def as_form(answers: dict) -> Form:
    """Answers as the form's fields, named as the page names them: what a browser sends."""
    form = Form({k: v for k, v in answers.items() if k != "activities"})
    form["activities"] = str(len(answers["activities"]))
    for index, activity in enumerate(answers["activities"]):
        start = prefix(index)
        for key, value in activity.items():
            if key != "sessions":
                form[start + key] = value
        form[start + "sessions"] = str(len(activity["sessions"]))
        for number, session in enumerate(activity["sessions"]):
            form.update({prefix(index, number) + k: v for k, v in session.items()})
    form.update(your_name="Pat", your_email="pat@example.com", consent="yes")
    return form


def updating(path: Path) -> Form:
    """The update form for a provider file, prefilled, as the group would send it."""
    return as_form(answers_from_entry(read_yaml(path).data))


def propose_update(site: Path, queue: SubmissionQueue, path: Path, form: Form):
    """Check an update form, queue it as the service does, and propose it for approval."""
    directory, _ = load_directory(site, site_settings(site), today=TODAY)
    current = read_yaml(path).data
    result = check_answers(read_answers(form), list(directory.domains), directory.site, TODAY)
    assert result.errors == {}
    sub, _ = queue.submit(
        "update", entry=result.entry, private=result.private, target=path.stem,
        replaces=result.replaces, removes=result.removes,
        baseline=baseline(current, directory.site, TODAY),
    )  # fmt: skip
    return propose(sub, site / "content/providers", directory, TODAY, by="Sam")


def changed_lines(diff: str) -> list[str]:
    return [
        line.rstrip("\n")
        for line in diff.splitlines()
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]


def test_the_cat_and_dog_shelter_needs_only_ten_answers() -> None:
    result = check(**SHELTER)
    assert result.errors == {}
    entry = result.entry
    assert entry["name"] == "Southmoor Cat and Dog Rescue"
    activity = entry["activities"][0]
    # The area comes from the postcode; the place is the group's own, unless they say.
    assert activity["locality"] == "south"
    assert activity["venue"] == {"name": "Southmoor Cat and Dog Rescue", "postcode": "AB1 5ZZ"}
    assert activity["delivery"] == ["in-person"]
    assert activity["schedule"] == [{"days": ["sat"], "from": "10:00", "to": "12:00"}]
    assert activity["when"] == "Saturdays, 10am to 12 noon"
    assert entry["phone"] == "01632 960778"
    assert entry["last_confirmed"] == TODAY.isoformat()
    assert result.private == {"name": "Pat Volunteer", "email": "pat@example.com"}
    assert "pat@example.com" not in yaml.safe_dump(entry)
    assert result.slug == "southmoor-cat-and-dog-rescue"
    required = [k for k in SHELTER if k not in OPTIONAL + TIMES]
    assert len(required) == 10  # nine questions and the consent tick
    assert check(**{k: v for k, v in SHELTER.items() if k not in OPTIONAL}).errors == {}


def test_an_empty_form_explains_at_most_ten_missing_answers_in_page_order() -> None:
    result = check()
    assert result.entry is None
    assert list(result.errors) == [
        "group_name", "summary", "domains", "postcode", "days", "cost", "how_to_join", "phone",
        "your_email", "consent",
    ]  # fmt: skip
    assert result.errors["phone"].startswith("Enter a phone number, email address or website")
    assert result.errors["consent"] == "Confirm that we can publish these details"


def test_the_group_name_is_asked_once() -> None:
    entry = check(**{k: v for k, v in SHELTER.items() if k != "activity_name"}).entry
    assert entry["activities"][0]["name"] == "Southmoor Cat and Dog Rescue"


def test_the_area_comes_from_the_postcode() -> None:
    north = check(**{**SHELTER, "postcode": "AB2 8DL"}).entry["activities"][0]
    assert north["locality"] == "north"
    online = check(**{**SHELTER, "where": "online", "postcode": ""}).entry["activities"][0]
    assert online["locality"] == "all" and "venue" not in online
    assert online["delivery"] == ["online"]
    assert check(**{**SHELTER, "postcode": ""}).errors == {
        "postcode": "Enter the postcode of the place, such as AB1 2CD, or choose how it happens"
    }
    assert check(**{**SHELTER, "where": "telephone"}).errors == {
        "where": "Choose how it happens only if there is no one place: you gave a postcode"
    }
    outside = check(**{**SHELTER, "postcode": "BS3 4AA"}).errors["postcode"]
    assert outside.startswith("We cannot find BS3 4AA in Anytown. Check the postcode")
    assert "01632 960000" in outside


def test_days_and_times_make_a_schedule() -> None:
    two = check(**{**SHELTER, "days": ["sat", "sun"], "starts": "09:30", "ends": "14:00",
                   "when_notes": "Not on bank holidays"}).entry["activities"][0]  # fmt: skip
    assert two["schedule"] == [{"days": ["sat", "sun"], "from": "09:30", "to": "14:00"}]
    assert two["when"] == "Saturdays and Sundays, 9:30am to 2pm. Not on bank holidays"
    form = {**SHELTER, "sessions": "2", "s2-days": ["wed"], "s2-starts": "18:00",
            "s2-ends": "19:15"}  # fmt: skip
    both = check(**form).entry["activities"][0]
    assert both["schedule"][1] == {"days": ["wed"], "from": "18:00", "to": "19:15"}
    assert both["when"] == "Saturdays, 10am to 12 noon; Wednesdays, 6pm to 7:15pm"
    varies = check(**{**SHELTER, "days": ["varies"], "starts": "", "ends": "",
                      "when_notes": "First Tuesday of the month"}).entry["activities"][0]  # fmt: skip
    assert "schedule" not in varies and varies["when"] == "First Tuesday of the month"
    assert check(**{**SHELTER, "days": ["varies"]}).entry["activities"][0]["when"] == (
        "Times vary, or by arrangement"
    )


def test_days_and_times_that_do_not_fit_are_explained() -> None:
    assert check(**{**SHELTER, "starts": "", "ends": "09:00"}).errors == {
        "starts": "Select the time it starts",
        "ends": "Select an end time after the start time",
    } or check(**{**SHELTER, "starts": ""}).errors == {"starts": "Select the time it starts"}
    assert check(**{**SHELTER, "ends": "09:00"}).errors == {
        "ends": "Select an end time after the start time"
    }
    assert check(**{**SHELTER, "days": ["sat", "varies"]}).errors == {
        "days": "Select the days it happens, or ‘It varies, or by arrangement’, not both"
    }
    assert check(**{**SHELTER, "starts": "25:00"}).errors == {"starts": "Select the time it starts"}
    # A second time left empty is ignored; half filled in, it is explained.
    assert check(**{**SHELTER, "sessions": "2"}).errors == {}
    assert check(**{**SHELTER, "sessions": "2", "s2-starts": "18:00"}).errors == {
        "s2-days": "Select the days for this time, or leave all of it empty"
    }


def test_answers_in_the_wrong_shape_get_model_messages_on_the_right_field() -> None:
    result = check(**{**SHELTER, "email": "pat at example", "postcode": "AB1", "age_min": "ten"})
    assert result.errors == {
        "postcode": "Enter a full postcode, such as AB1 2CD",
        "age_min": "Enter youngest age as a whole number, like 16",
        "email": '"pat at example" doesn\'t look like one email address such as hello@mygroup.example.org.',
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


NORTH = {"postcode": "AB2 8DL"}  # in Anytown North, where the sample shelter is


def test_likely_duplicates_are_flagged() -> None:
    entry = check(**{**SHELTER, "group_name": "Anytown Cat & Dog Shelter", **NORTH}).entry
    assert likely_duplicates(entry, DIRECTORY) == [
        "anytown-cat-and-dog-shelter: same name (Anytown Cat and Dog Shelter) in the same area"
    ]
    shelter = next(p for p in DIRECTORY.providers if p.charity_number)
    entry = check(**{**SHELTER, "charity_number": shelter.charity_number}).entry
    assert likely_duplicates(entry, DIRECTORY) == [
        f"{shelter.slug}: same charity number ({shelter.charity_number})"
    ]
    entry = check(**{**SHELTER, "group_name": "Anytown Cat and Dog Shelters", **NORTH}).entry
    assert likely_duplicates(entry, DIRECTORY)[0].endswith(
        "very similar name (Anytown Cat and Dog Shelter) in the same area"
    )
    assert likely_duplicates(check(**SHELTER).entry, DIRECTORY) == []
    # An update of a provider is not its own duplicate.
    entry = check(**{**SHELTER, "group_name": "Anytown Cat and Dog Shelter", **NORTH}).entry
    assert likely_duplicates(entry, DIRECTORY, target="anytown-cat-and-dog-shelter") == []


@pytest.mark.parametrize(
    ("contact", "flag"),
    [
        ({"email": "WALKS@shelter.example.org"}, "same email address (WALKS@shelter.example.org)"),
        ({"phone": "01632-960-123"}, "same phone number (01632-960-123)"),
        ({"phone": "+44 1632 960123"}, "same phone number (+44 1632 960123)"),
        ({"website": "shelter.example.org/"}, "same website (https://shelter.example.org/)"),
    ],
)
def test_the_same_contact_details_as_a_listed_group_are_flagged(
    site: Path, contact: dict[str, str], flag: str
) -> None:
    write_provider(site, "anytown-cat-and-dog-shelter", GOOD_PROVIDER)
    directory, _ = load_directory(site, site_settings(site), today=TODAY)
    entry = check(**{**SHELTER, "group_name": "Southmoor Dog Walkers", **contact}).entry
    assert likely_duplicates(entry, directory) == [f"anytown-cat-and-dog-shelter: {flag}"]


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

    def test_an_update_changes_only_what_the_group_changed(
        self, site: Path, queue: SubmissionQueue
    ) -> None:
        path = write_provider(site, "anytown-cat-and-dog-shelter", COMMENTED_SHELTER)
        form = updating(path)
        form["days"] = ["sun"]  # the group now walks on Sundays only
        proposal = propose_update(site, queue, path, form)
        assert changed_lines(proposal.diff()) == [
            "-last_confirmed: 2026-10-14",
            "+last_confirmed: 2026-11-22",
            "-  by: Anytown Community Health Partnership",
            "-  on: 2026-10-14",
            "+  by: Sam",
            "+  'on': 2026-11-22",
            "-    when: Saturdays and Sundays, 10am to 12 noon",
            "+    when: Sundays, 10am to 12 noon",
            '-      - {days: [sat, sun], from: "10:00", to: "12:00"}',
            "+      - days: [sun]",
            "+        from: '10:00'",
            "+        to: '12:00'",
        ]
        write_text_atomic(proposal.path, proposal.text)
        text = path.read_text()
        assert "# walks only at weekends (the comment stays)" in text
        activity = read_yaml(path).data["activities"][0]
        # Nothing stale: the schedule the form edited is replaced, the words with it.
        assert activity["schedule"] == [{"days": ["sun"], "from": "10:00", "to": "12:00"}]
        assert activity["when"] == "Sundays, 10am to 12 noon"
        assert activity["suitable_for"] == ["diabetes", "heart-condition"]  # not on the form
        assert activity["locality"] == "north"  # as the file says, though AB1 2CD is south

    def test_an_update_sent_unchanged_changes_only_the_dates(
        self, site: Path, queue: SubmissionQueue
    ) -> None:
        path = write_provider(site, "anytown-cat-and-dog-shelter", COMMENTED_SHELTER)
        proposal = propose_update(site, queue, path, updating(path))
        assert changed_lines(proposal.diff()) == [
            "-last_confirmed: 2026-10-14",
            "+last_confirmed: 2026-11-22",
            "-  by: Anytown Community Health Partnership",
            "-  on: 2026-10-14",
            "+  by: Sam",
            "+  'on': 2026-11-22",
        ]

    def test_it_varies_takes_the_schedule_away(self, site: Path, queue: SubmissionQueue) -> None:
        path = write_provider(site, "anytown-cat-and-dog-shelter", COMMENTED_SHELTER)
        form = updating(path)
        form.update(days=["varies"], starts="", ends="", when_notes="Ring to arrange a walk")
        proposal = propose_update(site, queue, path, form)
        activity = parse_yaml(proposal.text).data["activities"][0]
        assert "schedule" not in activity and activity["when"] == "Ring to arrange a walk"

    def test_an_update_covers_every_activity_adds_and_removes(
        self, site: Path, queue: SubmissionQueue
    ) -> None:
        path = write_provider(site, "anytown-cat-and-dog-shelter", THREE_ACTIVITIES)
        form = updating(path)
        assert form["activities"] == "3" and form["a3-was"] == "fostering-information"
        form["a2-summary"] = "Come and stroke the cats on Mondays."
        form["a3-remove"] = "yes"
        form.update({"activities": "4", "a4-activity_name": "Cat fostering", "a4-postcode": "AB2 8DL",
                     "a4-summary": "Look after a cat at home until it finds a family.",
                     "a4-domains": ["volunteering"], "a4-days": ["varies"], "a4-cost": "free",
                     "a4-how_to_join": "contact-first"})  # fmt: skip
        proposal = propose_update(site, queue, path, form)
        data = parse_yaml(proposal.text).data
        assert [a["name"] for a in data["activities"]] == [
            "Dog walking volunteers",
            "Cat cuddling",
            "Cat fostering",
        ]
        assert data["activities"][1]["summary"] == "Come and stroke the cats on Mondays."
        added = data["activities"][2]
        assert added["locality"] == "north" and "schedule" not in added
        text = proposal.text
        assert "# walks only at weekends (the comment stays)" in text
        assert "# cats like a quiet room" in text  # in the changed activity, a field left alone
        assert "Fostering information" not in text
        # An activity added by hand since the form was sent would be kept: only what the
        # group took off goes.

    def test_a_new_group_can_be_approved_as_an_update_of_a_listed_one(
        self, site: Path, queue: SubmissionQueue
    ) -> None:
        path = write_provider(site, "anytown-cat-and-dog-shelter", COMMENTED_SHELTER)
        directory, _ = load_directory(site, site_settings(site), today=TODAY)
        result = check(**{**SHELTER, "group_name": "Anytown Cat & Dog Shelter", **NORTH,
                          "activity_name": "Dog walking volunteers", "days": ["sun"]})  # fmt: skip
        sub, _ = queue.submit("new", entry=result.entry, private=result.private, target=result.slug)
        with pytest.raises(QueueError, match="looks like a group that is already listed"):
            approve(queue, sub, site / "content/providers", directory, TODAY, "Sam")
        written = approve(
            queue, sub, site / "content/providers", directory, TODAY, "Sam",
            as_update_of="anytown-cat-and-dog-shelter",
        )  # fmt: skip
        assert written == path
        data = read_yaml(path).data
        assert data["name"] == "Anytown Cat & Dog Shelter"
        assert [a["name"] for a in data["activities"]] == ["Dog walking volunteers"]
        assert data["activities"][0]["schedule"][0]["days"] == ["sun"]
        assert data["website"] == "https://shelter.example.org"  # not asked again: kept
        assert queue.approvals() == [("2026-11-22", "anytown-cat-and-dog-shelter")]

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
    path = write_provider(site, "anytown-cat-and-dog-shelter", COMMENTED_SHELTER)
    queue = SubmissionQueue(site / "submissions")
    result = check(**{**SHELTER, "group_name": "Anytown Cat and Dog Shelter", **NORTH})
    directory, _ = load_directory(site, site_settings(site), today=TODAY)
    new, _ = queue.submit("new", entry=result.entry, private=result.private, target="shelter-two",
                          duplicates=likely_duplicates(result.entry, directory))  # fmt: skip
    form = updating(path)
    form["days"] = ["sun"]
    update = propose_update(site, queue, path, form)
    [update_id] = [s.id for s in queue.pending() if s.kind == "update"]
    listing = run("submissions").stdout
    assert "2 submissions waiting, oldest first:" in listing
    assert f"{new.id}  new" in listing
    assert "possible duplicate of anytown-cat-and-dog-shelter: same name" in listing
    assert "updates anytown-cat-and-dog-shelter" in listing
    shown = run("submissions", "show", new.id)
    assert "From (private, never published): Pat Volunteer, pat@example.com" in shown.stdout
    assert "name: Anytown Cat and Dog Shelter" in shown.stdout
    diff = run("submissions", "show", update_id).stdout
    assert changed_lines(diff) == [
        line.replace("by: Sam", "by: (you)") for line in changed_lines(update.diff())
    ]
    assert "+    when: Sundays, 10am to 12 noon" in diff and "-name:" not in diff
    # A likely duplicate is refused, with the match and the two ways on.
    refused = run("approve", new.id, "--by", "Sam")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "anytown-cat-and-dog-shelter: same name (Anytown Cat and Dog Shelter)" in refused.stderr
    assert "--as-update-of anytown-cat-and-dog-shelter" in refused.stderr
    assert "--not-duplicate" in refused.stderr
    # Told it is not one, it still cannot take a listed group's name.
    named = run("approve", new.id, "--by", "Sam", "--not-duplicate")
    assert (
        named.returncode == 1 and "is already used by anytown-cat-and-dog-shelter" in named.stderr
    )
    approved = run("approve", update_id, "--by", "Sam")
    assert approved.returncode == 0, approved.stderr
    assert "No email was sent" in approved.stdout
    assert "Email not sent (no SMTP server is set" in approved.stderr
    assert "pat@example.com" not in approved.stderr  # nothing personal in the log
    assert "# walks only at weekends (the comment stays)" in path.read_text()
    assert run("reject", new.id, "--reason", "Duplicate of the existing listing").returncode == 0
    assert run("submissions").stdout.strip() == "Nothing is waiting to be checked."
    assert run("submissions", "show", "../../etc").returncode == 1
