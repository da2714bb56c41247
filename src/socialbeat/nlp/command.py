"""`socialbeat train | score | evaluate | enrich`: the model commands (thin: parse, call, print)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from socialbeat.cli import _batches, _common, _hour_options, _settings, _utc_instant

COMMANDS = ("train", "score", "evaluate", "enrich", "model-quality")


def _versions(args: argparse.Namespace) -> dict[str, str]:
    return {
        name: value for name in ("sentiment", "categories") if (value := getattr(args, f"{name}_version"))
    }


def _version_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sentiment-version", metavar="V", help="registry version (default: current)")
    parser.add_argument("--categories-version", metavar="V", help="registry version (default: current)")


def register(subparsers: Any) -> None:
    train = subparsers.add_parser(
        "train",
        help="train the sentiment and category models (both families), register and promote them",
        description=(
            "Train each task with both families (sparknlp, tfidf) on the labelled data, evaluate them, "
            "write them to <lake>/models/<name>/<version>/ and promote the better one to `current` "
            "unless the current model scores higher on the same validation rows. Prints JSON."
        ),
    )
    train.add_argument("--task", choices=["sentiment", "categories", "all"], default="all")
    train.add_argument("--family", choices=["sparknlp", "tfidf", "both"], default="both")
    train.add_argument(
        "--if-missing", action="store_true", help="do nothing for a task that has a current model"
    )
    train.add_argument("--trained-at", help="the training time recorded in the version (default: now)")

    score = subparsers.add_parser(
        "score",
        help="score a JSON Lines file (id, text) with the registered models",
        description=(
            "Read JSON objects with `id` and `text`; write one object per input line, in order: id, "
            "sentiment, sentiment_scores, categories, category_scores, locations, text_masked, "
            "model_versions; or id and `error` for a line that cannot be scored."
        ),
    )
    score.add_argument("--input", required=True, type=Path)
    score.add_argument("--output", required=True, type=Path)
    score.add_argument("--batch-size", type=int, default=20_000, help="lines per Spark batch (default 20000)")
    _version_options(score)

    evaluate = subparsers.add_parser(
        "evaluate",
        help="per-class precision/recall/F1, macro-F1 and confusion matrices of the registered models",
        description=(
            "Evaluate on the project's validation and test splits, or on a labelled JSON Lines file "
            "(`text` plus `sentiment` and/or `categories`) given with --input."
        ),
    )
    evaluate.add_argument("--input", type=Path, help="labelled JSON Lines instead of the project's splits")
    evaluate.add_argument("--json", action="store_true", help="print the full metrics as JSON")
    _version_options(evaluate)

    enrich = subparsers.add_parser(
        "enrich",
        help="score silver mentions of crawl hours into silver.mentions_enriched (idempotent)",
        description="Add sentiment and civic categories to the silver mentions of crawl hours (UTC).",
    )
    _hour_options(enrich)
    _version_options(enrich)

    quality = subparsers.add_parser(
        "model-quality",
        help="the daily model-quality check: score distributions against the trailing days",
        description=(
            "Per model and label: how often it was predicted and its mean score over one Vietnam "
            "date of silver.mentions_enriched, against the trailing days in gold.model_quality (PSI, "
            "drift). Replaces the date's rows. Prints JSON."
        ),
    )
    quality.add_argument("--date", required=True, type=date.fromisoformat, help="Vietnam date, YYYY-MM-DD")
    for name in COMMANDS:
        _common(subparsers.choices[name])


def run(args: argparse.Namespace) -> int:
    from socialbeat.spark import build_spark

    settings = _settings(args)
    spark = build_spark(settings, app_name=f"socialbeat-{args.command}")
    if args.command == "train":
        return _train(spark, settings, args)
    if args.command == "score":
        from socialbeat.nlp.enrich import load_models
        from socialbeat.nlp.score import score_file

        summary = score_file(spark, settings, load_models(spark, settings, _versions(args)), args.input,
                             args.output, args.batch_size)  # fmt: skip
        print(json.dumps(summary.as_dict()), file=sys.stderr)
        return 0
    if args.command == "model-quality":
        from socialbeat.nlp.drift import run_model_quality

        print(json.dumps(run_model_quality(spark, settings, args.date).as_dict(), ensure_ascii=False))
        return 0
    if args.command == "evaluate":
        from socialbeat.nlp.report import evaluate_command

        print(evaluate_command(spark, settings, _versions(args), args.input, as_json=args.json))
        return 0
    from socialbeat.nlp.enrich import load_models, run_enrich_hours

    models = load_models(spark, settings, _versions(args))
    for batch in _batches(args):
        print(json.dumps(run_enrich_hours(spark, settings, batch, models).as_dict(), ensure_ascii=False))
    return 0


def _train(spark: Any, settings: Any, args: argparse.Namespace) -> int:
    from socialbeat.nlp import registry
    from socialbeat.nlp.features import FAMILIES
    from socialbeat.nlp.train import TASKS, train_all

    tasks = TASKS if args.task == "all" else (args.task,)
    if args.if_missing:
        tasks = tuple(t for t in tasks if not registry.current_version(spark, settings.lake_uri, t))
        if not tasks:
            print(json.dumps({"trained": [], "reason": "every task has a current model"}))
            return 0
    families = FAMILIES if args.family == "both" else (args.family,)
    reports = train_all(spark, settings, _utc_instant(args.trained_at), tasks, families)
    print(json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=2, default=str))
    return 0
