"""The gold job for crawl hours: recompute the Vietnam dates the hours touched, and what depends on them.

For crawl hours H (UTC), the dates D are the Vietnam `created_date`s of the enriched rows whose kept
version landed in H. Then, each step a pure function of silver (and of gold tables that are
themselves functions of silver), each batch gated and written with one replaceWhere commit:

1. gold.mentions, gold.mention_categories, gold.category_hourly, gold.category_daily,
   gold.top_authors, gold.term_daily for the dates D (whole partitions, rebuilt from silver);
2. gold.trending_terms for D and the later dates whose trailing baseline contains a date of D;
3. gold.campaigns first seen from `lookback_days` before D to the end of D;
4. gold.alerts for D, the day before, those later dates and the dates of still-open alerts (the
   watermark moved: they may close), volume spikes and shared-identifier campaigns.

Re-running an hour rewrites identical rows (tests compare every table), and no step reads the clock.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from socialbeat.gold import aggregates, alerts, campaigns, mentions, store, trending
from socialbeat.gold.terms import load_stopwords, stopword_frame
from socialbeat.landing import format_hour
from socialbeat.settings import Settings
from socialbeat.tables import retry_on_conflict, table

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

log = logging.getLogger(__name__)

ENRICHED, SILVER = "silver.mentions_enriched", "silver.mentions"
MENTIONS, CATEGORIES = "gold.mentions", "gold.mention_categories"
HOURLY, DAILY, AUTHORS = "gold.category_hourly", "gold.category_daily", "gold.top_authors"
TERMS, TRENDING = "gold.term_daily", "gold.trending_terms"
ALERTS, CAMPAIGNS = "gold.alerts", "gold.campaigns"
GOLD_TABLES = (MENTIONS, CATEGORIES, HOURLY, DAILY, TRENDING, ALERTS, CAMPAIGNS, AUTHORS, TERMS)
KEYS: dict[str, list[str]] = {
    MENTIONS: ["mention_id"],
    CATEGORIES: ["mention_id", "category"],
    HOURLY: ["hour_vn", "source", "category", "district"],
    DAILY: ["created_date", "source", "category", "district"],
    AUTHORS: ["created_date", "category", "rank"],
    TERMS: ["created_date", "category", "term"],
    TRENDING: ["created_date", "category", "term"],
    ALERTS: ["alert_id"],
    CAMPAIGNS: ["campaign_id"],
}


@dataclass
class GoldReport:
    hours: list[str]
    dates: list[str] = field(default_factory=list)  # Vietnam dates rebuilt from silver
    rows: dict[str, int] = field(default_factory=dict)  # rows written per table
    rewritten_dates: dict[str, list[str]] = field(default_factory=dict)
    watermark_vn: str | None = None
    open_alerts: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_gold_hour(spark: SparkSession, settings: Settings, hour: datetime) -> GoldReport:
    """Recompute gold for one crawl hour (UTC). Idempotent."""
    return run_gold_hours(spark, settings, [hour])


def affected_dates(spark: SparkSession, settings: Settings, hours: Sequence[datetime]) -> list[str]:
    """The Vietnam created dates of the enriched rows whose kept version landed in `hours`."""
    from pyspark.sql import functions as F

    enriched = spark.read.format("delta").load(table(ENRICHED).location(settings.lake_uri))
    key = F.concat_ws(
        "T", F.col("crawl_date").cast("string"), F.lpad(F.col("crawl_hour").cast("string"), 2, "0")
    )
    rows = (
        enriched.where(key.isin([format_hour(h) for h in hours])).select("created_date").distinct().collect()
    )
    return store.date_list(r[0] for r in rows)


def run_gold_hours(spark: SparkSession, settings: Settings, hours: Sequence[datetime]) -> GoldReport:
    """Recompute gold for several crawl hours at once (a backfill): the union of what each would do.

    When another job commits to a gold table first (two hours' gold at once, or a re-score), the
    whole computation runs again from a fresh read of silver, so that the last commit always holds
    everything silver holds, whichever job started first.
    """
    labels = [format_hour(h) for h in hours]
    return retry_on_conflict(lambda: _run_gold(spark, settings, hours), f"gold {', '.join(labels)}")


def _run_gold(spark: SparkSession, settings: Settings, hours: Sequence[datetime]) -> GoldReport:
    report = GoldReport(hours=[format_hour(h) for h in hours])
    dates = affected_dates(spark, settings, hours)
    report.dates = dates
    if not dates:
        log.info("gold %s: no enriched rows, nothing to do", report.hours)
        return report
    built = _rebuild_dates(spark, settings, dates, report)
    try:
        watermark = _watermark(spark, settings)
        report.watermark_vn = watermark.isoformat() if watermark else None
        _trending(spark, settings, dates, report)
        _campaigns(spark, settings, dates, report)
        _alerts(spark, settings, dates, watermark, report)
    finally:
        built.unpersist()
    log.info("gold %s: %s", report.hours, report.as_dict())
    return report


def _write(
    spark: SparkSession, settings: Settings, report: GoldReport, name: str, frame: DataFrame, dates: list[str]
) -> None:
    report.rows[name] = store.replace_dates(spark, name, settings.lake_uri, frame, dates, KEYS[name])
    report.rewritten_dates[name] = dates


def _rebuild_dates(
    spark: SparkSession, settings: Settings, dates: list[str], report: GoldReport
) -> DataFrame:
    from pyspark import StorageLevel

    gold = settings.gold
    lake = settings.lake_uri
    stops = stopword_frame(spark, load_stopwords(settings.datasets_path))
    built = mentions.build_mentions(
        store_read_silver(spark, lake, ENRICHED, dates), store_read_silver(spark, lake, SILVER, dates),
        stops, gold.timezone, gold.unknown_district, gold.trending.max_ngram,
    ).persist(StorageLevel.MEMORY_AND_DISK)  # fmt: skip
    _write(spark, settings, report, MENTIONS, built, dates)
    written = store.read(spark, MENTIONS, lake, dates).persist(StorageLevel.MEMORY_AND_DISK)
    bridge = mentions.mention_categories(written).persist(StorageLevel.MEMORY_AND_DISK)
    _write(spark, settings, report, CATEGORIES, bridge, dates)
    _write(spark, settings, report, HOURLY, aggregates.category_hourly(bridge), dates)
    _write(spark, settings, report, DAILY, aggregates.category_daily(bridge), dates)
    _write(spark, settings, report, AUTHORS, aggregates.top_authors(written, gold.top_authors), dates)
    _write(spark, settings, report, TERMS, trending.term_daily(written), dates)
    built.unpersist()
    bridge.unpersist()
    return written


def store_read_silver(spark: SparkSession, lake: str, name: str, dates: list[str]) -> DataFrame:
    from pyspark.sql import functions as F

    frame = spark.read.format("delta").load(table(name).location(lake))
    return frame.where(F.col("created_date").cast("string").isin(dates))


def _watermark(spark: SparkSession, settings: Settings) -> datetime | None:
    """The latest crawl hour in gold, in Vietnam time: how far the data reaches (never the clock)."""
    from pyspark.sql import functions as F

    latest = store.read(spark, MENTIONS, settings.lake_uri).agg(F.max("crawled_at")).first()
    if latest is None or latest[0] is None:
        return None
    hour = (
        spark.range(1)
        .select(mentions.vietnam_hour(F.lit(latest[0]).cast("timestamp"), settings.gold.timezone))
        .first()
    )
    return hour[0] if hour else None


def _later_dates(available: list[date], dates: list[str], days: int) -> list[date]:
    """Dates of `available` after some date of `dates` by at most `days` (their baselines changed)."""
    chosen = [date.fromisoformat(d) for d in dates]
    return [d for d in available if any(c < d <= c + timedelta(days=days) for c in chosen)]


def _trending(spark: SparkSession, settings: Settings, dates: list[str], report: GoldReport) -> None:
    cfg = settings.gold.trending
    available = store.partition_dates(spark, TERMS, settings.lake_uri)
    targets = store.date_list(
        [*map(date.fromisoformat, dates), *_later_dates(available, dates, cfg.baseline_days)]
    )
    first = date.fromisoformat(targets[0]) - timedelta(days=cfg.baseline_days)
    window = store.date_list(store.date_range(first, date.fromisoformat(targets[-1])))
    daily = store.read(spark, TERMS, settings.lake_uri, window)
    ranked = trending.trending_terms(daily, targets, cfg)
    _write(spark, settings, report, TRENDING, ranked, targets)


def _alert_dates(spark: SparkSession, settings: Settings, dates: list[str]) -> list[str]:
    from pyspark.sql import functions as F

    cfg = settings.gold.alerts
    available = store.partition_dates(spark, HOURLY, settings.lake_uri)
    day_before = date.fromisoformat(dates[0]) - timedelta(days=1)
    still_open = [
        r[0]
        for r in store.read(spark, ALERTS, settings.lake_uri)
        .where(F.col("status") == "open")
        .select("alert_date")
        .distinct()
        .collect()
    ]
    chosen = {
        *map(date.fromisoformat, dates),
        *_later_dates(available, dates, cfg.baseline_days),
        *still_open,
    }
    if day_before in available:
        chosen.add(day_before)
    return store.date_list(chosen)


def _alerts(
    spark: SparkSession, settings: Settings, dates: list[str], watermark: datetime | None, report: GoldReport
) -> None:
    from pyspark.sql import functions as F

    gold = settings.gold
    cfg = gold.alerts
    targets = _alert_dates(spark, settings, dates)
    first, last = date.fromisoformat(targets[0]), date.fromisoformat(targets[-1])
    history = store.date_list(store.date_range(first - timedelta(days=cfg.baseline_days + 1), last))
    cells = (
        store.read(spark, HOURLY, settings.lake_uri, history)
        .groupBy("hour_vn", "category", "district")
        .agg(F.sum("volume").alias("volume"))
        .toPandas()
    )
    totals = (
        store.read(spark, MENTIONS, settings.lake_uri, history)
        .groupBy("hour_vn")
        .agg(F.count("*").alias("volume"))
        .toPandas()
    )
    scored_dates = store.date_list([first - timedelta(days=1), *map(date.fromisoformat, targets)])
    scored = alerts.score_hours(
        alerts.with_citywide(cells, gold.citywide, gold.unknown_district), totals, scored_dates, cfg
    )
    volume = alerts.episodes(scored, watermark, cfg)
    spreading, members = _campaign_alerts(spark, settings, targets, watermark)
    found = pd.concat([volume, spreading], ignore_index=True) if not spreading.empty else volume
    found = found[found["alert_date"].map(lambda d: d.isoformat()).isin(targets)]
    frame = _with_evidence(spark, settings, found, targets, members)
    _write(spark, settings, report, ALERTS, frame, targets)
    report.open_alerts = int((found["status"] == "open").sum())


def _campaign_alerts(
    spark: SparkSession, settings: Settings, targets: list[str], watermark: datetime | None
) -> tuple[pd.DataFrame, DataFrame | None]:
    """Alerts of the shared-identifier campaigns that reached their threshold on the target dates, and
    the campaigns' member mentions (for the alerts' evidence)."""
    from pyspark.sql import functions as F

    gold = settings.gold
    chosen = store.read(spark, CAMPAIGNS, settings.lake_uri).where(
        (F.col("kind") == "shared_identifier")
        & F.col("category").isNotNull()
        & F.to_date("reached_at").cast("string").isin(targets)
    )
    picked: pd.DataFrame = chosen.toPandas()
    if picked.empty:
        return alerts.campaign_alerts(picked, picked, watermark, gold.citywide, 1, gold.alerts), None
    first = min(picked["first_date"]) - timedelta(days=gold.campaigns.lookback_days)
    span = store.date_list(store.date_range(first, date.fromisoformat(targets[-1]) + timedelta(days=1)))
    members = campaigns.members(store.read(spark, MENTIONS, settings.lake_uri, span)).join(
        chosen.select("kind", "group_key", "campaign_id"), ["kind", "group_key"]
    )
    hourly = (
        members.groupBy(
            "campaign_id", F.date_trunc("hour", "created_at_vn").cast("timestamp_ntz").alias("hour_vn")
        )
        .agg(F.count("*").alias("volume"))
        .toPandas()
    )
    min_authors = gold.campaigns.shared_identifier.min_authors
    found = alerts.campaign_alerts(picked, hourly, watermark, gold.citywide, min_authors, gold.alerts)
    return found, members


def _with_evidence(
    spark: SparkSession,
    settings: Settings,
    found: Any,
    targets: list[str],
    campaign_members: DataFrame | None,
) -> DataFrame:
    from pyspark.sql import functions as F

    gold = settings.gold
    schema = table(ALERTS).spark_schema()
    base_columns = alerts.ALERT_COLUMNS
    base_schema = ", ".join(f"{c} {schema[c].dataType.simpleString()}" for c in base_columns)
    rows = alerts.python_rows(found, base_columns)
    frame = spark.createDataFrame(rows, base_schema)
    span = store.date_list(
        store.date_range(date.fromisoformat(targets[0]), date.fromisoformat(targets[-1]) + timedelta(days=1))
    )
    bridge = store.read(spark, CATEGORIES, settings.lake_uri, span)
    terms = store.read(spark, MENTIONS, settings.lake_uri, span).select("mention_id", "terms")
    members = alerts.alert_mentions(frame, bridge, gold.citywide)
    if campaign_members is not None:

        def hour_of(column: Any) -> Any:
            return F.date_trunc("hour", column).cast("timestamp_ntz")

        members = members.unionByName(alerts.campaign_members(frame, campaign_members, hour_of))
    members = members.join(terms, "mention_id")
    facts = alerts.evidence(members, gold.alerts.examples, gold.alerts.driving_terms, gold.trending.min_ngram)
    empty = F.array().cast("array<string>")
    return (
        frame.join(facts, "alert_id", "left")
        .withColumn("example_mention_ids", F.coalesce("example_mention_ids", empty))
        .withColumn("driving_terms", F.coalesce("driving_terms", empty))
        .withColumn("negative_share", F.coalesce("negative_share", F.lit(0.0)))
    )


def _campaigns(spark: SparkSession, settings: Settings, dates: list[str], report: GoldReport) -> None:
    from pyspark.sql import functions as F

    cfg = settings.gold.campaigns
    available = set(store.partition_dates(spark, MENTIONS, settings.lake_uri))
    first, last = date.fromisoformat(dates[0]), date.fromisoformat(dates[-1])
    targets = store.date_list(
        d for d in store.date_range(first - timedelta(days=cfg.lookback_days), last) if d in available
    )
    span = store.date_list(
        store.date_range(
            first - timedelta(days=2 * cfg.lookback_days), last + timedelta(days=cfg.lookback_days)
        )
    )
    found = campaigns.campaigns(store.read(spark, MENTIONS, settings.lake_uri, span), cfg).where(
        F.col("first_date").cast("string").isin(targets)
    )
    # A campaign first seen before the window belongs to its own, older partition: leave it there.
    older = store.read(spark, CAMPAIGNS, settings.lake_uri).where(
        ~F.col("first_date").cast("string").isin(targets)
    )
    found = found.join(older.select("campaign_id"), "campaign_id", "left_anti")
    _write(spark, settings, report, CAMPAIGNS, found, targets)
