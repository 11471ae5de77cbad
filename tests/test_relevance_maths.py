"""The relevance benchmark's scoring, on tiny hand-worked examples: nDCG@10, hits@10 and
the plain BM25 reference (``benchmarks/relevance.py``)."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path

import pytest
from conftest import REPO

from open_data.oruk_feed import ServiceRecord


def _load():
    spec = importlib.util.spec_from_file_location("relevance", REPO / "benchmarks" / "relevance.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


relevance = _load()
GRADES = {"a": 2, "b": 1, "c": 1}


def test_ndcg_by_hand() -> None:
    # DCG: a (grade 2) at rank 1 gives 3/log2(2); b (grade 1) at rank 3 gives 1/log2(4).
    dcg = 3 / 1 + 1 / 2
    ideal = 3 / 1 + 1 / math.log2(3) + 1 / math.log2(4)  # a, b, c
    assert relevance.ndcg_at(["a", "x", "b"], GRADES) == pytest.approx(dcg / ideal)
    assert relevance.ndcg_at(["a", "b", "c"], GRADES) == pytest.approx(1.0)
    assert relevance.ndcg_at(["a", "c", "b"], GRADES) == pytest.approx(1.0)  # equal grades
    assert relevance.ndcg_at(["x", "y"], GRADES) == 0.0
    assert relevance.ndcg_at([], {}) == 0.0  # nothing judged relevant: no division by zero


def test_ndcg_counts_only_the_top_ten_and_results_with_no_id() -> None:
    ranked = [None] * 10 + ["a"]
    assert relevance.ndcg_at(ranked, GRADES) == 0.0
    assert relevance.ndcg_at([None, "a"], {"a": 1}) == pytest.approx(1 / math.log2(3))


def test_the_ideal_ranking_is_the_judged_grades_best_first_cut_at_ten() -> None:
    grades = {f"d{i}": 1 for i in range(12)} | {"top": 2}
    ranked = ["top"] + [f"d{i}" for i in range(9)]
    assert relevance.ndcg_at(ranked, grades) == pytest.approx(1.0)
    assert relevance.ndcg_at([*ranked[1:], "top"], grades) < 1.0


def test_hits_divide_by_at_most_ten() -> None:
    assert relevance.hits_at(["a", "x", "c"], GRADES) == pytest.approx(2 / 3)
    many = {f"d{i}": 1 for i in range(15)}
    assert relevance.hits_at([f"d{i}" for i in range(5)] + [None] * 5, many) == 0.5
    assert relevance.hits_at([f"d{i}" for i in range(10)], many) == 1.0
    assert relevance.hits_at(["a", "a"], {"a": 1}) == 1.0  # a repeat is one hit
    assert relevance.hits_at(["a"], {}) == 0.0


def test_bm25_by_hand() -> None:
    docs = {"one": ["walk", "walk", "club"], "two": ["knit", "club"], "three": ["walk"]}
    bm25 = relevance.PlainBM25(docs)
    n, df = 3, 2  # "walk" is in two of the three
    idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
    average = 6 / 3
    tf, length = 2, 3
    expected = idf * tf * 2.2 / (tf + 1.2 * (1 - 0.75 + 0.75 * length / average))
    assert bm25.score(["walk"], 0) == pytest.approx(expected)
    assert bm25.score(["swim"], 0) == 0.0
    # "three" (one "walk" in one word) outranks "one" (two in three words) at b = 0.75:
    # 2.2 / 1.75 = 1.257 against 2 × 2.2 / 3.65 = 1.205, each times the idf.
    three = idf * 2.2 / (1 + 1.2 * (1 - 0.75 + 0.75 * 1 / average))
    assert bm25.score(["walk"], 2) == pytest.approx(three) and three > expected
    assert bm25.search("walk") == ["three", "one"]
    assert bm25.search("knitting") == []  # no stemming


def test_bm25_length_normalisation_and_ties() -> None:
    docs = {"long": ["walk"] + ["x"] * 9, "short": ["walk"], "same": ["walk"]}
    bm25 = relevance.PlainBM25(docs)
    assert bm25.search("walk") == ["short", "same", "long"]  # equal scores keep the order
    flat = relevance.PlainBM25(docs, b=0.0)
    assert flat.score(["walk"], 0) == pytest.approx(flat.score(["walk"], 1))


def test_documents_are_name_twice_organisation_and_description_without_tags() -> None:
    record = ServiceRecord(
        {
            "id": "s1",
            "name": "Tai Chi",
            "description": "<p>Slow <b>moves</b>.</p>",
            "organization": {"id": "o1", "name": "Calm Club"},
        }
    )
    unnamed = ServiceRecord({"id": "s2", "name": "", "description": "x"})
    docs = relevance.service_documents([record, unnamed, record])
    assert docs == {"s1": ["tai", "chi", "tai", "chi", "calm", "club", "slow", "moves"]}


def test_queries_and_result_ids(tmp_path: Path) -> None:
    lines = [
        {
            "qid": "q1",
            "query": "tea",
            "relevant": [{"id": "s1", "grade": 2}, {"id": "s2", "grade": 1}],
        },
        {"qid": "q2", "query": "walk", "relevant": []},
    ]
    path = tmp_path / "queries.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")
    queries = relevance.read_queries(path)
    assert [(q.qid, q.text, q.grades) for q in queries] == [
        ("q1", "tea", {"s1": 2, "s2": 1}),
        ("q2", "walk", {}),
    ]
    providers = tmp_path / "providers"
    providers.mkdir()
    (providers / "tea-club.yaml").write_text(
        "name: Tea Club\nactivities:\n"
        "  - name: Tea & Chat\n    imported_from: {feed: f, id: s1}\n"
        "  - name: Our own\n"
    )
    assert relevance.imported_ids(providers) == {"tea-club/tea-chat": "s1"}
