"""The entry model: safe YAML, schema and semantic checks, each message a volunteer reads."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
import yaml
from conftest import GOOD_PROVIDER, TODAY, write_provider

from entries import load_directory
from entries.site_settings import site_settings
from entries.yaml_source import MAX_FILE_BYTES, parse_yaml


def problems(site: Path, text: str, slug: str = "shelter") -> list[tuple[int, str, str]]:
    path = write_provider(site, slug, text)
    _, found = load_directory(site, site_settings(site), paths=[path], today=TODAY)
    return [(p.line, p.field, p.message) for p in found]


def test_good_provider_loads_into_the_model(site: Path) -> None:
    write_provider(site, "anytown-cat-and-dog-shelter", GOOD_PROVIDER)
    directory, found = load_directory(site, site_settings(site), today=TODAY)
    assert found == []
    [provider] = directory.providers
    assert provider.slug == "anytown-cat-and-dog-shelter"
    assert provider.last_confirmed.isoformat() == "2026-10-14"
    assert provider.checked_by == "Anytown Community Health Partnership"
    [activity] = provider.activities
    assert activity.slug == "dog-walking-volunteers"
    assert activity.url == "activities/anytown-cat-and-dog-shelter/dog-walking-volunteers/"
    assert activity.domains == ("physical-activity", "volunteering")
    assert activity.days == ("sat", "sun")
    assert activity.venue.postcode == "AB1 2CD"
    assert activity.contact.email == "walks@shelter.example.org"
    assert activity.age_min == 16
    assert "<p>Wear boots." in activity.details_html


def test_reading_an_entry_keeps_nothing_of_its_yaml_node_tree() -> None:
    """The node tree is only for line numbers: kept, it was 200 MB at 10,000 providers."""

    def nodes() -> int:
        gc.collect()
        return sum(isinstance(o, yaml.Node) for o in gc.get_objects())

    before = nodes()
    documents = [parse_yaml(GOOD_PROVIDER) for _ in range(3)]
    assert all(doc.data["name"] for doc in documents)
    assert nodes() == before


def test_wrong_enum_value_names_file_line_field_and_choices(site: Path) -> None:
    text = GOOD_PROVIDER.replace("cost: free", "cost: fre")
    path = write_provider(site, "shelter", text)
    _, found = load_directory(site, site_settings(site), paths=[path], today=TODAY)
    assert [str(p) for p in found] == [
        f'{path}:21: activities[0].cost: "fre" is not one of: free, donation, paid, ask'
    ]


def test_misspelt_field_name_suggests_the_right_one(site: Path) -> None:
    text = GOOD_PROVIDER.replace("    summary:", "    sumary:")
    assert problems(site, text) == [
        (12, "activities[0].summary", "is missing. Add it: one or two short sentences."),
        (13, "activities[0].sumary", '"sumary" is not a field we know. Did you mean "summary"?'),
    ]


def test_unknown_top_level_field_lists_the_fields(site: Path) -> None:
    text = GOOD_PROVIDER.replace("about:", "colour: blue\nabout:")
    [(line, field, message)] = problems(site, text)
    assert (line, field) == (2, "colour")
    assert message.startswith(
        '"colour" is not a field we know. Fields here are: about, activities,'
    )


def test_missing_required_fields(site: Path) -> None:
    text = "name: Tiny Group\nlast_confirmed: 2026-10-01\n"
    assert problems(site, text) == [
        (1, "activities", "is missing. List at least one activity under activities:."),
    ]
    text = GOOD_PROVIDER.replace("    how_to_join: drop-in\n", "")
    assert problems(site, text) == [
        (
            12,
            "activities[0].how_to_join",
            "is missing. Add it: one of drop-in, contact-first, referral.",
        ),
    ]


def test_unquoted_time_gets_a_quoting_hint(site: Path) -> None:
    text = GOOD_PROVIDER.replace('from: "10:00"', "from: 10:00")
    assert problems(site, text) == [
        (
            20,
            "activities[0].schedule[0].from",
            'write times in quotes, such as "10:00", or YAML reads them as a number.',
        )
    ]


def test_impossible_date_is_reported_not_crashed_on(site: Path) -> None:
    text = GOOD_PROVIDER.replace("last_confirmed: 2026-10-14", "last_confirmed: 2026-02-30")
    assert problems(site, text) == [
        (
            7,
            "last_confirmed",
            '"2026-02-30" is not a real date. Write it as YYYY-MM-DD, such as 2026-10-14.',
        )
    ]


def test_future_date_is_refused(site: Path) -> None:
    text = GOOD_PROVIDER.replace("last_confirmed: 2026-10-14", "last_confirmed: 2027-01-05")
    assert problems(site, text) == [
        (
            7,
            "last_confirmed",
            "2027-01-05 is in the future. Use the day someone actually confirmed these details.",
        )
    ]


def test_bad_website_email_and_charity_number(site: Path) -> None:
    text = (
        GOOD_PROVIDER.replace("https://shelter.example.org", "shelter dot org")
        .replace("walks@shelter.example.org", "walks at shelter")
        .replace('"1234567"', "1234567")
    )
    assert problems(site, text) == [
        (
            3,
            "website",
            '"shelter dot org" doesn\'t look like a full web address starting with https://, for example https://mygroup.example.org.',
        ),
        (
            4,
            "email",
            '"walks at shelter" doesn\'t look like one email address such as hello@mygroup.example.org.',
        ),
        (6, "charity_number", 'should be text. Put it in quotes: "1234567".'),
    ]


def test_unknown_domain_and_locality(site: Path) -> None:
    text = GOOD_PROVIDER.replace(
        "[physical-activity, volunteering]", "[physical-activity, exercise]"
    )
    text = text.replace("locality: north", "locality: nroth")
    assert problems(site, text) == [
        (
            16,
            "activities[0].domains[1]",
            '"exercise" is not one of the directory\'s domains: physical-activity, healthy-eating, arts-for-health, befriending, welfare-rights, volunteering',
        ),
        (
            17,
            "activities[0].locality",
            '"nroth" is not one of: north, central, south, or all (for activities open to the whole area)',
        ),
    ]


def test_activity_needs_a_way_to_get_in_touch(site: Path) -> None:
    text = "\n".join(
        line
        for line in GOOD_PROVIDER.splitlines()
        if not line.startswith(("website:", "email:", "phone:"))
    )
    assert problems(site, text) == [
        (
            9,
            "activities[0]",
            "has no way to get in touch. Add a phone, email or website to this activity or to the provider.",
        )
    ]
    with_own_phone = text.replace("    cost: free", "    phone: 01632 960999\n    cost: free")
    assert problems(site, with_own_phone) == []


def test_postcode_must_look_like_a_uk_postcode(site: Path) -> None:
    text = GOOD_PROVIDER.replace("postcode: AB1 2CD", "postcode: AB1")
    assert problems(site, text) == [
        (
            26,
            "activities[0].venue.postcode",
            '"AB1" doesn\'t look like a full UK postcode, such as AB1 2CD.',
        )
    ]
    assert problems(site, GOOD_PROVIDER.replace("AB1 2CD", "ab12cd")) == []


def test_ages_and_schedule_must_make_sense(site: Path) -> None:
    text = GOOD_PROVIDER.replace("age_min: 16", "age_min: 16\n    age_max: 12")
    text = text.replace('to: "12:00"', 'to: "09:00"')
    assert problems(site, text) == [
        (
            20,
            "activities[0].schedule[0]",
            'starts at 10:00 but ends at 09:00: "from" must be earlier than "to".',
        ),
        (29, "activities[0].age_min", "(16) is more than age_max (12). Swap them round."),
    ]


def test_two_activities_with_the_same_name(site: Path) -> None:
    activity = GOOD_PROVIDER[GOOD_PROVIDER.index("  - name: Dog walking") :]
    text = GOOD_PROVIDER + activity.replace("Dog walking volunteers", "Dog Walking Volunteers!")
    [(line, field, message)] = problems(site, text)
    assert (line, field) == (34, "activities[1].name")
    assert message.startswith('has the same name as activity 1 ("Dog walking volunteers")')


def test_file_name_must_be_a_slug(site: Path) -> None:
    assert problems(site, GOOD_PROVIDER, slug="Cat Shelter") == [
        (
            1,
            "file name",
            '"Cat Shelter.yaml" must use only lowercase letters, numbers and hyphens, such as cat-shelter.yaml',
        )
    ]


def test_no_two_providers_share_a_name(site: Path) -> None:
    write_provider(site, "anytown-cat-and-dog-shelter", GOOD_PROVIDER)
    copy = write_provider(
        site, "cat-shelter", GOOD_PROVIDER.replace("Anytown Cat and Dog", "anytown  cat and dog")
    )
    directory, found = load_directory(site, site_settings(site), today=TODAY)
    assert [(Path(p.file).name, p.field) for p in found] == [("cat-shelter.yaml", "name")]
    assert "is already listed in" in found[0].message
    assert len(directory.providers) == 1
    # Checking one file still compares it with every other provider.
    _, found = load_directory(site, site_settings(site), paths=[copy], today=TODAY)
    assert [p.field for p in found] == ["name"]


def test_five_mistakes_are_all_reported_at_once(site: Path) -> None:
    text = (
        GOOD_PROVIDER.replace("cost: free", "cost: fre")
        .replace("locality: north", "locality: nowhere")
        .replace("    summary:", "    sumary:")
        .replace("email: walks@shelter.example.org", "emial: walks@shelter.example.org")
        .replace("age_min: 16", "age_min: sixteen")
    )
    found = problems(site, text)
    assert [field for _, field, _ in found] == [
        "emial",
        "activities[0].summary",
        "activities[0].sumary",
        "activities[0].locality",
        "activities[0].cost",
        "activities[0].age_min",
    ]
    assert found[3][2].startswith('"nowhere" is not one of: north, central, south, or all')


class TestSafeYaml:
    def test_aliases_and_anchors_are_refused(self, site: Path) -> None:
        text = GOOD_PROVIDER.replace(
            "  - name: Dog walking volunteers", "  - &walk\n    name: Dog walking volunteers"
        )
        text += "  - *walk\n"
        found = problems(site, text)
        assert found == [
            (
                12,
                "",
                "uses a YAML anchor (&walk), which is not allowed. Remove it and write the details out in full.",
            ),
            (
                35,
                "",
                "uses a YAML alias (*walk), which is not allowed. Write the details out in full instead.",
            ),
        ]

    def test_billion_laughs_is_refused_quickly(self, site: Path) -> None:
        lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        for n in range(1, 9):
            prev = chr(ord("a") + n - 1)
            lines.append(
                f"{chr(ord('a') + n)}: &{chr(ord('a') + n)} [" + ",".join([f"*{prev}"] * 9) + "]"
            )
        found = problems(site, "\n".join(lines) + "\n")
        assert any("YAML alias" in message for _, _, message in found)

    def test_custom_tags_are_refused(self, site: Path) -> None:
        text = GOOD_PROVIDER.replace(
            "about: Volunteer",
            "about: !!python/object/apply:os.system [echo hi]\nabout2: Volunteer",
        )
        found = problems(site, text)
        assert (
            2,
            "about",
            "uses the YAML tag !!python/object/apply:os.system, which is not allowed. Remove it and write plain text.",
        ) in found

    def test_duplicate_keys_are_refused(self, site: Path) -> None:
        text = GOOD_PROVIDER.replace("about: Volunteer", "name: Other name\nabout: Volunteer")
        assert problems(site, text) == [
            (2, "name", "appears twice (first on line 1). Keep one and delete the other.")
        ]

    def test_broken_yaml_gives_the_line(self, site: Path) -> None:
        text = GOOD_PROVIDER.replace("    cost: free", "   cost: free")
        [(line, _field, message)] = problems(site, text)
        assert line == 21
        assert message.startswith("this is not valid YAML (")

    def test_oversized_file_is_refused_before_parsing(self, site: Path) -> None:
        text = GOOD_PROVIDER + "#" + "x" * MAX_FILE_BYTES + "\n"
        [(_line, _field, message)] = problems(site, text)
        assert message.startswith("is too big (")

    def test_empty_and_non_mapping_files(self, site: Path) -> None:
        assert problems(site, "") == [(1, "", "the file is empty.")]
        assert problems(site, "- just\n- a list\n") == [
            (1, "", "should be a set of fields (name:, last_confirmed:, activities:…).")
        ]

    def test_non_utf8_file(self, site: Path) -> None:
        path = site / "content" / "providers" / "latin.yaml"
        path.write_bytes("name: Caf\xe9\n".encode("latin-1"))
        _, found = load_directory(site, site_settings(site), paths=[path], today=TODAY)
        assert [p.message for p in found] == ["is not saved as UTF-8 text. Save it again as UTF-8."]


@pytest.mark.parametrize(
    "postcode",
    ["AB1 2CD", "AB12 3CD", "A1 2BD", "W1A 1AA", "EC1A 1BB", "M1 1AE", "ab12cd", "B33 8TH"],
)
def test_real_postcode_shapes_are_accepted(postcode: str) -> None:
    from entries.model import is_uk_postcode

    assert is_uk_postcode(postcode)


@pytest.mark.parametrize("postcode", ["AB1", "12345", "ABC 123", "AB1 2C", "1AB 2CD", "AB1 2CD3"])
def test_non_postcodes_are_refused(postcode: str) -> None:
    from entries.model import is_uk_postcode

    assert not is_uk_postcode(postcode)
