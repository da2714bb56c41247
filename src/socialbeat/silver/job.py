"""The silver job for one crawl hour: bronze rows -> clean, masked, located, deduplicated mentions.

read the bronze hour -> canonical mentions -> latest version per item -> PII masking ->
normalisation -> language -> locations -> near-duplicate clusters -> quality gate
(write-audit-publish) -> MERGE into silver.mentions and replace the hour in silver.quarantine.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from socialbeat.contracts import load_contracts
from socialbeat.landing import format_hours
from socialbeat.mention import to_mentions
from socialbeat.quality import GateResult, enforce, run_gate
from socialbeat.settings import Settings, pii_secret
from socialbeat.silver.langid import identify_language
from socialbeat.silver.locations import load_gazetteer, tag_locations
from socialbeat.silver.neardup import NearDupParams, assign_clusters
from socialbeat.silver.normalize import display_text, load_teencode, normalize_text
from socialbeat.silver.pii import mask_pii
from socialbeat.tables import crawl_hours_rows, ensure_table, replace_partitions, table, upsert_latest

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

log = logging.getLogger(__name__)

MENTIONS, QUARANTINE, CRAWL_ITEMS = "silver.mentions", "silver.quarantine", "bronze.crawl_items"
LINEAGE = ("crawl_date", "crawl_hour", "_source_file", "_line_number", "_batch_id")


@dataclass(frozen=True)
class SilverReport:
    hour: str
    bronze_rows: int
    mentions: int
    published: int
    quarantined: int
    by_expectation: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def latest_versions(mentions: DataFrame) -> DataFrame:
    """One row per (source, platform_item_id): its latest crawl, keeping the first crawl time."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    item = Window.partitionBy("source", "platform_item_id")
    newest_first = item.orderBy(F.desc("crawled_at"), F.desc("_source_file"), F.desc("_line_number"))
    return (
        mentions.withColumn("first_crawled_at", F.min("crawled_at").over(item))
        .withColumn("_version", F.row_number().over(newest_first))
        .where("_version = 1")
        .drop("_version", "_source_file", "_line_number")
    )


def vietnam_time(frame: DataFrame, timezone: str) -> DataFrame:
    """created_at (UTC) -> created_at_vn (wall clock in Vietnam) and its date."""
    from pyspark.sql import functions as F

    local = F.from_utc_timestamp("created_at", timezone).cast("timestamp_ntz")
    return frame.withColumn("created_at_vn", local).withColumn("created_date", F.to_date(local))


def clean_mentions(bronze_hour: DataFrame, settings: Settings, secret: bytes) -> DataFrame:
    """Bronze rows of an hour -> silver columns, before near-duplicate clustering.

    PII is masked first, on the raw text, so no later column ever sees it.
    """
    from pyspark.sql import functions as F

    latest = latest_versions(to_mentions(bronze_hour, keep=LINEAGE))
    masked = mask_pii(latest, ["text", "title"], secret)
    teencode = load_teencode(settings.datasets_path)
    normalised = normalize_text(masked, "text", teencode).withColumn("title", display_text(F.col("title")))
    languages = identify_language(normalised, "text_display")
    located = tag_locations(languages, "text_norm", load_gazetteer(settings.datasets_path))
    return vietnam_time(located, load_contracts().timezone)


def _published(spark: SparkSession, location: str) -> DataFrame:
    return spark.read.format("delta").load(location)


def gate_params(hours: datetime | list[datetime], settings: Settings) -> dict[str, Any]:
    """The gate's time bounds: crawled_at within the crawl hours (their span, for several) ± slack."""
    span = hours if isinstance(hours, list) else [hours]
    slack = timedelta(minutes=settings.ingest.crawled_at_slack_minutes)
    earliest = datetime.fromisoformat(settings.ingest.earliest_created_at.replace("Z", "+00:00"))
    return {
        "window_start": min(span) - slack,
        "window_end": max(span) + timedelta(hours=1) + slack,
        "earliest_created_at": earliest.replace(tzinfo=None),
    }


def _publish(
    spark: SparkSession, settings: Settings, hours: list[datetime], gate: GateResult, location: str
) -> None:
    """MERGE the rows that passed into silver.mentions; replace the hours' rows in silver.quarantine."""
    from pyspark.sql import functions as F

    mentions_table = table(MENTIONS)
    upsert_latest(spark, mentions_table, location, gate.passed, keep_earliest=("first_crawled_at",))
    rejected = gate.failed.select(
        "crawl_date", "crawl_hour", "mention_id", "source", "platform_item_id", "failed_expectations",
        F.to_json(F.struct(*mentions_table.column_names)).alias("row_json"), "_batch_id",
    )  # fmt: skip
    keys = [{"crawl_date": hour.strftime("%Y-%m-%d"), "crawl_hour": hour.hour} for hour in hours]
    replace_partitions(spark, table(QUARANTINE), settings.lake_uri, rejected, keys)


def run_silver_hour(spark: SparkSession, settings: Settings, hour: datetime) -> SilverReport:
    """Build and publish silver for one crawl hour (UTC). Re-running an hour changes nothing."""
    return run_silver_hours(spark, settings, [hour])


def run_silver_hours(spark: SparkSession, settings: Settings, hours: list[datetime]) -> SilverReport:
    """Build and publish silver for several crawl hours (UTC) in one batch (a backfill): the latest
    crawl of each item wins as it does hour by hour, in one MERGE. The gate judges the whole batch."""
    hours = sorted(set(hours))
    mentions_table = table(MENTIONS)
    location = ensure_table(spark, mentions_table, settings.lake_uri)
    bronze = crawl_hours_rows(spark, table(CRAWL_ITEMS), settings.lake_uri, hours)
    params = NearDupParams(
        window_hours=settings.silver.near_dup_window_hours,
        max_jaccard_distance=settings.silver.near_dup_max_distance,
    )
    # Materialised once, without lineage: clustering and the gate read the batch many times, and the
    # normalisation expressions make a plan so large that planning each read would cost a minute.
    # (A lost executor fails the job; re-running the hour is safe.)
    cleaned = clean_mentions(bronze, settings, pii_secret(settings)).localCheckpoint()
    clustered = assign_clusters(cleaned, _published(spark, location), "text_norm", params)
    gate = run_gate(
        mentions_table.conform(clustered),
        mentions_table,
        key_columns=["mention_id"],
        max_failure_rate=settings.silver.max_failure_rate,
        params=gate_params(hours, settings),
    )
    try:
        enforce(gate)
        _publish(spark, settings, hours, gate, location)
    finally:
        gate.release()
    report = SilverReport(
        hour=format_hours(hours),
        bronze_rows=bronze.count(),
        mentions=gate.rows,
        published=gate.rows - gate.failed_rows,
        quarantined=gate.failed_rows,
        by_expectation={k: v for k, v in gate.by_expectation.items() if v},
    )
    log.info("silver %s: %s", report.hour, report.as_dict())
    return report
