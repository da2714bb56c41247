"""Model output for mentions: the scoring path shared by the enrichment job and `socialbeat score`,
and the hourly job that writes silver.mentions_enriched."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from socialbeat.landing import format_hours
from socialbeat.nlp.model import TextModel, load_model, score_together
from socialbeat.quality import enforce, run_gate
from socialbeat.settings import Settings
from socialbeat.tables import crawl_hours_rows, ensure_table, table, upsert_latest

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

log = logging.getLogger(__name__)
ENRICHED, MENTIONS = "silver.mentions_enriched", "silver.mentions"
MODEL_NAMES = ("sentiment", "categories")


@dataclass(frozen=True)
class Models:
    sentiment: TextModel
    categories: TextModel

    def versions(self) -> dict[str, str]:
        return {"sentiment": self.sentiment.version, "categories": self.categories.version}


def load_models(spark: SparkSession, settings: Settings, versions: dict[str, str] | None = None) -> Models:
    """The `current` models, or the versions named (e.g. {"sentiment": "2026...-tfidf-..."})."""
    versions = versions or {}
    sentiment, categories = (load_model(spark, settings.lake_uri, n, versions.get(n)) for n in MODEL_NAMES)
    return Models(sentiment=sentiment, categories=categories)


def score_mentions(frame: DataFrame, models: Models) -> DataFrame:
    """Add sentiment, sentiment_scores, categories, category_scores, model_versions (needs text_norm).

    Models that read the same term-id blocks share one computation of them and one UDF call."""
    from pyspark.sql import functions as F

    scored = score_together(frame, [models.sentiment, models.categories])
    versions = F.create_map(*[F.lit(x) for kv in models.versions().items() for x in kv])
    return scored.withColumn("model_versions", versions)


@dataclass(frozen=True)
class EnrichReport:
    hour: str
    mentions: int
    model_versions: dict[str, str]
    by_sentiment: dict[str, int]
    civic: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_enrich_hour(spark: SparkSession, settings: Settings, hour: datetime, models: Models) -> EnrichReport:
    """Score the silver mentions whose kept version landed in `hour` and MERGE them. Idempotent."""
    return run_enrich_hours(spark, settings, [hour], models)


def run_enrich_hours(
    spark: SparkSession, settings: Settings, hours: list[datetime], models: Models
) -> EnrichReport:
    """Score the silver mentions whose kept version landed in any of `hours`, in one batch and one
    MERGE (a backfill or a re-score). The same rows as hour by hour. Idempotent."""
    from pyspark.sql import functions as F

    hours = sorted(set(hours))
    definition = table(ENRICHED)
    location = ensure_table(spark, definition, settings.lake_uri)
    silver = crawl_hours_rows(spark, table(MENTIONS), settings.lake_uri, hours)
    batch = definition.conform(score_mentions(silver, models)).localCheckpoint()
    gate = run_gate(batch, definition, key_columns=["mention_id"], max_failure_rate=0.0)
    try:
        enforce(gate)
        upsert_latest(spark, definition, location, gate.passed)
    finally:
        gate.release()
    counts = {r["sentiment"]: r["count"] for r in batch.groupBy("sentiment").count().collect()}
    report = EnrichReport(
        hour=format_hours(hours),
        mentions=gate.rows,
        model_versions=models.versions(),
        by_sentiment=dict(sorted(counts.items())),
        civic=batch.where(F.size("categories") > 0).count(),
    )
    log.info("enrich %s: %s", report.hour, report.as_dict())
    return report
