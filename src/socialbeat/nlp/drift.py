"""The daily model-quality check: each model's score distribution on a day against the days before.

No labels arrive with live mentions, so the check watches what can be seen: how often each label
is predicted and its mean score. A day is compared with the trailing `baseline_days` days already in
gold.model_quality (so a daily run reads one day of silver.mentions_enriched, never a week) with
the population-stability index (PSI): sum over labels of (p - q) * ln(p / q), p today's share and
q the baseline's. For sentiment the labels partition the mentions; for the multi-label categories
each label is its own present/absent split and the model's figure is the largest label PSI. A
flood or a scam wave moves category shares too: `drift` says the inputs or the model moved, and the
model-quality notebook shows which.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from socialbeat.quality import enforce, run_gate
from socialbeat.settings import Settings
from socialbeat.tables import ensure_table, replace_partitions, table

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

log = logging.getLogger(__name__)
QUALITY, ENRICHED = "gold.model_quality", "silver.mentions_enriched"
EPSILON = 1e-4  # a share of 0 would make the PSI infinite
KEYS = ["model", "label"]


def label_stats(enriched: DataFrame) -> DataFrame:
    """silver.mentions_enriched rows -> per (created_date, model, label): model_versions, mentions,
    predicted, share, mean_score."""
    from pyspark.sql import functions as F

    def per_label(model: str, scores: str, predicted: Column) -> DataFrame:
        entries = enriched.select(
            "created_date",
            F.col("model_versions")[model].alias("version"),
            F.explode(scores).alias("label", "score"),
            *([F.col("sentiment")] if model == "sentiment" else [F.col("categories")]),
        )
        return entries.select(
            "created_date", F.lit(model).alias("model"), "label", "version", "score",
            predicted.cast("int").alias("is_predicted"),
        )  # fmt: skip

    rows = per_label("sentiment", "sentiment_scores", F.col("sentiment") == F.col("label")).unionByName(
        per_label("categories", "category_scores", F.array_contains("categories", F.col("label")))
    )
    stats = rows.groupBy("created_date", *KEYS).agg(
        F.array_sort(F.collect_set("version")).alias("model_versions"),
        F.count(F.lit(1)).alias("mentions"),
        F.sum("is_predicted").cast("bigint").alias("predicted"),
        F.avg("score").alias("mean_score"),
    )
    return stats.withColumn("share", F.col("predicted") / F.col("mentions"))


def _psi_term(model: Column, share: Column, baseline: Column) -> Column:
    from pyspark.sql import functions as F

    p, q = F.greatest(share, F.lit(EPSILON)), F.greatest(baseline, F.lit(EPSILON))
    present = (p - q) * F.log(p / q)
    p0, q0 = F.greatest(1 - share, F.lit(EPSILON)), F.greatest(1 - baseline, F.lit(EPSILON))
    return F.when(model == "sentiment", present).otherwise(present + (p0 - q0) * F.log(p0 / q0))


def with_baseline(today: DataFrame, history: DataFrame, psi_drift: float) -> DataFrame:
    """Add the baseline columns, the PSI terms and `drift` to `label_stats` rows of one day;
    `history` holds the gold.model_quality rows of the trailing window (possibly none)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    baseline = history.groupBy(*KEYS).agg(
        F.countDistinct("created_date").cast("int").alias("baseline_days"),
        F.avg("share").alias("baseline_share"),
        F.avg("mean_score").alias("baseline_mean_score"),
    )
    joined = today.join(baseline, KEYS, "left").withColumn(
        "baseline_days", F.coalesce("baseline_days", F.lit(0))
    )
    psi = F.when(
        F.col("baseline_days") > 0, _psi_term(F.col("model"), F.col("share"), F.col("baseline_share"))
    )
    by_model = Window.partitionBy("model")
    model_psi = F.when(F.col("model") == "sentiment", F.sum("psi").over(by_model)).otherwise(
        F.max("psi").over(by_model)
    )
    return (
        joined.withColumn("psi", psi)
        .withColumn("model_psi", model_psi)
        .withColumn("drift", F.coalesce(F.col("model_psi") >= F.lit(psi_drift), F.lit(False)))
    )


@dataclass(frozen=True)
class QualityReport:
    date: str
    rows: int
    mentions: dict[str, int]
    model_psi: dict[str, float | None]
    drift: list[str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_model_quality(spark: SparkSession, settings: Settings, day: date) -> QualityReport:
    """Recompute gold.model_quality for one Vietnam date from silver.mentions_enriched. Idempotent:
    the date's rows are replaced in one commit; the baseline is the earlier dates' rows."""
    from pyspark.sql import functions as F

    definition = table(QUALITY)
    location = ensure_table(spark, definition, settings.lake_uri)
    enriched = spark.read.format("delta").load(table(ENRICHED).location(settings.lake_uri))
    today = label_stats(enriched.where(F.col("created_date") == F.lit(day)))
    start = day - timedelta(days=settings.model_quality.baseline_days)
    history = (
        spark.read.format("delta")
        .load(location)
        .where((F.col("created_date") >= F.lit(start)) & (F.col("created_date") < F.lit(day)))
    )
    batch = definition.conform(
        with_baseline(today, history, settings.model_quality.psi_drift)
    ).localCheckpoint()
    gate = run_gate(batch, definition, key_columns=["created_date", *KEYS], max_failure_rate=0.0)
    try:
        enforce(gate)
        replace_partitions(spark, definition, settings.lake_uri, gate.passed, {"created_date": day})
    finally:
        gate.release()
    rows = batch.collect()
    report = QualityReport(
        date=day.isoformat(),
        rows=len(rows),
        mentions={r["model"]: r["mentions"] for r in rows},
        model_psi={r["model"]: r["model_psi"] for r in rows},
        drift=sorted({r["model"] for r in rows if r["drift"]}),
    )
    log.info("model quality %s: %s", report.date, report.as_dict())
    return report
