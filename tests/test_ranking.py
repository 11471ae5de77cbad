"""Each ranking mechanism on a small directory written here: coverage, field weights, word
pairs, synonym weighting and intents, filler words, typos in long queries, filters said in
words, places, and whole-sentence snippets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO, TODAY, write_provider

from entries import load_directory
from entries.site_settings import site_settings
from search import Filters, SearchIndex, build_index

ACTIVITY = """\
  - name: {name}
    summary: {summary}
    details: {details}
    domains: [{domains}]
    locality: {locality}
    when: Tuesdays, 10am to 12 noon
    schedule:
      - {{days: [{day}], from: "10:00", to: "12:00"}}
    cost: {cost}
    how_to_join: drop-in
    accessibility: [{access}]
"""


def provider(name: str, *activities: dict[str, str]) -> str:
    defaults = {
        "details": "Everyone welcome.",
        "domains": "arts-for-health",
        "locality": "north",
        "day": "tue",
        "cost": "paid",
        "access": "hearing-loop",
    }
    items = "".join(ACTIVITY.format(**{**defaults, **a}) for a in activities)
    return f"name: {name}\nphone: 01632 960123\nlast_confirmed: 2026-11-01\nactivities:\n{items}"


GROUPS = {
    "pottery-name": provider(
        "Clay Friends", {"name": "Pottery evenings", "summary": "Make things from clay."}
    ),
    "pottery-provider": provider(
        "Anytown Pottery Studio", {"name": "Open studio", "summary": "Make things from clay."}
    ),
    "pottery-summary": provider(
        "Maker Space", {"name": "Clay club", "summary": "Pottery for all levels."}
    ),
    "pottery-details": provider(
        "Craft Corner",
        {"name": "Craft mornings", "summary": "Crafts of all kinds.", "details": "Some pottery."},
    ),
    "knitting": provider(
        "Millbrook Knitters",
        {"name": "Knitting circle", "summary": "Knitting and crochet for beginners and experts."},
        {
            "name": "Knitting knitting knitting",
            "summary": "Knitting, knitting and more knitting.",
        },
    ),
    "company": provider(
        "Anytown Friends",
        {
            "name": "Home visits",
            "summary": "A volunteer befriender visits you at home for a chat.",
            "domains": "befriending",
        },
        {
            "name": "Become a visitor",
            "summary": "Visit people who are lonely. Training given.",
            "domains": "volunteering, befriending",
        },
    ),
    "said-lonely": provider(
        "Lonely No More",
        {
            "name": "Lonely no more café",
            "summary": "For anyone who feels lonely, with tea and a chat.",
            "domains": "befriending",
        },
    ),
    "yoga": provider(
        "Gentle Yoga",
        {
            "name": "Chair yoga",
            "summary": "Gentle yoga for older people. First sentence ends here. Then a second one!",
            "domains": "physical-activity",
            "locality": "south",
            "day": "thu",
            "cost": "free",
            "access": "step-free",
        },
    ),
}


def indexed(site: Path, groups: dict[str, str]) -> SearchIndex:
    """A search index of ``groups`` (slug → provider file), built in ``site``."""
    shutil.copy(REPO / "pelicanconf.py", site)
    shutil.copytree(REPO / "content" / "domains", site / "content" / "domains")
    (site / "content" / "providers").mkdir()
    for slug, text in groups.items():
        write_provider(site, slug, text)
    directory, problems = load_directory(site, site_settings(site), today=TODAY)
    assert problems == []
    build_index(directory, site / "index")
    return SearchIndex(site / "index")


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    return indexed(tmp_path_factory.mktemp("ranking"), GROUPS)


def names(index: SearchIndex, text: str, n: int = 10, **filters: object) -> list[str]:
    return [r.item.name for r in index.search(text, Filters(**filters), limit=n).results]


def test_field_weights_name_then_provider_then_summary_then_details(index: SearchIndex) -> None:
    assert names(index, "pottery")[:4] == [
        "Pottery evenings",
        "Open studio",
        "Clay club",
        "Craft mornings",
    ]


def test_coverage_puts_activities_with_every_word_first(index: SearchIndex) -> None:
    found = names(index, "knitting beginners")
    assert found[0] == "Knitting circle"  # has both words, however often the other says one
    assert "Knitting knitting knitting" in found  # a partial match follows, not vanishes


def test_words_side_by_side_earn_a_bonus(index: SearchIndex) -> None:
    # Both say "chair" and "yoga"; only one says them together, in that order.
    assert names(index, "chair yoga")[0] == "Chair yoga"


def test_a_word_as_typed_beats_synonyms_and_for_me_beats_to_help(index: SearchIndex) -> None:
    found = names(index, "lonely")
    assert found[0] == "Lonely no more café"  # says "lonely"
    # Found through befriending, ahead of the volunteering role that says "lonely".
    assert found.index("Home visits") < found.index("Become a visitor")


def test_filler_words_need_not_match(index: SearchIndex) -> None:
    found = index.search("help with a yoga group near me please")
    assert [r.item.name for r in found.results] == ["Chair yoga"]
    assert not found.any_word


def test_typos_are_corrected_inside_longer_queries(index: SearchIndex) -> None:
    found = index.search("gentle yogga for older peple")
    assert found.results[0].item.name == "Chair yoga"
    assert found.suggestion == "gentle yoga for older people"


def test_days_and_places_in_words_become_filters(index: SearchIndex) -> None:
    found = index.search("yoga near Anytown South on Thursdays")
    assert found.query == "yoga"
    assert found.understood == {"locality": ["south"], "day": ["thu"]}
    assert [r.item.name for r in found.results] == ["Chair yoga"]
    assert index.search("yoga in Anytown North").total == 0


def test_everyday_words_point_at_filter_values(index: SearchIndex) -> None:
    # Nothing says "wheelchair", but step-free access is what it means.
    assert names(index, "wheelchair")[0] == "Chair yoga"
    assert names(index, "free")[0] == "Chair yoga"


def test_snippets_are_whole_sentences_with_the_words_marked(index: SearchIndex) -> None:
    [result] = index.search("older", limit=1).results
    assert result.snippet == (
        "Gentle yoga for <mark>older</mark> <mark>people</mark>. First sentence ends here."
    )
    assert result.item.confirmed == "1 November 2026"


def test_a_lone_guess_is_not_enough_when_the_rest_finds_nothing(index: SearchIndex) -> None:
    assert index.search("scuba yogga").total == 0


def test_a_corrected_word_brings_its_thesaurus_words() -> None:
    from search.concepts import concepts

    asked = concepts("lonley", lambda part: part == "lonley", lambda word, near: "lonely")
    assert asked[0].corrected_to == "lonely"
    assert ("befriend",) in asked[0].also  # the thesaurus's words for "lonely"


def test_a_phrase_of_filler_words_is_matched_only_through_the_thesaurus() -> None:
    from search.concepts import concepts

    asked = concepts("helping out", lambda part: False, lambda word, near: None)
    assert asked[0].stems == ()  # not every listing that says "help"
    assert ("volunt",) in asked[0].also


SCORING = {
    "repeats": provider(
        "Potters Guild",
        {
            "name": "Pottery pottery",
            "summary": "Pottery, pottery and more pottery.",
            "details": "Pottery every week, pottery for all, pottery wheels, pottery glazes.",
        },
    ),
    "once": provider("Makers", {"name": "Pottery", "summary": "Make things from clay."}),
    "quilting": provider("Patchwork", {"name": "Quilting", "summary": "Sew a quilt."}),
    **{
        f"common-{n}": provider(
            f"Hall {n}", {"name": f"Hall {n} drop-in", "summary": "A community get-together."}
        )
        for n in range(6)
    },
    "befriending": provider(
        "Good Neighbours",
        {"name": "Befriending visits", "summary": "Befriending at home, once a week."},
    ),
    "befriending-phone": provider(
        "Phone Friends", {"name": "Telephone befriending", "summary": "A weekly befriending call."}
    ),
    "conversation": provider(
        "Language Swap",
        {"name": "Conversation club", "summary": "Practise a language, in pairs."},
    ),
    "day-care": provider(
        "Oak House", {"name": "Oak House", "summary": "Day care for older people."}
    ),
    "garden-day": provider(
        "Green Thumbs",
        {"name": "Garden open day", "summary": "Care for the garden on a sunny day."},
    ),
    "coffee": provider(
        "Bean There",
        {"name": "Afternoon pottery", "summary": "Clay work.", "details": "Coffee served."},
    ),
    "pottery-befriending": provider(
        "Kind Clay",
        {"name": "Pottery", "summary": "Clay work.", "details": "Befriending too."},
    ),
    "food-bank": provider(
        "Hilltop Food Bank", {"name": "Food bank", "summary": "Food parcels on referral."}
    ),
    "food-listing": provider(
        "Food Network",
        {
            "name": "Food, food and more food",
            "summary": "Food for all.",
            "details": "Community food and food clubs. A food bank is in the church hall.",
        },
    ),
    "chess-club": provider("Knights", {"name": "Chess club", "summary": "Chess for all."}),
    "chess-evenings": provider("Rooks", {"name": "Chess evenings", "summary": "Chess for all."}),
    "abuse": provider(
        "Safe Here",
        {"name": "Safe at home drop-in", "summary": "Advice for anyone facing domestic abuse."},
    ),
    "persistent-pain": provider(
        "Ease", {"name": "Pain toolkit", "summary": "Tools for living with persistent pain."}
    ),
    "pain-other": provider(
        "Stretch", {"name": "Gentle stretching", "summary": "Gentle, for joints and pain."}
    ),
    "accents": provider("Corner House", {"name": "Crêpe café", "summary": "Pancakes."}),
    **{
        f"coffee-{n}": provider(
            f"Cafe {n}",
            {"name": f"Cafe {n}", "summary": "Coffee and cake, with coffee to take away."},
        )
        for n in range(14)
    },
}


@pytest.fixture(scope="module")
def scoring(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    return indexed(tmp_path_factory.mktemp("scoring"), SCORING)


def scores(index: SearchIndex, text: str) -> dict[str, float]:
    return {r.item.name: r.score for r in index.search(text, limit=50).results}


def test_a_words_repeats_across_fields_saturate_once(scoring: SearchIndex) -> None:
    found = scores(scoring, "pottery")
    # Eleven times in three fields is more evidence than once in the name, but not
    # eleven times (or three fields' worth) more.
    assert found["Pottery"] < found["Pottery pottery"] < 1.5 * found["Pottery"]


def test_a_rare_word_counts_for_more_of_the_query_than_a_common_one(
    scoring: SearchIndex,
) -> None:
    found = names(scoring, "quilting community")
    assert found[0] == "Quilting"  # has only the rare word; six others only the common one


def test_thesaurus_words_are_one_term_so_a_rare_side_word_does_not_win(
    scoring: SearchIndex,
) -> None:
    found = names(scoring, "lonely")  # nobody says it: found through the thesaurus
    assert found.index("Befriending visits") < found.index("Conversation club")


def test_a_thesaurus_phrase_matches_only_side_by_side(scoring: SearchIndex) -> None:
    found = names(scoring, "respite")  # its thesaurus words include "day care"
    assert "Oak House" in found
    assert "Garden open day" not in found  # says "day" and "care", apart


def test_a_synonym_most_activities_use_covers_less_of_the_query(scoring: SearchIndex) -> None:
    # "coffee" is among the thesaurus words for "lonely", but most activities here say it.
    found = names(scoring, "lonely pottery")
    assert found.index("Pottery") < found.index("Afternoon pottery")


def test_a_concept_only_the_thesaurus_answers_counts_for_more(scoring: SearchIndex) -> None:
    # Nobody writes "lonely": the thesaurus is the only way to answer it, so a befriending
    # group covers more of the query than the one activity that says "quilting".
    found = names(scoring, "lonely quilting", n=50)
    assert found.index("Befriending visits") < found.index("Quilting")


def test_a_typed_phrase_counts_as_often_as_its_rarest_word(scoring: SearchIndex) -> None:
    # A listing full of "food" that says "food bank" once is not the food bank.
    found = names(scoring, "food bank")
    assert found.index("Food bank") < found.index("Food, food and more food")


def test_accents_are_folded_both_ways(scoring: SearchIndex) -> None:
    assert names(scoring, "cafe crepe")[0] == "Crêpe café"
    assert {"Crêpe café", "Cafe 3"} <= set(names(scoring, "café", n=50))


def test_a_thesaurus_phrase_is_found_whatever_its_determiners() -> None:
    from search.synonyms import split_phrases, stem_key

    # "paying the rent" is in the thesaurus; people write "my", "his", "the" or nothing.
    assert stem_key("paying his rent") == stem_key("paying the rent") == stem_key("paying rent")
    assert split_phrases("worried about paying his rent") == ["worried", "about", "paying his rent"]
    assert split_phrases("the") == ["the"]


def test_a_filler_word_found_is_a_little_evidence(scoring: SearchIndex) -> None:
    assert names(scoring, "chess club")[:2] == ["Chess club", "Chess evenings"]
    assert names(scoring, "chess")[:2] == ["Chess club", "Chess evenings"]  # A to Z tie


def test_a_corrected_word_that_completes_a_thesaurus_phrase(scoring: SearchIndex) -> None:
    found = scoring.search("domestic abuce")
    assert found.results[0].item.name == "Safe at home drop-in"
    assert found.suggestion == "domestic abuse"
    from search.concepts import concepts

    [concept] = concepts("domestic abuce", lambda part: part == "abuce", lambda word, near: "abuse")
    assert concept.corrected_to == "domestic abuse"
    assert ("refug",) in concept.also  # the thesaurus's words for the phrase


def test_the_same_thing_written_another_way_counts_almost_as_typed(
    scoring: SearchIndex,
) -> None:
    # synonyms.yaml: "chronic pain" and "persistent pain" are the same; "pain" alone is
    # only a related word. Nobody here writes "chronic pain".
    found = scores(scoring, "chronic pain")
    assert found["Pain toolkit"] > 2 * found["Gentle stretching"]
    assert scoring.search("chronic pain").any_word is False


def test_the_quick_stem_set_is_the_analysers() -> None:
    from search.fields import STEMMED, stem_set

    text = "Café Zoë's naïve walking groups, e.g. Tai-chi at 3.5 miles; it's NHS*111. A b"
    assert stem_set(text) == frozenset(token.text for token in STEMMED(text))
