"""`socialbeat evaluate`: the registered models' scores as readable tables (or JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socialbeat.nlp.data import read_labelled_jsonl, read_seed, read_shared_sentiment, to_frame
from socialbeat.nlp.enrich import load_models
from socialbeat.nlp.evaluate import EVALUATED_SPLITS, evaluate_model
from socialbeat.nlp.prepare import prepare_texts
from socialbeat.settings import Settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def evaluate_all(
    spark: SparkSession, settings: Settings, versions: dict[str, str], labelled_input: Path | None
) -> dict[str, Any]:
    """{model name: {"version": ..., "groups": {"<source>/<split>": metrics}}}."""
    models = load_models(spark, settings, versions)
    examples = (
        read_labelled_jsonl(labelled_input)
        if labelled_input
        else read_seed() + read_shared_sentiment(settings.datasets_path)
    )
    examples = [e for e in examples if e.split in EVALUATED_SPLITS]
    frame = prepare_texts(to_frame(spark, examples), settings).localCheckpoint()
    result: dict[str, Any] = {}
    for model, label in ((models.sentiment, "sentiment"), (models.categories, "categories")):
        rows = frame.where(f"{label} IS NOT NULL")
        groups = evaluate_model(model, rows, tune_thresholds=False) if not rows.isEmpty() else {}
        groups.pop("selection", None)
        result[model.manifest.name] = {
            "version": model.version,
            "family": model.manifest.family,
            "groups": groups,
        }
    return result


def _class_table(metrics: dict[str, Any]) -> list[str]:
    lines = [f"  {'label':<16} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}"]
    for c in metrics["classes"]:
        lines.append(
            f"  {c['label']:<16} {c['precision']:>9.3f} {c['recall']:>7.3f} {c['f1']:>6.3f} {c['support']:>8}"
        )
    return lines


def _confusion(metrics: dict[str, Any]) -> list[str]:
    confusion = metrics["confusion"]
    labels = [label[:6] for label in confusion["labels"]]
    lines = [
        "  confusion (rows: truth, columns: predicted)",
        "  " + " " * 16 + " ".join(f"{x:>6}" for x in labels),
    ]
    for label, row in zip(confusion["labels"], confusion["rows_truth_columns_predicted"], strict=True):
        lines.append(f"  {label:<16}" + " ".join(f"{n:>6}" for n in row))
    return lines


def render(result: dict[str, Any]) -> str:
    lines: list[str] = []
    for name, model in result.items():
        for group, metrics in sorted(model["groups"].items()):
            headline = f"macro-F1 {metrics['macro_f1']:.3f}"
            if "micro_f1" in metrics:
                headline += (
                    f", micro-F1 {metrics['micro_f1']:.3f}, lowest class F1 {metrics['min_class_f1']:.3f}"
                )
            else:
                headline += f", accuracy {metrics['accuracy']:.3f}"
            lines.append(f"{name} {model['version']} on {group} ({metrics['rows']} rows): {headline}")
            lines += [*_class_table(metrics), *_confusion(metrics), ""]
    return "\n".join(lines)


def evaluate_command(
    spark: SparkSession,
    settings: Settings,
    versions: dict[str, str],
    labelled_input: Path | None,
    as_json: bool,
) -> str:
    result = evaluate_all(spark, settings, versions, labelled_input)
    return json.dumps(result, ensure_ascii=False, indent=2) if as_json else render(result)
