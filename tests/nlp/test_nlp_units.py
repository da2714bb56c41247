"""Pure-Python parts of the model code: metrics, thresholds, splits, the seed set, the score contract."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from socialbeat.nlp import metrics
from socialbeat.nlp.data import LabelledDataError, parse_record, read_labelled_jsonl, read_seed, split_of
from socialbeat.nlp.score import parse_line
from socialbeat.taxonomy import CATEGORIES, SENTIMENTS

pytestmark = pytest.mark.fast


def test_single_label_metrics_and_confusion() -> None:
    pairs = [
        ("negative", "negative"),
        ("negative", "neutral"),
        ("neutral", "neutral"),
        ("positive", "negative"),
    ]
    result = metrics.single_label(SENTIMENTS, pairs)
    by_label = {c["label"]: c for c in result["classes"]}
    assert by_label["negative"] == {
        "label": "negative",
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
        "support": 2,
    }
    assert by_label["positive"]["f1"] == 0.0
    assert result["macro_f1"] == round((0.5 + 0.6667 + 0.0) / 3, 4)
    assert result["confusion"]["rows_truth_columns_predicted"] == [[1, 1, 0], [0, 1, 0], [1, 0, 0]]


def test_multi_label_metrics_count_every_label() -> None:
    pairs = [
        (["traffic", "flooding"], ["traffic"]),
        ([], ["education"]),
        (["education"], ["education"]),
        ([], []),
    ]
    result = metrics.multi_label(["traffic", "flooding", "education"], pairs)
    assert (result["micro_precision"], result["micro_recall"]) == (round(2 / 3, 4), round(2 / 3, 4))
    assert result["exact_match"] == 0.5
    by_label = {c["label"]: c for c in result["classes"]}
    assert by_label["flooding"]["recall"] == 0.0 and by_label["education"]["precision"] == 0.5
    columns = result["confusion"]["labels"]
    none_row = result["confusion"]["rows_truth_columns_predicted"][columns.index("none")]
    assert none_row[columns.index("education")] == 1 and none_row[columns.index("none")] == 1


def test_best_threshold_separates_the_classes() -> None:
    scored = [(0.9, True), (0.7, True), (0.6, False), (0.4, True), (0.2, False), (0.1, False)]
    assert metrics.best_threshold(scored) == 0.3  # keeps all three positives, one false positive
    assert metrics.best_threshold([(0.2, False)]) == 0.5  # no positives: the default stays


def test_splits_are_stable_and_roughly_sized() -> None:
    assert split_of("c1-0001") == split_of("c1-0001")
    shares = Counter(split_of(f"x-{i}") for i in range(10_000))
    assert 1300 < shares["validation"] < 1700 and 1300 < shares["test"] < 1700


def test_seed_set_meets_the_annotation_guide() -> None:
    seed = read_seed()
    per_category = Counter(c for e in seed for c in e.categories or ())
    assert set(per_category) == set(CATEGORIES)
    assert min(per_category.values()) >= 150
    not_civic = sum(1 for e in seed if not e.categories) / len(seed)
    assert 0.2 <= not_civic <= 0.4
    assert {e.sentiment for e in seed} == set(SENTIMENTS)
    assert sum(1 for e in seed if e.categories and len(e.categories) > 1) > 300
    assert {e.split for e in seed} == {"train", "validation", "test"}
    assert len({e.text for e in seed}) == len(seed)


def test_a_malformed_record_names_its_line() -> None:
    with pytest.raises(LabelledDataError, match=r"f\.jsonl:3: bad label"):
        parse_record(
            {"id": "x", "text": "kẹt xe", "categories": ["trafic"], "sentiment": "negative"}, "f.jsonl:3"
        )
    with pytest.raises(LabelledDataError, match="missing sentiment"):
        parse_record({"id": "x", "text": "kẹt xe", "categories": []}, "f.jsonl:1")


def test_labelled_input_for_evaluate(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    rows = [
        {"id": 1, "text": "ngập quá", "categories": ["flooding"]},
        {"text": "tuyệt vời", "sentiment": "positive"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    examples = read_labelled_jsonl(path)
    assert [(e.id, e.categories, e.sentiment) for e in examples] == [
        ("1", ("flooding",), None),
        ("2", None, "positive"),
    ]


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"text": "no id"}', "missing id"),
        ('{"id": 7}', "missing text"),
        ('{"id": 7, "text": 12}', "text is not a string"),
        ('{"id": 7, "text": "   "}', "empty text"),
    ],
)
def test_score_lines_that_cannot_be_scored_get_an_error(line: str, error: str) -> None:
    answer = parse_line(4, line)
    assert isinstance(answer, dict) and answer["line"] == 4 and answer["error"].startswith(error)


def test_score_line_keeps_id_and_text_and_ignores_other_keys() -> None:
    assert parse_line(1, '{"id": 42, "text": "Kẹt xe quá", "lang": "vi"}') == ("42", "Kẹt xe quá")
