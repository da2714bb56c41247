"""Scores of a model on labelled rows: per split and source, with per-category thresholds tuned on
the validation split (categories) and the selection score the registry compares."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from socialbeat.nlp import metrics

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, Row

    from socialbeat.nlp.model import TextModel

EVALUATED_SPLITS = ("validation", "test", "input")


SEED_VALIDATION = "seed/validation"


def selection_split(task: str, groups: set[str]) -> list[str]:
    """The validation groups a model is chosen on (their macro-F1s are averaged, so each domain
    counts the same): for sentiment, held-out VLSP2016 and the civic seed posts when both are
    there; for categories, the seed set's validation split."""
    if task == "sentiment" and "vlsp2016/validation" in groups:
        return ["vlsp2016/validation", SEED_VALIDATION]
    return [SEED_VALIDATION]


def _predict(task: str, row: Row, thresholds: dict[str, float]) -> Any:
    scores: dict[str, float] = row["scores"]
    if task == "sentiment":
        return max(scores, key=lambda label: scores[label])
    return [label for label, score in scores.items() if score >= thresholds.get(label, 0.5)]


def group_metrics(
    task: str, labels: list[str], rows: list[Row], thresholds: dict[str, float]
) -> dict[str, Any]:
    if task == "sentiment":
        return metrics.single_label(labels, [(r["truth"], _predict(task, r, thresholds)) for r in rows])
    return metrics.multi_label(labels, [(r["truth"], _predict(task, r, thresholds)) for r in rows])


def scored_rows(model: TextModel, labelled: DataFrame) -> list[Row]:
    from pyspark.sql import functions as F

    task = model.manifest.name
    truth, scores = (
        ("sentiment", "sentiment_scores") if task == "sentiment" else ("categories", "category_scores")
    )
    rows = labelled.where(F.col("split").isin(*EVALUATED_SPLITS)).withColumnRenamed(truth, "truth")
    return model.score(rows).select("id", "source", "split", "truth", F.col(scores).alias("scores")).collect()


def thresholds_from(labels: list[str], validation: list[Row]) -> dict[str, float]:
    return {
        label: metrics.best_threshold([(r["scores"][label], label in r["truth"]) for r in validation])
        for label in labels
    }


def evaluate_model(model: TextModel, labelled: DataFrame, tune_thresholds: bool) -> dict[str, Any]:
    """Metrics per `<source>/<split>` group plus `selection`; may set the model's thresholds first."""
    task, labels = model.manifest.name, model.manifest.labels
    rows = scored_rows(model, labelled)
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        groups[f"{row['source']}/{row['split']}"].append(row)
    chosen = selection_split(task, set(groups))
    if tune_thresholds and task == "categories":
        model.manifest.thresholds = thresholds_from(labels, groups[SEED_VALIDATION])
    thresholds = model.manifest.thresholds
    result: dict[str, Any] = {
        name: group_metrics(task, labels, members, thresholds) for name, members in groups.items()
    }
    scores = [result[name]["macro_f1"] if name in result else 0.0 for name in chosen]
    result["selection"] = {"split": " + ".join(chosen), "macro_f1": round(sum(scores) / len(scores), 4)}
    return result
