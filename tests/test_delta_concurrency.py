"""Concurrent writers: a write that loses Delta's commit race is retried by the write helpers of
socialbeat.tables, so that every job survives another job committing to the same partitions.

The race is staged for real, not mocked: the replace's own Spark job (a Python UDF in its plan) waits
until a concurrent append to the same partition has committed, so the replace's transaction, which
read the partition before, must fail with Delta's ConcurrentAppendException and go again.
"""

from __future__ import annotations

import logging
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from socialbeat.tables import (
    Column,
    TableDef,
    delta_conflict,
    ensure_table,
    replace_partitions,
    retry_on_conflict,
)

pytestmark = pytest.mark.spark

DAY = date(2024, 3, 11)
TABLE = TableDef(
    name="test.concurrency",
    layer="test",
    path="test/concurrency",
    owner="tests",
    description="",
    grain="",
    columns=(Column("day", "date", nullable=False), Column("n", "bigint"), Column("tag", "string")),
    partition_by=("day",),
    replace_by=("day",),
)


def _waiting_udf(started: Path, go: Path) -> Any:
    from pyspark.sql import functions as F

    def wait_for_the_other_writer(n: int) -> int:
        if not go.exists():
            started.touch()
            while not go.exists():
                time.sleep(0.02)
        return n

    return F.udf(wait_for_the_other_writer, "bigint")


def test_a_replace_that_loses_the_commit_race_is_retried(
    spark: Any, settings: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import threading

    from delta.tables import DeltaTable
    from pyspark.sql import functions as F

    location = ensure_table(spark, TABLE, settings.lake_uri)
    started, go = tmp_path / "started", tmp_path / "go"
    replacement = spark.range(0, 3, numPartitions=1).select(  # one task: a core stays free for the append
        F.lit(DAY).alias("day"), _waiting_udf(started, go)("id").alias("n"), F.lit("replace").alias("tag")
    )
    errors: list[BaseException] = []

    def replace() -> None:
        try:
            replace_partitions(spark, TABLE, settings.lake_uri, replacement, {"day": DAY})
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    caplog.set_level(logging.WARNING, logger="socialbeat.tables")
    writer = threading.Thread(target=replace)
    writer.start()
    for _ in range(3000):  # the replace has read the partition and is computing its rows
        if started.exists():
            break
        time.sleep(0.02)
    assert started.exists()
    spark.createDataFrame([(DAY, 99, "concurrent")], TABLE.spark_schema()).write.format("delta").mode(
        "append"
    ).save(location)
    go.touch()
    writer.join(timeout=300)

    assert not errors, errors
    assert any("ConcurrentAppendException" in r.getMessage() for r in caplog.records)
    rows = sorted((r["n"], r["tag"]) for r in spark.read.format("delta").load(location).collect())
    assert rows == [(0, "replace"), (1, "replace"), (2, "replace")]  # replaced after the append, once
    operations = [r["operation"] for r in DeltaTable.forPath(spark, location).history().collect()]
    assert operations[:2] == ["WRITE", "WRITE"] and len(operations) == 3  # create, append, one replace


def test_only_concurrent_modifications_are_retried(spark: Any, settings: Any) -> None:
    from pyspark.errors import AnalysisException

    calls: list[int] = []

    def fails_for_another_reason() -> None:
        calls.append(1)
        spark.sql("SELECT * FROM no_such_table_anywhere")

    with pytest.raises(AnalysisException):
        retry_on_conflict(fails_for_another_reason, "a query")
    assert calls == [1]
    assert delta_conflict(
        RuntimeError("io.delta.exceptions.ConcurrentAppendException: Files were added")
    ) == ("ConcurrentAppendException")
    assert (
        delta_conflict(RuntimeError("[DELTA_CONCURRENT_APPEND] Files were added"))
        == "ConcurrentAppendException"
    )
    assert delta_conflict(RuntimeError("[DELTA_TABLE_NOT_FOUND] no table")) is None


def test_a_table_another_job_is_creating_is_waited_for(
    spark: Any, settings: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Two jobs' first runs on a new lake create the same table: the one that finds the other's empty
    `_delta_log` folder (created, not yet committed) waits for that commit instead of failing."""
    import os
    import shutil
    import threading

    location = Path(TABLE.location(settings.lake_uri))
    (location / "_delta_log").mkdir(parents=True)  # the other job has begun creating the table
    created: list[str] = []
    caplog.set_level(logging.WARNING, logger="socialbeat.tables")
    waiter = threading.Thread(target=lambda: created.append(ensure_table(spark, TABLE, settings.lake_uri)))
    waiter.start()
    for _ in range(3000):
        if any("DELTA_TABLE_NOT_FOUND" in r.getMessage() for r in caplog.records):
            break
        time.sleep(0.02)
    assert any("DELTA_TABLE_NOT_FOUND" in r.getMessage() for r in caplog.records)
    # The other job's first commit lands (written aside, then renamed into place as Delta does).
    elsewhere = Path(ensure_table(spark, TABLE, str(tmp_path / "elsewhere")))
    first = "00000000000000000000.json"
    shutil.copy(elsewhere / "_delta_log" / first, location / "_delta_log" / f".{first}.tmp")
    os.replace(location / "_delta_log" / f".{first}.tmp", location / "_delta_log" / first)
    waiter.join(timeout=120)

    assert created == [str(location)]
    assert spark.read.format("delta").load(str(location)).columns == ["day", "n", "tag"]
