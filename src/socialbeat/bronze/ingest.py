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
from socialbeat.tables import replace_partitions, table

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


def _hour_literals(hour: datetime, batch_id: str, ingested_at: datetime) -> dict[str, object]:
    from pyspark.sql import functions as F

    return {
        "crawl_date": F.lit(hour.strftime("%Y-%m-%d")).cast("date"),
        "crawl_hour": F.lit(hour.hour).cast("int"),
        "_ingested_at": F.lit(ingested_at.strftime("%Y-%m-%d %H:%M:%S")).cast("timestamp"),
        "_batch_id": F.lit(batch_id),
    }


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
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    store = store or open_landing(settings.landing_uri, settings.s3)
    contracts = load_contracts()
    files = [f for source in store.sources(hour) for f in store.list_hour(hour, source)]
    batch_id = batch_id_for(hour, files)
    literals = _hour_literals(hour, batch_id, ingested_at or hour + timedelta(hours=1))
    lines = read_lines(spark, store, files, settings.ingest.max_line_bytes)
    erased = erased_lines(load_suppression(spark, settings), settings)
    parsed = (
        parse_lines(lines, contracts, hour, settings.ingest)
        .withColumns(literals)  # type: ignore[arg-type]
        .withColumn(ERASED, erased)
    )
    parsed = parsed.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        report = IngestReport(
            format_hour(hour), batch_id, reconcile(store, hour, files, _count_by_file(parsed))
        )
        kept = parsed.where(~F.col(ERASED))
        report.reasons = {
            r["reason"]: r["count"]
            for r in kept.where(F.col("reason").isNotNull()).groupBy("reason").count().collect()
        }
        _write_hour(spark, settings, hour, kept, contracts.envelope_names, report, literals)
        _verify_written(spark, settings, hour, report)
    finally:
        parsed.unpersist()
    log.info("ingested %s: %s", report.hour, {k: v for k, v in report.as_dict().items() if k != "files"})
    return report


def _write_hour(
    spark: SparkSession,
    settings: Settings,
    hour: datetime,
    parsed: DataFrame,
    envelope_names: list[str],
    report: IngestReport,
    literals: dict[str, object],
) -> None:
    keys = {"crawl_date": hour.strftime("%Y-%m-%d"), "crawl_hour": hour.hour}
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
        )
        for r in report.files
    ]
    log_frame = spark.createDataFrame(
        log_rows,
        "source string, _source_file string, file_bytes bigint, lines_read bigint, bronze_rows bigint, "
        "quarantined_rows bigint, erased_rows bigint, declared_lines bigint, hour_complete boolean",
    ).withColumns(literals)  # type: ignore[arg-type]
    replace_partitions(spark, table(INGEST_LOG), lake, log_frame, keys)


def _verify_written(spark: SparkSession, settings: Settings, hour: datetime, report: IngestReport) -> None:
    """Count what the tables now hold for the hour: it must equal what was reconciled."""
    from pyspark.sql import functions as F

    def count(name: str) -> int:
        return (
            spark.read.format("delta")
            .load(table(name).location(settings.lake_uri))
            .where((F.col("crawl_date") == hour.strftime("%Y-%m-%d")) & (F.col("crawl_hour") == hour.hour))
            .count()
        )

    written = (count(CRAWL_ITEMS), count(QUARANTINE))
    if written != (report.bronze_rows, report.quarantined_rows):
        raise ReconciliationError(
            f"{report.hour}: tables hold {written} (bronze, quarantine) rows, "
            f"expected {(report.bronze_rows, report.quarantined_rows)}"
        )
