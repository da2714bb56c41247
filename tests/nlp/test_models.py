"""Models end to end on the real Spark NLP annotators: train tiny ones, register, refuse a worse one,
score the JSONL contract, evaluate, and enrich a silver hour twice with the same result."""

from __future__ import annotations

import dataclasses
import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from crawl_lines import HOUR, item, line
from socialbeat.bronze.ingest import ingest_hour
from socialbeat.landing import hour_prefix, open_landing
from socialbeat.nlp import registry
from socialbeat.nlp.data import Example, read_seed, to_frame
from socialbeat.nlp.enrich import ENRICHED, load_models, run_enrich_hour
from socialbeat.nlp.features import CHAR_IDS, FAMILIES, WORD_IDS, FeatureParams, term_ids
from socialbeat.nlp.linear import SOFTMAX
from socialbeat.nlp.model import fit_regressions, fold, training_vectors
from socialbeat.nlp.prepare import prepare_texts
from socialbeat.nlp.report import evaluate_command
from socialbeat.nlp.score import OUTPUT_KEYS, score_file
from socialbeat.nlp.train import TrainReport, task_spec, train_task
from socialbeat.settings import Settings
from socialbeat.silver.job import run_silver_hour
from socialbeat.tables import table
from socialbeat.taxonomy import CATEGORIES, SENTIMENTS

pytestmark = pytest.mark.spark

TINY = FeatureParams(word_bits=12, char_bits=12, vector_size=16, w2v_min_count=2, w2v_iterations=1)
TRAINED_AT = datetime(2026, 1, 2, 3, 4, 5)


def _subset(seed: list[Example], per_split: dict[str, int]) -> list[Example]:
    rng = random.Random(3)
    chosen: list[Example] = []
    for split, count in per_split.items():
        members = [e for e in seed if e.split == split]
        chosen += rng.sample(members, min(count, len(members)))
    return chosen


@pytest.fixture(scope="module")
def model_settings(base_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("models")
    pii = base_settings.pii.model_copy(update={"secret": SecretStr("test-secret")})
    return base_settings.model_copy(
        update={"lake": str(root / "lake"), "landing": str(root / "landing"), "pii": pii}
    )


@pytest.fixture(scope="module")
def examples() -> list[Example]:
    return _subset(read_seed(), {"train": 800, "validation": 250, "test": 100})


@pytest.fixture(scope="module")
def trained(spark: Any, model_settings: Settings, examples: list[Example]) -> dict[str, TrainReport]:
    return {
        task: train_task(spark, model_settings, task, examples, TRAINED_AT, FAMILIES, TINY, max_iter=20)
        for task in ("sentiment", "categories")
    }


def test_both_families_train_register_and_the_better_becomes_current(
    spark: Any, model_settings: Settings, trained: dict[str, TrainReport]
) -> None:
    lake = model_settings.lake_uri
    for task, report in trained.items():
        assert {v.split("-")[1] for v in report.versions} == set(FAMILIES)
        assert registry.versions(spark, lake, task) == sorted(report.versions)
        assert report.promoted and registry.current_version(spark, lake, task) == report.candidate
        best = max(report.versions.values(), key=lambda m: m["selection"]["macro_f1"])
        assert report.versions[report.candidate] is best
        for version in report.versions:
            uri = registry.version_uri(lake, task, version)
            manifest = registry.read_json(spark, f"{uri}/manifest.json")
            assert manifest is not None and manifest["trained_at"] == TRAINED_AT.isoformat()
            assert len(manifest["data_hash"]) == 64 and manifest["runtime"]["spark_nlp"]
            assert registry.read_json(spark, f"{uri}/metrics.json") == report.versions[version]
    # Even tiny models learn something: far better than chance on held-out seed posts.
    categories = trained["categories"].versions[trained["categories"].candidate]
    assert categories["seed/validation"]["micro_f1"] > 0.4
    thresholds = load_models(spark, model_settings).categories.manifest.thresholds
    assert set(thresholds) == set(CATEGORIES) and all(0 < t < 1 for t in thresholds.values())


def test_term_ids_are_word_pairs_and_character_ngrams(spark: Any) -> None:
    posts = spark.createDataFrame([("kẹt xe",), ("kẹt  xe",), ("",)], "text_norm string")
    rows = term_ids(posts, "tfidf", FeatureParams(char_min=3, char_max=5)).collect()
    assert len(rows[0][WORD_IDS]) == 3  # kẹt, xe, "kẹt xe"
    assert len(rows[0][CHAR_IDS]) == 6 + 5 + 4  # n-grams of " kẹt xe " (8 characters), n = 3..5
    assert rows[0][WORD_IDS] == rows[1][WORD_IDS] and rows[0][CHAR_IDS] == rows[1][CHAR_IDS]
    assert rows[2][WORD_IDS] == [] and max(rows[0][WORD_IDS]) < 2**18


def test_folded_coefficients_give_spark_mls_own_probabilities(
    spark: Any, model_settings: Settings, examples: list[Example]
) -> None:
    import numpy as np

    labelled = prepare_texts(to_frame(spark, examples[:300]), model_settings)
    for task in ("sentiment", "categories"):
        spec = task_spec(task, "tfidf", TINY, max_iter=10)
        _, columns, vectors = training_vectors(spec, labelled, None)
        fitted = fit_regressions(spec, vectors)
        weights, intercept, link = fold(task, fitted)
        for i, regression in enumerate(fitted[:3]):
            rows = regression.transform(vectors).select("features", "probability").collect()
            features = np.vstack([r["features"].toArray() for r in rows])
            margins = features @ weights + intercept
            if link == SOFTMAX:
                ours = np.exp(margins) / np.exp(margins).sum(axis=1, keepdims=True)
            else:
                ours = np.column_stack(
                    [1 - 1 / (1 + np.exp(-margins[:, i])), 1 / (1 + np.exp(-margins[:, i]))]
                )
            assert np.allclose(ours, np.vstack([r["probability"].toArray() for r in rows]), atol=1e-6)
            assert features.shape[1] == len(columns)


def test_a_worse_model_is_not_promoted(
    spark: Any, model_settings: Settings, examples: list[Example], trained: dict[str, TrainReport]
) -> None:
    rng = random.Random(5)
    scrambled = [
        dataclasses.replace(e, sentiment=rng.choice(SENTIMENTS)) if e.split == "train" else e
        for e in examples
    ]
    later = TRAINED_AT + timedelta(days=1)
    report = train_task(spark, model_settings, "sentiment", scrambled, later, ("tfidf",), TINY, max_iter=20)
    assert report.previous == trained["sentiment"].candidate
    assert report.previous_score is not None
    assert report.versions[report.candidate]["selection"]["macro_f1"] < report.previous_score
    assert not report.promoted
    assert registry.current_version(spark, model_settings.lake_uri, "sentiment") == report.previous
    assert report.candidate in registry.versions(
        spark, model_settings.lake_uri, "sentiment"
    )  # kept, runnable


def test_score_follows_the_contract_with_error_lines(
    spark: Any, model_settings: Settings, trained: dict[str, TrainReport], tmp_path: Path
) -> None:
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    good = [
        {
            "id": "a",
            "text": "Kẹt xe kinh hoàng ở vòng xoay Hàng Xanh quận Bình Thạnh, gọi 0909 123 456",
            "x": 1,
        },
        {"id": 2, "text": "Mưa to, đường Nguyễn Hữu Cảnh Q1 ngập tới đầu gối"},
    ]
    lines = [
        json.dumps(good[0], ensure_ascii=False).encode(),
        b"{broken json",
        json.dumps({"id": "no-text"}).encode(),
        '{"id": "latin1", "text": "ng\u1eadp"}'.encode("cp1258", errors="replace").replace(b"?", b"\xe2"),
        json.dumps(good[1], ensure_ascii=False).encode(),
    ]
    source.write_bytes(b"\n".join(lines) + b"\n")
    models = load_models(spark, model_settings)
    summary = score_file(spark, model_settings, models, source, target, batch_size=2)
    answers = [json.loads(x) for x in target.read_text(encoding="utf-8").splitlines()]

    assert (summary.lines, summary.scored, summary.errors) == (5, 2, 3)
    assert [a.get("id") for a in answers] == ["a", None, "no-text", None, "2"]
    assert [a["line"] for a in answers if "error" in a] == [2, 3, 4]
    assert answers[1]["error"].startswith("invalid JSON") and answers[2]["error"] == "missing text"
    assert answers[3]["error"].startswith("not UTF-8")
    for answer in (answers[0], answers[4]):
        assert tuple(answer) == OUTPUT_KEYS
        assert answer["sentiment"] in SENTIMENTS
        assert set(answer["sentiment_scores"]) == set(SENTIMENTS)
        assert abs(sum(answer["sentiment_scores"].values()) - 1) < 0.01
        assert set(answer["category_scores"]) == set(CATEGORIES) and set(answer["categories"]) <= set(
            CATEGORIES
        )
        assert answer["model_versions"] == models.versions()
    assert "0909" not in answers[0]["text_masked"] and "Hàng Xanh" in answers[0]["text_masked"]
    assert "Quận Bình Thạnh" in answers[0]["locations"] and "Quận 1" in answers[4]["locations"]


def test_evaluate_prints_per_class_scores_and_confusion(
    spark: Any, model_settings: Settings, trained: dict[str, TrainReport], tmp_path: Path
) -> None:
    labelled = tmp_path / "labelled.jsonl"
    rows = [
        {
            "id": 1,
            "text": "Đường ngập sâu sau cơn mưa, xe chết máy",
            "categories": ["flooding"],
            "sentiment": "negative",
        },
        {"id": 2, "text": "Quán cà phê này view đẹp, nước ngon", "categories": [], "sentiment": "positive"},
    ]
    labelled.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    report = evaluate_command(spark, model_settings, {}, labelled, as_json=False)
    assert "sentiment" in report and "on labelled.jsonl/input (2 rows)" in report
    assert "micro-F1" in report and "confusion (rows: truth, columns: predicted)" in report
    project = json.loads(evaluate_command(spark, model_settings, {}, None, as_json=True))
    assert "seed/test" in project["categories"]["groups"]


def _silver_hour(spark: Any, settings: Settings) -> None:
    store = open_landing(settings.landing_uri)
    texts = [
        "Kẹt xe kinh khủng ở ngã tư Hàng Xanh, đứng im cả tiếng",
        "Hẻm nhà mình ở Quận 8 ngập tới đầu gối sau trận mưa chiều nay",
        "Cảm ơn các chiến sĩ PCCC đã dập tắt đám cháy kịp thời",
        "Hôm nay đi ăn phở ngon quá mọi người ơi",
    ]
    stamp = (HOUR + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    records = [item(n=i, text=text, crawled_at=stamp) for i, text in enumerate(texts, 1)]
    store.write_bytes(
        f"{hour_prefix('facebook_post', HOUR)}/part-0000.jsonl", b"".join(line(r) + b"\n" for r in records)
    )
    ingest_hour(spark, settings, HOUR)
    run_silver_hour(spark, settings, HOUR)


@pytest.fixture
def silver_with_models(
    spark: Any, model_settings: Settings, trained: dict[str, TrainReport]
) -> Iterator[Settings]:
    _silver_hour(spark, model_settings)
    yield model_settings


def test_enrichment_is_idempotent_per_hour(spark: Any, silver_with_models: Settings) -> None:
    settings = silver_with_models
    models = load_models(spark, settings)
    location = table(ENRICHED).location(settings.lake_uri)

    def snapshot() -> list[tuple[Any, ...]]:
        rows = spark.read.format("delta").load(location).collect()
        return sorted(
            (r["mention_id"], r["sentiment"], tuple(r["categories"]), r["model_versions"]["sentiment"])
            for r in rows
        )

    first = run_enrich_hour(spark, settings, HOUR, models)
    once = snapshot()
    second = run_enrich_hour(spark, settings, HOUR, models)
    assert first == second and first.mentions == 4 and len(once) == 4
    assert snapshot() == once
    assert {row[3] for row in once} == {models.sentiment.version}
