"""Reading and replacing gold partitions (Vietnam dates), each batch gated before it is written."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from socialbeat.quality import enforce, run_gate
from socialbeat.tables import TableDef, ensure_table, table

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

log = logging.getLogger(__name__)


def date_list(values: Iterable[date]) -> list[str]:
    return sorted({d.isoformat() for d in values})


def date_range(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _in_dates(column: str, dates: list[str]) -> str:
    literals = ", ".join(f"DATE'{d}'" for d in dates)
    return f"{column} IN ({literals})"


def read(spark: SparkSession, name: str, lake_uri: str, dates: list[str] | None = None) -> DataFrame:
    """A table, or its rows of the given partition dates (an existing empty table when never written)."""
    definition = table(name)
    location = ensure_table(spark, definition, lake_uri)
    frame = spark.read.format("delta").load(location)
    if dates is None:
        return frame
    if not dates:
        return frame.limit(0)
    return frame.where(_in_dates(definition.partition_by[0], dates))


def partition_dates(spark: SparkSession, name: str, lake_uri: str) -> list[date]:
    """The partition dates a table holds (read from its log's file list, not its rows)."""
    definition = table(name)
    location = ensure_table(spark, definition, lake_uri)
    column = definition.partition_by[0]
    rows = spark.read.format("delta").load(location).select(column).distinct().collect()
    return sorted(r[0] for r in rows if r[0] is not None)


def gate(frame: DataFrame, definition: TableDef, key_columns: list[str]) -> tuple[DataFrame, int]:
    """Conform the batch to the table and run its expectations: any failing row stops the run. The
    conformed batch (checkpointed) and its row count."""
    conformed = definition.conform(frame).localCheckpoint()
    result = run_gate(conformed, definition, key_columns=key_columns, max_failure_rate=0.0)
    try:
        enforce(result)
    finally:
        result.release()
    return conformed, result.rows


def replace_dates(
    spark: SparkSession, name: str, lake_uri: str, frame: DataFrame, dates: list[str], key_columns: list[str]
) -> int:
    """Gate `frame` and make it the table's content for `dates`, in one Delta commit; the row count.

    Rows of other dates in `frame` are an error (a job must not write outside what it recomputed):
    Delta's replaceWhere constraint check fails the write with DELTA_REPLACE_WHERE_MISMATCH.
    """
    definition = table(name)
    location = ensure_table(spark, definition, lake_uri)
    column = definition.partition_by[0]
    started = time.perf_counter()
    batch, rows = gate(frame, definition, key_columns)
    gated = time.perf_counter()
    (
        batch.write.format("delta")
        .mode("overwrite")
        .option("replaceWhere", _in_dates(column, dates))
        .save(location)
    )
    log.info("%s: replaced %s with %d rows (gate %.1f s, write %.1f s)", name, dates, rows,
             gated - started, time.perf_counter() - gated)  # fmt: skip
    return rows
