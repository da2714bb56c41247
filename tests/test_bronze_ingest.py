"""Bronze ingestion on a real Spark session and real Delta tables."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from crawl_lines import HOUR, item, line, to_cp1258, write_file, write_messy_hour
from socialbeat.bronze import ingest as bronze
from socialbeat.landing import open_landing
from socialbeat.settings import Settings
from socialbeat.tables import table

pytestmark = pytest.mark.spark


def _frame(spark: Any, settings: Settings, name: str) -> Any:
    return spark.read.format("delta").load(table(name).location(settings.lake_uri))


def _snapshot(spark: Any, settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    return {
        name: sorted(tuple(r) for r in _frame(spark, settings, name).drop("source_fields").collect())
        for name in (bronze.CRAWL_ITEMS, bronze.QUARANTINE, bronze.INGEST_LOG)
    }


def test_messy_hour_reconciles_and_every_rejected_line_says_why(spark: Any, settings: Settings) -> None:
    store = open_landing(settings.landing_uri)
    expected = write_messy_hour(store)

    report = bronze.ingest_hour(spark, settings, HOUR)

    assert report.reasons == expected
    assert all(f.balanced for f in report.files)
    assert report.lines_read == report.bronze_rows + report.quarantined_rows
    quarantine = _frame(spark, settings, bronze.QUARANTINE)
    assert quarantine.count() == report.quarantined_rows == sum(expected.values())
    assert quarantine.where("reason_detail IS NULL OR reason_detail = ''").count() == 0
    legacy = quarantine.where("reason = 'invalid_encoding'").first()
    assert legacy["raw_text"] is None
    assert base64.b64decode(legacy["raw_base64"]) == to_cp1258('{"text": "Ngập nước đường Nguyễn Hữu Cảnh"}')
    unknown = quarantine.where("source = 'instagram_post'").first()
    assert unknown["reason"] == "unknown_source" and "instagram_post" in unknown["reason_detail"]
    missing = quarantine.where("reason = 'missing_field'").select("reason_detail").collect()
    assert sorted(r[0] for r in missing) == [
        "required field(s) missing: author_id",
        "required field(s) missing: parent_id",
        "required field(s) missing: platform_item_id",
    ]
    log_rows = _frame(spark, settings, bronze.INGEST_LOG).collect()
    assert {r["_source_file"].rsplit("/", 2)[-2] for r in log_rows} == {"hour=08"}
    assert all(r["lines_read"] == r["bronze_rows"] + r["quarantined_rows"] for r in log_rows)


def test_bronze_row_keeps_raw_line_envelope_and_source_fields(spark: Any, settings: Settings) -> None:
    store = open_landing(settings.landing_uri)
    record = item(n=5)
    write_file(store, "facebook_post", "part-0000.jsonl.gz", [line(record)])

    bronze.ingest_hour(spark, settings, HOUR)

    row = _frame(spark, settings, bronze.CRAWL_ITEMS).first()
    assert row["raw_line"] == line(record).decode("utf-8")
    assert str(row["created_at"]) == "2024-03-11 08:05:00"  # 15:05 in Vietnam is 08:05 UTC
    assert row["engagement"]["likes"] == 50 and row["engagement"]["views"] is None
    assert row["source_fields"] == {"page_id": "page-42", "reactions": '{"like":7,"angry":3}'}
    assert (row["source"], str(row["crawl_date"]), row["crawl_hour"]) == ("facebook_post", "2024-03-11", 8)
    assert row["_line_number"] == 1 and row["contract_version"] == "v1"
    assert str(row["_ingested_at"]) == "2024-03-11 09:00:00"


def test_three_ingests_of_an_hour_leave_identical_tables(spark: Any, settings: Settings) -> None:
    write_messy_hour(open_landing(settings.landing_uri))
    bronze.ingest_hour(spark, settings, HOUR)
    first = _snapshot(spark, settings)
    bronze.ingest_hour(spark, settings, HOUR)
    bronze.ingest_hour(spark, settings, HOUR)
    assert _snapshot(spark, settings) == first


def test_a_write_that_dies_halfway_leaves_the_previous_state(
    spark: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from delta.tables import DeltaTable
    from pyspark.sql import functions as F

    store = open_landing(settings.landing_uri)
    write_file(store, "facebook_post", "part-0000.jsonl.gz", [line(item(n=i)) for i in range(1, 40)])
    bronze.ingest_hour(spark, settings, HOUR)
    before = _snapshot(spark, settings)
    location = table(bronze.CRAWL_ITEMS).location(settings.lake_uri)
    version = DeltaTable.forPath(spark, location).history(1).first()["version"]

    write_file(store, "facebook_post", "part-0001.jsonl.gz", [line(item(n=i)) for i in range(40, 80)])
    real = bronze.to_crawl_items

    def dies_mid_write(parsed: Any, names: list[str]) -> Any:
        frame = real(parsed, names)
        boom = F.when(F.col("_line_number") == 30, F.raise_error(F.lit("executor killed"))).otherwise(
            F.lit("")
        )
        return frame.withColumn("text", F.concat(F.col("text"), boom))

    monkeypatch.setattr(bronze, "to_crawl_items", dies_mid_write)
    with pytest.raises(Exception, match="executor killed"):
        bronze.ingest_hour(spark, settings, HOUR)

    assert DeltaTable.forPath(spark, location).history(1).first()["version"] == version
    assert _snapshot(spark, settings) == before


def test_bronze_is_standard_delta_readable_by_delta_rs(spark: Any, settings: Settings) -> None:
    from deltalake import DeltaTable

    write_messy_hour(open_landing(settings.landing_uri))
    report = bronze.ingest_hour(spark, settings, HOUR)
    rows = DeltaTable(table(bronze.CRAWL_ITEMS).location(settings.lake_uri)).to_pyarrow_table().num_rows
    assert rows == report.bronze_rows == _frame(spark, settings, bronze.CRAWL_ITEMS).count()


def test_tables_command_lists_versions_and_rows(
    spark: Any, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    from socialbeat.cli import main

    write_messy_hour(open_landing(settings.landing_uri))
    report = bronze.ingest_hour(spark, settings, HOUR)
    main(["tables", "--lake", settings.lake_uri])
    out = capsys.readouterr().out
    crawl_items = next(ln for ln in out.splitlines() if ln.startswith("bronze.crawl_items"))
    assert f" {report.bronze_rows} " in crawl_items and "WRITE" in crawl_items
