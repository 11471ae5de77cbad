"""The words an index keeps for "did you mean": counted as the activities are indexed,
and suggested as Whoosh suggested them from a field of the index."""

from __future__ import annotations

from pathlib import Path

from search.spelling import WORDS_FILE, Vocabulary


def test_words_are_counted_as_written_weighted_by_the_activity() -> None:
    words = Vocabulary()
    words.add("Knitting and natter: knitting to go")
    words.add("Knitting circle", boost=0.8)  # an activity due for review counts for less
    assert "knitting" in words and "natter" in words
    assert "and" in words and "to" not in words  # words of three letters and more
    assert words.suggest("knittin", limit=5, maxdist=1, prefix=1) == ["knitting"]


def test_the_most_used_come_first_then_a_to_z() -> None:
    words = Vocabulary()
    for text in ("walk walk walk", "talk talk", "balk", "tall", "wall", "walks"):
        words.add(text)
    # All within two edits of "wakl" that begin with "w"; "walk" is used most.
    assert words.suggest("wakl", limit=5, maxdist=2, prefix=1) == ["walk", "walks", "wall"]
    # Without the first letter fixed, "talk" (used twice) comes before the words used once,
    # of which the last A to Z makes the three.
    assert words.suggest("walk", limit=3, maxdist=1, prefix=0) == ["walk", "talk", "wall"]
    assert words.suggest("tlak", limit=5, maxdist=2, prefix=2) == []  # none begins "tl"
    assert words.suggest("zzzz", limit=5, maxdist=2, prefix=1) == []


def test_of_equally_used_words_beyond_the_limit_the_last_a_to_z_are_kept() -> None:
    words = Vocabulary()
    for word in ("cafe", "cake", "came", "cane", "cape", "care", "case", "cave"):
        words.add(word)
    assert words.suggest("caxe", limit=5, maxdist=1, prefix=1) == [
        "cane", "cape", "care", "case", "cave",
    ]  # fmt: skip


def test_the_words_are_kept_in_the_index_folder(tmp_path: Path) -> None:
    words = Vocabulary()
    words.add("Café chat", boost=0.8)
    words.add("cafe")
    words.write(tmp_path)
    assert (tmp_path / WORDS_FILE).is_file()
    again = Vocabulary.read(tmp_path)
    assert again.suggest("cafw", limit=5, maxdist=1, prefix=1) == ["cafe"]  # accents folded
    assert "chat" in again
    assert "chat" not in Vocabulary.read(tmp_path / "elsewhere")  # no file: no words


def test_two_letters_swapped_next_to_each_other() -> None:
    words = Vocabulary()
    words.add("walk lonely walk")
    words.add("wlka")  # a word too, but used less
    assert words.swapped("wlak", limit=5) == ["walk", "wlka"]
    assert words.suggest("wlak", limit=5, maxdist=1, prefix=1) == []  # a swap is two edits
    assert words.swapped("lonley", limit=5) == ["lonely"]
    assert words.swapped("wkal", limit=5) == []  # "walk" is two swaps away
    assert words.swapped("walk", limit=5) == []  # the word itself is not a suggestion
