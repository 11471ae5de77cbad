"""``healthdir import oruk``: Open Referral UK feeds (list views and full records) as
provider files that pass ``healthdir check``, found again on every re-import."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import GOOD_PROVIDER, HEALTHDIR, REPO, TODAY, write_provider
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from entries import i18n, load_directory
from entries.directory import validate_entry
from entries.site_settings import site_settings
from entries.summary import summarise
from entries.yaml_source import read_yaml
from healthdir.publish import build
from open_data.html_text import as_markdown, blocks, summary_and_rest
from open_data.oruk_feed import FeedError
from open_data.oruk_import import import_oruk
from open_data.oruk_mapping import MappingError
from search import SearchIndex

FIXTURES = Path(__file__).parent / "fixtures" / "oruk-import"
LIST_VIEW = FIXTURES / "list-view.json"
FULL = FIXTURES / "full-records.json"
V1 = FIXTURES / "v1-page.json"
DOMAINS = [
    "physical-activity", "healthy-eating", "arts-for-health", "befriending", "welfare-rights",
    "volunteering",
]  # fmt: skip


@pytest.fixture
def imported(site: Path) -> Path:
    """The sample site with no providers and no postcode areas, after importing both feeds."""
    with (site / "pelicanconf.py").open("a") as settings:
        settings.write("\nLOCALITY_POSTCODES = {}\n")
    for feed in (LIST_VIEW, FULL, V1):
        import_oruk(site, feed, today=TODAY)
    return site


def entry(site: Path, slug: str) -> dict:
    return read_yaml(site / "content" / "providers" / f"{slug}.yaml").data


def activities(site: Path, slug: str) -> dict[str, dict]:
    return {a["name"]: a for a in entry(site, slug)["activities"]}


def files(site: Path) -> dict[str, bytes]:
    folder = site / "content" / "providers"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_what_it_writes_passes_check(imported: Path) -> None:
    directory, problems = load_directory(imported, site_settings(imported), today=TODAY)
    assert problems == []
    assert sorted(p.slug for p in directory.all_providers) == [
        "eastfield-active",
        "kingsway-lunch-club",
        "millbrook-walking-friends",
        "online-craft-club",
        "riverside-neighbours",
        "southmoor-knit-and-natter",
        "st-mark-s-church",
    ]


def test_one_provider_per_organisation_each_keeping_its_source_ids(imported: Path) -> None:
    walkers = entry(imported, "millbrook-walking-friends")
    assert walkers["imported_from"] == {"feed": "list-view", "id": "org-walkers"}
    assert [(a["name"], a["imported_from"]) for a in walkers["activities"]] == [
        ("Millbrook Health Walk", {"feed": "list-view", "id": "svc-walk-1"}),
        ("Walk leader volunteers", {"feed": "list-view", "id": "svc-walk-2"}),
    ]
    # A service with no organisation is a provider of its own, with the service's contact.
    knit = entry(imported, "southmoor-knit-and-natter")
    assert knit["imported_from"] == {"feed": "list-view", "id": "svc-knit"}
    assert knit["website"] == "http://www.knit.example.org"
    assert [a["name"] for a in knit["activities"]] == ["Southmoor Knit and Natter"]


def test_every_record_not_imported_is_listed_with_its_reason(site: Path) -> None:
    report = import_oruk(site, LIST_VIEW, today=TODAY)
    reasons = {s.id: s.reason for s in report.skipped}
    assert reasons["svc-unnamed"] == "has no name"
    assert "no date" in reasons["svc-no-date"]
    assert "topic" in reasons["svc-no-topic"]
    assert reasons["svc-gone"] == "is marked inactive in the feed"
    assert reasons["svc-walk-1"].startswith(
        'has the same id as an earlier service in the feed ("Millbrook Health Walk")'
    )
    assert len(report.skipped) == 5
    assert sorted(report.imported) == [
        "svc-knit",
        "svc-no-contact",
        "svc-tea-1",
        "svc-tea-2",
        "svc-walk-1",
        "svc-walk-2",
    ]
    printed = "\n".join(report.lines())
    assert "Imported 6 of the 9 with a name" in printed
    assert 'svc-no-topic "Carpet cleaning": matches none' in printed
    # Imported all the same, and listed for the team to find its contact details.
    assert "Imported with no contact details (1)" in printed
    assert [str(noted) for noted in report.no_contact] == [
        'svc-no-contact "Warm space at St Mark\'s": gives no phone number, email address or '
        'website, nor does its organisation (its website "Warm Space Centre" is not a full '
        "web address)"
    ]


def test_html_descriptions_become_plain_text(imported: Path) -> None:
    walk = activities(imported, "millbrook-walking-friends")["Millbrook Health Walk"]
    # Two headings carrying one sentence are joined; whole sentences make the summary.
    assert walk["summary"] == (
        "A gentle walk for people who want to get a bit more active. We meet at the library."
    )
    # The rest is Markdown that shows exactly the words: no tags, no script, * escaped.
    assert walk["details"] == (
        "Walks last about an hour.\n\nBring:\n\n- comfy shoes\n- a \\*raincoat\\*"
    )
    assert "alert" not in json.dumps(walk)


def test_facts_come_from_the_record_and_unknowns_are_never_guessed(imported: Path) -> None:
    walkers = entry(imported, "millbrook-walking-friends")
    walk, leaders = walkers["activities"]
    # last_confirmed: the assured date, else the modified date; the oldest of the provider's.
    assert walkers["last_confirmed"] == "2026-08-15"
    assert walkers["last_confirmed"] != TODAY.isoformat()
    assert (walk["cost"], walk["how_to_join"], walk["delivery"]) == (
        "free",
        "drop-in",
        ["in-person"],
    )
    assert walk["when"] == leaders["when"] == "Contact the group for times"
    assert "schedule" not in walk
    # No fees given, or fees that are not simply "free": "Ask the group", in the feed's words.
    assert (leaders["cost"], "price" in leaders) == ("ask", False)
    tea = activities(imported, "riverside-neighbours")["Tea and chat"]
    assert (tea["cost"], tea["price"]) == ("ask", "Members £2, visitors £3")
    assert walk["who_for"] == "Older People"
    # Contact details that only repeat the provider's are not written twice.
    assert "website" not in walk and walk["email"] == "walks@walks.example.org"


def test_full_records_schedules_costs_places_and_ages(imported: Path) -> None:
    found = activities(imported, "eastfield-active")
    strength, advice = found["Strength and balance class"], found["Benefits advice"]
    assert strength["when"] == "Mondays and Thursdays, 10am to 12 noon"
    assert strength["schedule"] == [{"days": ["mon", "thu"], "from": "10:00", "to": "12:00"}]
    assert (strength["cost"], strength["price"]) == ("paid", "£3 a session")
    assert strength["venue"] == {
        "name": "Eastfield Community Hall",
        "address": "2 Chapel Street, Eastfield",
        "postcode": "AB3 2EF",
    }
    assert strength["domains"] == ["physical-activity"]  # from its taxonomy term
    assert (strength["age_min"], strength["age_max"]) == (16, 120)
    assert strength["languages"] == ["English", "Somali"]
    assert strength["accessibility_notes"] == "Level access and a hearing loop."
    assert strength["alert"] == "No class on 25 December."
    assert entry(imported, "eastfield-active")["charity_number"] == "1234567"
    # A schedule that is not weekly keeps its words but gives no structured sessions.
    assert (advice["when"], "schedule" in advice) == (
        "First Tuesday of the month, 2pm to 4pm",
        False,
    )
    assert (advice["cost"], advice["status"]) == ("free", "paused")
    craft = entry(imported, "online-craft-club")["activities"][0]
    assert (craft["cost"], craft["delivery"], "venue" in craft) == ("donation", ["online"], False)


def test_oruk_v1_records(imported: Path) -> None:
    lunch = entry(imported, "kingsway-lunch-club")["activities"][0]
    assert lunch["when"] == "Fridays, 12 noon to 1:30pm"
    assert lunch["schedule"] == [{"days": ["fri"], "from": "12:00", "to": "13:30"}]
    assert lunch["domains"] == ["healthy-eating"]  # the taxonomy "Lunch clubs"
    assert (lunch["phone"], lunch["age_min"], lunch["who_for"]) == (
        "01632 960555",
        60,
        "Older people",
    )
    assert (lunch["cost"], lunch["price"]) == ("ask", "£4 a meal")
    assert lunch["accessibility_notes"] == "Step-free entrance"


def test_areas_by_the_sites_postcodes_then_the_mappings_words_else_area_wide(
    imported: Path, site: Path
) -> None:
    found = activities(imported, "eastfield-active")
    assert found["Strength and balance class"]["locality"] == "south"  # "Eastfield"
    assert found["Benefits advice"]["locality"] == "north"  # "Northfield"
    assert activities(imported, "riverside-neighbours")["Tea and chat"]["locality"] == "all"
    with (site / "pelicanconf.py").open("a") as settings:
        settings.write('\nLOCALITY_POSTCODES = {"central": ["AB3"]}\n')
    import_oruk(site, FULL, today=TODAY)
    assert (
        activities(site, "eastfield-active")["Strength and balance class"]["locality"] == "central"
    )


def test_two_services_of_one_name_are_told_apart(imported: Path) -> None:
    tea = entry(imported, "riverside-neighbours")["activities"]
    assert [(a["name"], a["how_to_join"]) for a in tea] == [
        ("Tea and chat", "contact-first"),
        ("Tea and Chat (2)", "referral"),
    ]


def test_importing_the_same_feed_again_changes_nothing(imported: Path) -> None:
    before = files(imported)
    times = {p: p.stat().st_mtime_ns for p in (imported / "content" / "providers").iterdir()}
    for feed in (LIST_VIEW, FULL, V1):
        report = import_oruk(imported, feed, today=TODAY)
        assert (report.new, report.updated) == ([], [])
    assert files(imported) == before
    assert {p: p.stat().st_mtime_ns for p in times} == times


def test_importing_a_changed_feed_updates_the_same_files(imported: Path, tmp_path: Path) -> None:
    walkers = imported / "content" / "providers" / "millbrook-walking-friends.yaml"
    # The team adds what a feed never gives, and an activity of their own.
    text = (
        walkers.read_text()
        .replace(
            "last_confirmed:",
            "checked:\n  by: The directory team\n  on: 2026-10-01\nlast_confirmed:",
        )
        .replace(
            "    who_for: Older People\n",
            "    who_for: Older People\n    suitable_for: [arthritis]\n",
        )
    )
    text += (
        "  - name: Nordic walking\n    summary: Walking with poles.\n    domains: [physical-activity]\n"
        "    locality: all\n    when: Sundays\n    cost: free\n    how_to_join: drop-in\n"
    )
    walkers.write_text(text)
    feed = json.loads(LIST_VIEW.read_text())
    feed[0]["description"] = "<p>A longer walk now. Two hours.</p>"
    feed[0]["organization"]["name"] = "Millbrook Walkers"
    feed[0]["assured_date"] = "2026-10-20"
    del feed[1]  # "Walk leader volunteers" has gone from the feed
    changed = tmp_path / "list-view.json"
    changed.write_text(json.dumps(feed))

    before = set(files(imported))
    report = import_oruk(imported, changed, today=TODAY)
    assert set(files(imported)) == before  # updated in place: no new file, none lost
    assert report.updated == [walkers]
    data = read_yaml(walkers).data
    assert data["name"] == "Millbrook Walkers"
    assert data["checked"] == {"by": "The directory team", "on": "2026-10-01"}
    walk, leaders, nordic = data["activities"]
    assert walk["summary"] == "A longer walk now. Two hours." and "details" not in walk
    assert walk["suitable_for"] == ["arthritis"]
    assert (leaders["name"], leaders["status"]) == ("Walk leader volunteers", "closed")
    assert "imported_from" not in nordic
    assert len(report.closed) == 1
    assert report.closed[0].endswith("millbrook-walking-friends.yaml: Walk leader volunteers")
    _, problems = load_directory(imported, site_settings(imported), today=TODAY)
    assert problems == []
    after = files(imported)
    again = import_oruk(imported, changed, today=TODAY)
    assert (again.updated, again.closed, files(imported)) == ([], [], after)


def test_a_provider_written_by_hand_is_never_taken_over(site: Path, tmp_path: Path) -> None:
    shelter = write_provider(site, "anytown-cat-and-dog-shelter", GOOD_PROVIDER)
    feed = json.loads(LIST_VIEW.read_text())[:1]
    feed[0]["organization"]["name"] = "Anytown Cat and Dog Shelter"
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(feed))
    report = import_oruk(site, path, today=TODAY)
    assert shelter.read_text() == GOOD_PROVIDER
    assert [s.id for s in report.skipped] == ["svc-walk-1"]
    assert "not imported from this feed" in report.skipped[0].reason
    assert sorted(files(site)) == ["anytown-cat-and-dog-shelter.yaml"]


def test_a_mapping_file_sets_topics_and_areas(site: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "# our own rules\n"
        "domains:\n  arts-for-health:\n    words: [carpet*]\n"
        "otherwise: [befriending]\n"
        "localities:\n  central:\n    postcodes: [AB3]\n"
    )
    with (site / "pelicanconf.py").open("a") as settings:
        settings.write("\nLOCALITY_POSTCODES = {}\n")
    import_oruk(site, LIST_VIEW, mapping=mapping, today=TODAY)
    import_oruk(site, FULL, mapping=mapping, today=TODAY)
    assert activities(site, "carpet-cleaning")["Carpet cleaning"]["domains"] == ["arts-for-health"]
    walk = activities(site, "millbrook-walking-friends")["Millbrook Health Walk"]
    assert walk["domains"] == ["befriending"]  # no words for walking here: "otherwise"
    assert walk["how_to_join"] == "contact-first"  # nothing to read "Drop-in" by
    strength = activities(site, "eastfield-active")["Strength and balance class"]
    assert strength["locality"] == "central"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("domains:\n  knitting:\n    words: [knit*]\n", 'names "knitting", which is not a topic'),
        ("localities:\n  west:\n    words: [West]\n", 'names "west", which is not an area'),
        ("domains: [walking]\n", "domains should list"),
        ("colours: {}\n", "colours is not a section we know"),
        ("domains:\n  befriending:\n    words: [lonely, 3]\n", "should be a list of words"),
        ("how_to_join:\n  phone-first: [phone]\n", 'names "phone-first", which is not a value'),
    ],
)
def test_a_mapping_mistake_is_one_clear_message(
    site: Path, tmp_path: Path, text: str, message: str
) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(text)
    with pytest.raises(MappingError, match=message):
        import_oruk(site, LIST_VIEW, mapping=mapping, today=TODAY)
    assert files(site) == {}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.json", "There is no file"),
        ("broken.json", "is not valid JSON (line 1"),
        ("not-a-feed.json", "is not an Open Referral UK services feed"),
        ("organisations.json", "holds no Open Referral UK service records"),
    ],
)
def test_a_bad_file_gets_one_clear_message_and_writes_nothing(
    site: Path, name: str, message: str
) -> None:
    write_provider(site, "anytown-cat-and-dog-shelter", GOOD_PROVIDER)
    before = files(site)
    with pytest.raises(FeedError, match=re.escape(message)):
        import_oruk(site, FIXTURES / name, today=TODAY)
    result = subprocess.run(
        [HEALTHDIR, "import", "oruk", str(FIXTURES / name)],
        cwd=site,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("healthdir import: ")
    assert "Nothing has been changed." in result.stderr
    assert files(site) == before


def test_the_command_imports_then_check_and_build_pass(site: Path) -> None:
    shutil.copy(LIST_VIEW, site / "services.json")
    run = subprocess.run(
        [HEALTHDIR, "import", "oruk", "services.json", "--feed", "riverside-council"],
        cwd=site,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert 'from services.json (feed "riverside-council"). Imported 6 of the 9' in run.stdout
    assert "Provider files: 4 new, 0 updated, 0 unchanged." in run.stdout
    assert 'svc-no-date "Money advice line": gives no date' in run.stdout
    assert entry(site, "riverside-neighbours")["imported_from"]["feed"] == "riverside-council"
    check = subprocess.run([HEALTHDIR, "check"], cwd=site, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    again = subprocess.run(
        [HEALTHDIR, "import", "oruk", "services.json", "--feed", "riverside-council"],
        cwd=site,
        capture_output=True,
        text=True,
    )
    assert "Provider files: 0 new, 0 updated, 4 unchanged." in again.stdout


NO_CONTACT = (
    "No contact details were given. Check the %(feed)s directory, where this listing comes from."
)


def test_a_service_with_no_contact_is_imported_and_says_so_wherever_contact_is_shown(
    imported: Path,
) -> None:
    build(imported, imported / "output", today=TODAY)
    said = NO_CONTACT % {"feed": "list-view"}
    output = imported / "output"
    page = output / "activities" / "st-mark-s-church" / "warm-space-at-st-mark-s" / "index.html"
    soup = BeautifulSoup(page.read_text(), "html.parser")
    get_in_touch = soup.find("h2", string="Get in touch")
    assert get_in_touch.find_next_sibling().get_text(strip=True) == said
    assert soup.select(".hd-contact") == []  # no empty list of ways to get in touch
    sms = soup.find("a", string="Send to a phone")["href"]
    assert "Contact%3A%20No%20contact%20details%20were%20given." in sms
    leaflet = (output / "leaflets" / "domains" / "befriending" / "index.html").read_text()
    assert f"<dt>Contact</dt><dd>{said}</dd>" in leaflet.replace("&#39;", "'")
    # In each language: on its pages, and in search results made from the index.
    bengali = i18n.languages(site_settings(imported))[1]
    with i18n.use(bengali):
        in_bengali = i18n.gettext(NO_CONTACT, feed="list-view")
        found = SearchIndex(imported / "search-index").search("warm space at st mark's")
        assert found.results[0].item.contact == in_bengali
    assert in_bengali != said
    page = output / "bn" / page.relative_to(output)
    assert in_bengali in page.read_text()
    # The team's freshness report lists it as needing contact details.
    freshness = subprocess.run(
        [HEALTHDIR, "freshness", "--date", TODAY.isoformat()],
        cwd=imported,
        capture_output=True,
        text=True,
    )
    assert freshness.stdout.endswith(
        "Imported with no contact details (add a phone, email or website): 1\n"
        "  St Mark's Church (st-mark-s-church): Warm space at St Mark's\n"
    )


def test_with_a_venue_it_says_to_ask_there(site: Path, tmp_path: Path) -> None:
    record = json.loads(FULL.read_text())["contents"][1]  # at Northfield Library
    for name in ("url", "organization", "status"):
        del record[name]
    feed = tmp_path / "advice.json"
    feed.write_text(json.dumps([record]))
    report = import_oruk(site, feed, feed="Riverside Council", today=TODAY)
    assert [n.id for n in report.no_contact] == [record["id"]]
    directory, problems = load_directory(site, site_settings(site), today=TODAY)
    assert problems == []
    [activity] = directory.listed_activities()
    assert activity.venue.name == "Northfield Library"
    assert summarise(activity, "").contact == (
        "No contact details were given. Ask at the venue, or check the Riverside Council "
        "directory, where this listing comes from."
    )


def test_an_activity_with_no_contact_written_by_hand_is_still_refused(imported: Path) -> None:
    path = imported / "content" / "providers" / "st-mark-s-church.yaml"
    hand_written = (
        "  - name: Soup lunch\n    summary: Soup and bread.\n    domains: [healthy-eating]\n"
        "    locality: all\n    when: Fridays at noon\n    cost: free\n"
        "    how_to_join: drop-in\n"
    )
    path.write_text(path.read_text().replace("activities:\n", f"activities:\n{hand_written}"))
    check = subprocess.run([HEALTHDIR, "check"], cwd=imported, capture_output=True, text=True)
    assert check.returncode == 1
    assert check.stdout.splitlines() == [
        "content/providers/st-mark-s-church.yaml:7: activities[0]: has no way to get in "
        "touch. Add a phone, email or website to this activity or to the provider."
    ]


def oruk_errors(name: str, instance: object) -> list[str]:
    schemas = {p.name: json.loads(p.read_text()) for p in (FIXTURES.parent / "oruk").glob("*.json")}
    registry = Registry().with_resources(
        (file, Resource.from_contents(schema, default_specification=DRAFT202012))
        for file, schema in schemas.items()
    )
    validator = Draft202012Validator(schemas[name], registry=registry)
    return [e.message for e in validator.iter_errors(instance)]


def test_an_imported_site_builds_and_its_open_data_is_valid(imported: Path) -> None:
    directory = build(imported, imported / "output", today=TODAY)
    assert len(directory.listed_activities()) == 10
    services = json.loads((imported / "output" / "data" / "services.json").read_text())
    by_name = {s["name"]: s for s in services["contents"]}
    assert all(oruk_errors("service.json", s) == [] for s in services["contents"])
    # A cost nobody gave is not stated as a cost option; a known one is.
    assert by_name["Tea and chat"]["cost_options"] == []
    assert by_name["Tea and chat"]["fees"] == "Members £2, visitors £3"
    assert by_name["Strength and balance class"]["cost_options"][0]["option"] == "Paid"
    page = (
        imported / "output" / "activities" / "riverside-neighbours" / "tea-and-chat" / "index.html"
    )
    assert "Ask the group" in page.read_text()


def test_the_schema_knows_imported_from() -> None:
    data = read_yaml(REPO / "content" / "providers" / "anytown-foodbank.yaml").data
    data["imported_from"] = {"feed": "council", "id": "42"}
    data["activities"][0]["imported_from"] = {"feed": "council", "id": "43"}
    localities = ["north", "central", "south"]
    assert validate_entry(data, DOMAINS, localities, TODAY) == []
    data["activities"][0]["imported_from"] = {"feed": "council", "number": "43"}
    found = validate_entry(data, DOMAINS, localities, TODAY)
    assert {path[-1] for path, _ in found} == {"number", "id"}


@pytest.mark.parametrize(
    ("html", "summary", "details"),
    [
        # A lead-in and its list make one sentence.
        (
            "<p>Services:</p><ul><li>food</li><li>wifi</li></ul><p>More.</p>",
            "Services: food; wifi.",
            "More.",
        ),
        # Headings that are not sentences stay out of the summary, and in the details.
        (
            "<h2>About us</h2><p>We sing. Every week.</p><p>Then tea.</p>",
            "We sing. Every week.",
            "About us\n\nThen tea.",
        ),
        # Entities, non-breaking and zero-width spaces, comments and styles go.
        ("<div style='x'>Tea&nbsp;&amp; cake\u200b<!-- note --></div>", "Tea & cake", ""),
        # A link's address is kept when its words do not say it.
        (
            '<p>See <a href="https://a.example.org/x">our page</a>.</p>',
            "See our page (https://a.example.org/x).",
            "",
        ),
        # Plain text (no tags) keeps its paragraphs.
        ("One line.\n\nSecond line.\n3. Third", "One line. Second line.", "3\\. Third"),
    ],
)
def test_html_to_summary_and_details(html: str, summary: str, details: str) -> None:
    found, rest = summary_and_rest(blocks(html))
    assert (found, as_markdown(rest)) == (summary, details)


def test_a_first_sentence_too_long_for_a_summary_is_cut_at_a_word() -> None:
    text = "<p>" + "word " * 100 + "end.</p>"
    summary, rest = summary_and_rest(blocks(text), limit=50)
    assert summary.endswith("…") and len(summary) <= 50 and " wor…" not in summary
    assert as_markdown(rest).endswith("end.")  # nothing lost: the details keep it all


def test_a_service_that_can_no_longer_be_imported_keeps_its_last_details(
    imported: Path, tmp_path: Path
) -> None:
    feed = json.loads(LIST_VIEW.read_text())
    feed[2]["fees"] = "Members \x07£2"  # "Tea and chat": a price the entry model refuses
    feed[2]["description"] = "<p>Changed.</p>"
    changed = tmp_path / "list-view.json"
    changed.write_text(json.dumps(feed))
    before = activities(imported, "riverside-neighbours")["Tea and chat"]
    report = import_oruk(imported, changed, today=TODAY)
    assert activities(imported, "riverside-neighbours")["Tea and chat"] == before
    reason = {s.id: s.reason for s in report.skipped}["svc-tea-1"]
    assert reason.startswith("price: contains an invisible control character")
    assert reason.endswith("(the file keeps its details from before)")


def test_contact_details_in_the_file_stay_while_the_feed_gives_none(
    imported: Path, tmp_path: Path
) -> None:
    st_marks = imported / "content" / "providers" / "st-mark-s-church.yaml"
    # The team found a phone number for the service the feed gives no contact for.
    st_marks.write_text(
        st_marks.read_text().replace("    summary:", "    phone: 01632 960456\n    summary:")
    )
    feed = json.loads(LIST_VIEW.read_text())
    feed[2]["email"] = ""  # "Tea and chat": the feed no longer gives its email
    feed[2]["description"] = "<p>Changed.</p>"
    changed = tmp_path / "list-view.json"
    changed.write_text(json.dumps(feed))
    report = import_oruk(imported, changed, today=TODAY)
    tea = activities(imported, "riverside-neighbours")["Tea and chat"]
    assert (tea["summary"], tea["email"]) == ("Changed.", "tea@riverside.example.org")
    assert activities(imported, "st-mark-s-church")["Warm space at St Mark's"]["phone"] == (
        "01632 960456"
    )
    assert report.no_contact == []
    assert [s.id for s in report.skipped if "contact" in s.reason] == []


def test_a_later_confirmation_by_a_person_survives_an_unchanged_feed(
    imported: Path, tmp_path: Path
) -> None:
    knit = imported / "content" / "providers" / "southmoor-knit-and-natter.yaml"
    confirmed = knit.read_text().replace("last_confirmed: 2026-06-30", "last_confirmed: 2026-11-01")
    knit.write_text(confirmed)
    import_oruk(imported, LIST_VIEW, today=TODAY)
    assert knit.read_text() == confirmed
    feed = json.loads(LIST_VIEW.read_text())
    feed[4]["description"] = "Knitting only now."  # changed, as of its own assured date
    changed = tmp_path / "list-view.json"
    changed.write_text(json.dumps(feed))
    import_oruk(imported, changed, today=TODAY)
    assert entry(imported, "southmoor-knit-and-natter")["last_confirmed"] == "2026-06-30"


def test_contact_details_given_only_in_the_description_are_used() -> None:
    from open_data.oruk_records import contact_in_text

    listing = (
        '<h3><a href="http://A Church Hall">A Church Hall</a></h3>'
        '<p><a href="https://pantry.example.org/food/">Pantry</a> '
        '<a href="mailto:pantry@example.org">email</a> <a href="tel:01632 960123">call</a></p>'
    )
    assert contact_in_text(listing) == {
        "website": "https://pantry.example.org/food/",
        "email": "pantry@example.org",
        "phone": "01632 960123",
    }
    assert contact_in_text("<p>No way to get in touch.</p>") == {}
