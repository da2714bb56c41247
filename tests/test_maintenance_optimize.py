"""The daily maintenance's OPTIMIZE: recent date partitions compacted and Z-ordered by the columns
each table declares in `zorder_by:` (the columns reports filter by), then VACUUM removes the files
that OPTIMIZE replaced. The rows never change."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from socialbeat.maintenance import optimize_window, run_maintenance, zorder_columns
from socialbeat.settings import Settings
from socialbeat.tables import ensure_table, registry, table

pytestmark = pytest.mark.spark

AS_OF = date(2024, 3, 14)


def test_zorder_columns_are_declared_checked_and_never_partitions() -> None:
    assert zorder_columns(table("silver.mentions")) == ["primary_district", "source"]
    assert zorder_columns(table("silver.mentions_enriched")) == ["primary_district", "source"]
    assert zorder_columns(table("bronze.crawl_items")) == []  # compaction only
    for definition in registry().values():
        zorder_columns(definition)  # every YAML's zorder_by is valid (gold's included, when present)
    bad = replace(
        table("silver.mentions"), extra={**table("silver.mentions").extra, "zorder_by": ["created_date"]}
    )
    with pytest.raises(ValueError, match="partition columns"):
        zorder_columns(bad)
    assert optimize_window(table("silver.mentions"), AS_OF, 3) == "created_date >= DATE'2024-03-11'"
    assert optimize_window(table("audit.erasures"), AS_OF, 3) is None  # not date-partitioned: whole table


def _parquet_files(location: str) -> set[str]:
    return {str(p) for p in Path(location).rglob("*.parquet") if "_delta_log" not in p.parts}


def test_optimize_zorders_recent_partitions_and_vacuum_drops_the_replaced_files(
    spark: Any, settings: Settings
) -> None:
    from delta.tables import DeltaTable

    definition = table("silver.mentions")
    location = ensure_table(spark, definition, settings.lake_uri)
    schema = definition.spark_schema()
    template = {c.name: None for c in definition.columns}
    old_day, recent_day = AS_OF - timedelta(days=10), AS_OF - timedelta(days=1)
    recent = [(recent_day, "Quận 1"), (recent_day, "Quận 3"), (recent_day, "Quận 1")]
    old = [(old_day, "Quận 5"), (old_day, "Quận 7")]
    offset = 0
    for rows, per_file in ((recent, 1), (old, 2)):  # three small files in the recent day, one in the old
        values = [_row(template, offset + i, day, district) for i, (day, district) in enumerate(rows)]
        offset += len(rows)
        frame = spark.createDataFrame([tuple(v[c.name] for c in definition.columns) for v in values], schema)
        frame.coalesce(1).write.format("delta").option("maxRecordsPerFile", per_file).mode("append").save(
            location
        )
    before_rows = sorted(
        r.asDict()["mention_id"] for r in spark.read.format("delta").load(location).collect()
    )
    files_before = _parquet_files(location)

    report = run_maintenance(spark, settings, AS_OF, vacuum_hours=0, run_optimize=True)

    entry = next(t for t in report.tables if t.table == "silver.mentions")
    assert entry.optimized is not None and entry.optimized.zorder_by == ["primary_district", "source"]
    assert entry.optimized.where == "created_date >= DATE'2024-03-11'"
    assert (entry.optimized.files_removed, entry.optimized.files_added) == (3, 1)  # the old day is left alone
    last = {r["operation"]: r for r in DeltaTable.forPath(spark, location).history().collect()}
    assert "OPTIMIZE" in last and "primary_district" in last["OPTIMIZE"]["operationParameters"]["zOrderBy"]
    after_rows = sorted(r.asDict()["mention_id"] for r in spark.read.format("delta").load(location).collect())
    assert after_rows == before_rows
    files_after = _parquet_files(location)
    assert len(files_after) == 2 and len(files_before - files_after) == 3  # VACUUM removed the replaced ones


def _row(template: dict[str, Any], i: int, day: date, district: str) -> dict[str, Any]:
    from datetime import datetime

    at = datetime(day.year, day.month, day.day, 3)
    return {
        **template,
        "mention_id": f"{i:032x}",
        "source": "facebook_post",
        "platform": "facebook",
        "kind": "post",
        "platform_item_id": f"p{i}",
        "author_id": f"a{i}",
        "text_display": "x",
        "text_norm": "x",
        "lang": "vi",
        "lang_confidence": 1.0,
        "primary_district": district,
        "created_at": at,
        "created_at_vn": at,
        "created_date": day,
        "crawled_at": at,
        "first_crawled_at": at,
        "crawl_date": day,
        "crawl_hour": 3,
        "_batch_id": "b",
    }
