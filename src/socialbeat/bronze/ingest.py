"""Ingest one landing hour into bronze: read, parse, reconcile, then replace the hour atomically.

Lines of people erased on request (audit.erasures) are dropped and counted: per file, lines read =
bronze rows + quarantined rows + erased lines.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from socialbeat.bronze.parse import parse_lines
from socialbeat.bronze.read import read_lines
from socialbeat.contracts import load_contracts
from socialbeat.erasure import erased_lines, load_suppression
from socialbeat.landing import LandingFile, LandingStore, format_hour, open_landing
from socialbeat.settings import Settings
from socialbeat.tables import crawl_hours_rows, replace_partitions, table

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

log = logging.getLogger(__name__)

CRAWL_ITEMS, QUARANTINE, INGEST_LOG = "bronze.crawl_items", "bronze.quarantine", "bronze.ingest_log"
ERASED = "_erased"  # a line of a person erased on request (audit.erasures): read, counted, not kept


class ReconciliationError(RuntimeError):
    """Lines read did not equal bronze rows + quarantined rows + erased lines for some file."""


@dataclass(frozen=True)
class FileReconciliation:
    source: str
    uri: str
    file_bytes: int
    lines_read: int
    bronze_rows: int
    quarantined_rows: int
    erased_rows: int
    declared_lines: int | None
    hour_complete: bool

    @property
    def balanced(self) -> bool:
        return self.lines_read == self.bronze_rows + self.quarantined_rows + self.erased_rows


@dataclass
class IngestReport:
    hour: str
    batch_id: str
    files: list[FileReconciliation] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def lines_read(self) -> int:
        return sum(f.lines_read for f in self.files)

    @property
    def bronze_rows(self) -> int:
        return sum(f.bronze_rows for f in self.files)

    @property
    def quarantined_rows(self) -> int:
        return sum(f.quarantined_rows for f in self.files)

    @property
    def erased_rows(self) -> int:
        return sum(f.erased_rows for f in self.files)

    def as_dict(self) -> dict[str, object]:
        return {
            "hour": self.hour,
            "batch_id": self.batch_id,
            "lines_read": self.lines_read,
            "bronze_rows": self.bronze_rows,
            "quarantined_rows": self.quarantined_rows,
            "erased_rows": self.erased_rows,
            "reasons": dict(sorted(self.reasons.items())),
            "files": [asdict(f) for f in self.files],
        }


def batch_id_for(hour: datetime, files: list[LandingFile]) -> str:
    digest = hashlib.sha256(format_hour(hour).encode())
    for f in files:
        digest.update(f"\n{f.uri}\t{f.size}".encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class HourPlan:
    """One landing hour of a run: its files and the values every row of the hour carries."""

    hour: datetime
    files: list[LandingFile]
    batch_id: str
    ingested_at: datetime

    @property
    def keys(self) -> dict[str, object]:
        return {"crawl_date": self.hour.strftime("%Y-%m-%d"), "crawl_hour": self.hour.hour}

    def file_rows(self) -> list[tuple[str, str, str, int, str, str]]:
        start, ingested = (
            self.hour.strftime("%Y-%m-%d %H:%M:%S"),
            self.ingested_at.strftime("%Y-%m-%d %H:%M:%S"),
        )
        return [(f.uri, start, self.hour.strftime("%Y-%m-%d"), self.hour.hour, ingested, self.batch_id)
                for f in self.files]  # fmt: skip


_FILE_HOURS_DDL = "_source_file string, _hour_start string, crawl_date string, crawl_hour int, " \
    "_ingested_at string, _batch_id string"  # fmt: skip


def _with_hours(spark: SparkSession, lines: DataFrame, plans: list[HourPlan]) -> DataFrame:
    """Each line gets its landing hour's values: crawl_date, crawl_hour, _ingested_at, _batch_id and
    `_hour_start` (the hour as a timestamp, for the time-range checks)."""
    from pyspark.sql import functions as F

    rows = [row for plan in plans for row in plan.file_rows()]
    hours = spark.createDataFrame(rows, _FILE_HOURS_DDL).select(
        "_source_file",
        F.col("_hour_start").cast("timestamp").alias("_hour_start"),
        F.col("crawl_date").cast("date").alias("crawl_date"),
        "crawl_hour",
        F.col("_ingested_at").cast("timestamp").alias("_ingested_at"),
        "_batch_id",
    )
    return lines.join(F.broadcast(hours), "_source_file")


def to_crawl_items(parsed: DataFrame, envelope_names: list[str]) -> DataFrame:
    """Good lines -> bronze.crawl_items columns (extra keys kept in source_fields)."""
    from pyspark.sql import functions as F

    item = F.col("item")
    columns = {
        name: item[name]
        for name in (
            "crawl_id",
            "platform_item_id",
            "url",
            "author_id",
            "author_name",
            "author_followers",
            "parent_id",
            "title",
            "text",
            "engagement",
        )
    }
    return parsed.where(F.col("reason").isNull()).select(
        "source",
        "_source_file",
        "_line_number",
        "crawl_date",
        "crawl_hour",
        "_ingested_at",
        "_batch_id",
        F.coalesce(item["contract_version"], F.lit("v1")).alias("contract_version"),
        *[value.alias(name) for name, value in columns.items()],
        F.col("created_at_utc").alias("created_at"),
        F.col("crawled_at_utc").alias("crawled_at"),
        F.map_filter("fields", lambda key, _: ~key.isin(envelope_names)).alias("source_fields"),
        F.col("raw_text").alias("raw_line"),
    )


def to_quarantine(parsed: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F

    return parsed.where(F.col("reason").isNotNull()).select(
        "source",
        "crawl_date",
        "crawl_hour",
        "reason",
        "reason_detail",
        "raw_text",
        "raw_base64",
        "raw_bytes_length",
        "_source_file",
        "_line_number",
        "_ingested_at",
        "_batch_id",
    )


def _count_by_file(parsed: DataFrame) -> dict[str, tuple[int, int, int, int]]:
    """Per file: (lines read, bronze rows, quarantined rows, erased lines)."""
    from pyspark.sql import functions as F

    erased, good = F.col(ERASED), F.col("reason").isNull()
    rows = (
        parsed.groupBy("_source_file")
        .agg(
            F.max("lines_in_file").alias("lines"),
            F.sum((good & ~erased).cast("long")).alias("good"),
            F.sum((~good & ~erased).cast("long")).alias("bad"),
            F.sum(erased.cast("long")).alias("erased"),
        )
        .collect()
    )
    return {r[0]: (int(r["lines"]), int(r["good"]), int(r["bad"]), int(r["erased"])) for r in rows}


def reconcile(
    store: LandingStore,
    hour: datetime,
    files: list[LandingFile],
    counts: dict[str, tuple[int, int, int, int]],
) -> list[FileReconciliation]:
    result = []
    for f in files:
        lines, good, bad, erased = counts.get(f.uri, (0, 0, 0, 0))
        manifest = store.manifest(f.source, hour) or {}
        declared = {m["name"]: m.get("lines") for m in manifest.get("files", [])}.get(f.name)
        complete = store.is_complete(f.source, hour)
        result.append(
            FileReconciliation(f.source, f.uri, f.size, lines, good, bad, erased, declared, complete)
        )
    unbalanced = [r for r in result if not r.balanced]
    unknown = sorted(set(counts) - {f.uri for f in files})
    if unbalanced or unknown:
        raise ReconciliationError(
            f"{format_hour(hour)}: lines read != bronze + quarantine + erased for "
            f"{[asdict(r) for r in unbalanced]}; rows from unlisted files: {unknown}"
        )
    return result


def ingest_hour(
    spark: SparkSession,
    settings: Settings,
    hour: datetime,
    ingested_at: datetime | None = None,
    store: LandingStore | None = None,
) -> IngestReport:
    """Ingest every landing file of `hour` (UTC). Rerunning an hour gives identical tables."""
    return ingest_hours(spark, settings, [hour], ingested_at, store)[0]


def ingest_hours(
    spark: SparkSession,
    settings: Settings,
    hours: list[datetime],
    ingested_at: datetime | None = None,
    store: LandingStore | None = None,
) -> list[IngestReport]:
    """Ingest the landing files of several hours (UTC) in one pass: the same rows as ingesting each
    hour alone, in one Delta commit per table (a backfill pays the per-job cost once, not per hour)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    store = store or open_landing(settings.landing_uri, settings.s3)
    contracts = load_contracts()
    plans = []
    for hour in sorted(set(hours)):
        files = [f for source in store.sources(hour) for f in store.list_hour(hour, source)]
        plans.append(
            HourPlan(hour, files, batch_id_for(hour, files), ingested_at or hour + timedelta(hours=1))
        )
    lines = read_lines(spark, store, [f for p in plans for f in p.files], settings.ingest.max_line_bytes)
    erased = erased_lines(load_suppression(spark, settings), settings)
    parsed = (
        parse_lines(_with_hours(spark, lines, plans), contracts, F.col("_hour_start"), settings.ingest)
        .drop("_hour_start")
        .withColumn(ERASED, erased)
    )
    parsed = parsed.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        counts = _count_by_file(parsed)
        unknown = sorted(set(counts) - {f.uri for p in plans for f in p.files})
        if unknown:
            raise ReconciliationError(f"rows from unlisted files: {unknown}")
        reports = [
            IngestReport(format_hour(p.hour), p.batch_id, reconcile(store, p.hour, p.files, _of(counts, p)))
            for p in plans
        ]
        kept = parsed.where(~F.col(ERASED))
        reasons = (
            kept.where(F.col("reason").isNotNull()).groupBy("crawl_date", "crawl_hour", "reason").count()
        )
        by_hour = {report.hour: report for report in reports}
        for r in reasons.collect():
            hour = datetime.combine(r["crawl_date"], datetime.min.time()).replace(hour=r["crawl_hour"])
            by_hour[format_hour(hour)].reasons[r["reason"]] = r["count"]
        _write_hours(spark, settings, kept, contracts.envelope_names, plans, reports)
        _verify_written(spark, settings, plans, reports)
    finally:
        parsed.unpersist()
    for report in reports:
        log.info("ingested %s: %s", report.hour, {k: v for k, v in report.as_dict().items() if k != "files"})
    return reports


def _of(counts: dict[str, tuple[int, int, int, int]], plan: HourPlan) -> dict[str, tuple[int, int, int, int]]:
    return {f.uri: counts[f.uri] for f in plan.files if f.uri in counts}


def _write_hours(
    spark: SparkSession,
    settings: Settings,
    parsed: DataFrame,
    envelope_names: list[str],
    plans: list[HourPlan],
    reports: list[IngestReport],
) -> None:
    keys = [p.keys for p in plans]
    lake = settings.lake_uri
    replace_partitions(spark, table(CRAWL_ITEMS), lake, to_crawl_items(parsed, envelope_names), keys)
    replace_partitions(spark, table(QUARANTINE), lake, to_quarantine(parsed), keys)
    log_rows = [
        (
            r.source,
            r.uri,
            r.file_bytes,
            r.lines_read,
            r.bronze_rows,
            r.quarantined_rows,
            r.erased_rows,
            r.declared_lines,
            r.hour_complete,
            plan.hour.strftime("%Y-%m-%d"),
            plan.hour.hour,
            plan.ingested_at.strftime("%Y-%m-%d %H:%M:%S"),
            plan.batch_id,
        )
        for plan, report in zip(plans, reports, strict=True)
        for r in report.files
    ]
    log_frame = spark.createDataFrame(
        log_rows,
        "source string, _source_file string, file_bytes bigint, lines_read bigint, bronze_rows bigint, "
        "quarantined_rows bigint, erased_rows bigint, declared_lines bigint, hour_complete boolean, "
        "crawl_date string, crawl_hour int, _ingested_at string, _batch_id string",
    )
    log_frame = log_frame.withColumn("crawl_date", log_frame["crawl_date"].cast("date")).withColumn(
        "_ingested_at", log_frame["_ingested_at"].cast("timestamp")
    )
    replace_partitions(spark, table(INGEST_LOG), lake, log_frame, keys)


def _verify_written(
    spark: SparkSession, settings: Settings, plans: list[HourPlan], reports: list[IngestReport]
) -> None:
    """Count what the tables now hold for each hour: it must equal what was reconciled."""
    from pyspark.sql import functions as F

    def counts(name: str) -> dict[tuple[str, int], int]:
        rows = (
            crawl_hours_rows(spark, table(name), settings.lake_uri, [p.hour for p in plans])
            .groupBy(F.col("crawl_date").cast("string"), "crawl_hour")
            .count()
            .collect()
        )
        return {(r[0], r[1]): r[2] for r in rows}

    written = counts(CRAWL_ITEMS), counts(QUARANTINE)
    for plan, report in zip(plans, reports, strict=True):
        key = (plan.hour.strftime("%Y-%m-%d"), plan.hour.hour)
        held = (written[0].get(key, 0), written[1].get(key, 0))
        if held != (report.bronze_rows, report.quarantined_rows):
            raise ReconciliationError(
                f"{report.hour}: tables hold {held} (bronze, quarantine) rows, "
                f"expected {(report.bronze_rows, report.quarantined_rows)}"
            )
