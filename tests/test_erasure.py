"""The right to erasure on hand-written crawl hours: every layer, the audit row, VACUUM, replays."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from crawl_lines import HOUR, item, line, to_cp1258, without, write_file
from socialbeat.bronze.ingest import CRAWL_ITEMS, INGEST_LOG, QUARANTINE, ingest_hour
from socialbeat.erasure import AUDIT, erasable_tables, erase
from socialbeat.landing import open_landing
from socialbeat.maintenance import run_maintenance
from socialbeat.settings import Settings
from socialbeat.tables import replace_partitions, table

pytestmark = pytest.mark.spark

SECRET = "erasure-test-secret"
TARGET, OTHER, THIRD = "fb-user-4242", "fb-user-17", "fb-user-9"
AT = datetime(2024, 4, 1, 9, 30, tzinfo=UTC)
SILVER_MENTIONS, SILVER_QUARANTINE = "silver.mentions", "silver.quarantine"
ENRICHED = "silver.mentions_enriched"
RETENTION_CHECK = "spark.databricks.delta.retentionDurationCheck.enabled"


@pytest.fixture
def privacy_settings(settings: Settings) -> Settings:
    pii = settings.pii.model_copy(update={"secret": SecretStr(SECRET)})
    return settings.model_copy(update={"pii": pii})


def _legacy_line(author_id: str, item_id: str) -> bytes:
    """A Windows-1258 line (not UTF-8): bronze quarantines it as invalid_encoding, bytes in base64."""
    record = {"source": "facebook_post", "platform_item_id": item_id, "author_id": author_id}
    return to_cp1258(json.dumps({**record, "text": "Ngập nước đường Nguyễn Hữu Cảnh"}, ensure_ascii=False))


def _frame(spark: Any, settings: Settings, name: str, version: int | None = None) -> Any:
    reader = spark.read.format("delta")
    if version is not None:
        reader = reader.option("versionAsOf", version)
    return reader.load(table(name).location(settings.lake_uri))


def _as_text(spark: Any, settings: Settings, name: str, version: int | None = None) -> list[str]:
    """Every row as JSON, undecodable raw bytes decoded as ISO-8859-1: what a search would find."""
    from pyspark.sql import functions as F

    frame = _frame(spark, settings, name, version)
    if "raw_base64" in frame.columns:
        frame = frame.withColumn("raw_base64", F.decode(F.unbase64("raw_base64"), "ISO-8859-1"))
    return [r[0] for r in frame.select(F.to_json(F.struct(*frame.columns))).collect()]


def _holding(spark: Any, settings: Settings, name: str, needle: str, version: int | None = None) -> int:
    return sum(needle in row for row in _as_text(spark, settings, name, version))


def _mention_id(source: str, item_id: str) -> str:
    return hashlib.sha256(f"{source}\x1f{item_id}".encode()).hexdigest()[:32]


def _land_hour(settings: Settings) -> None:
    store = open_landing(settings.landing_uri)
    lines = [
        line(item(n=1, author_id=TARGET)),
        line(item(n=2, author_id=OTHER)),
        line(item(n=3, author_id=TARGET, text="Cảm ơn các chú CSGT phân luồng ở Hàng Xanh")),
        line(without(item(n=4, author_id=TARGET), "url")),  # missing_field, author_id present
        _legacy_line(TARGET, "facebook_post-5"),  # invalid_encoding
        line(without(item(n=6, author_id=THIRD), "url")),
        _legacy_line(OTHER, "facebook_post-7"),
    ]
    write_file(store, "facebook_post", "part-0000.jsonl", lines, gz=False)


def _silver_quarantine_rows(spark: Any, settings: Settings) -> None:
    """Rows the quality gate rejected (hand-written: the gate rarely rejects well-formed bronze)."""
    definition = table(SILVER_QUARANTINE)

    def rejected(n: int, author: str) -> tuple[Any, ...]:
        item_id = f"facebook_post-{n}"
        row_json = json.dumps({"author_id": author, "text_display": "Gọi <PHONE> để vay"})
        mention_id = _mention_id("facebook_post", item_id)
        return (
            date(2024, 3, 11),
            9,
            mention_id,
            "facebook_post",
            item_id,
            ["between:crawled_at"],
            row_json,
            "b",
        )

    frame = spark.createDataFrame([rejected(11, TARGET), rejected(12, OTHER)], definition.spark_schema())
    replace_partitions(
        spark, definition, settings.lake_uri, frame, {"crawl_date": "2024-03-11", "crawl_hour": 9}
    )


def _enriched_rows(spark: Any, settings: Settings) -> None:
    """silver.mentions_enriched for the silver hour, with stand-in model output: erasure is about
    rows, not scores, and training models here would only slow the test."""
    from pyspark.sql import functions as F

    from socialbeat.tables import ensure_table, upsert_latest

    definition = table(ENRICHED)
    location = ensure_table(spark, definition, settings.lake_uri)
    silver = spark.read.format("delta").load(table(SILVER_MENTIONS).location(settings.lake_uri))
    scored = silver.withColumns(
        {
            "sentiment": F.lit("neutral"),
            "sentiment_scores": F.create_map(F.lit("neutral"), F.lit(1.0)),
            "categories": F.array(F.lit("traffic")),
            "category_scores": F.create_map(F.lit("traffic"), F.lit(0.9)),
            "model_versions": F.create_map(F.lit("sentiment"), F.lit("stand-in")),
        }
    )
    upsert_latest(spark, definition, location, scored)


def _log_commits_after(settings: Settings, name: str, version: int) -> str:
    log = Path(table(name).location(settings.lake_uri)) / "_delta_log"
    return "".join(p.read_text() for p in sorted(log.glob("*.json")) if int(p.stem) > version)


def _rows_of_target_at(spark: Any, settings: Settings, name: str, version: int) -> int | None:
    """Rows of TARGET that time travel to `version` shows; None when Delta cannot read it any more."""
    try:
        return _holding(spark, settings, name, TARGET, version)
    except Exception:  # the files of that version were vacuumed
        return None


def test_erasing_an_author_empties_every_layer_until_vacuum_and_replays(
    spark: Any, privacy_settings: Settings
) -> None:
    from socialbeat.gold.job import run_gold_hour
    from socialbeat.silver.job import run_silver_hour

    settings = privacy_settings
    _land_hour(settings)
    ingest_hour(spark, settings, HOUR)
    run_silver_hour(spark, settings, HOUR)
    _silver_quarantine_rows(spark, settings)
    _enriched_rows(spark, settings)
    run_gold_hour(spark, settings, HOUR)
    gold = tuple(sorted(name for name in erasable_tables("author") if name.startswith("gold.")))
    layers = (CRAWL_ITEMS, QUARANTINE, SILVER_MENTIONS, ENRICHED, SILVER_QUARANTINE, *gold)
    before = {name: _as_text(spark, settings, name) for name in layers}
    held = {name: sum(TARGET in r for r in rows) for name, rows in before.items()}
    upstream = dict(zip(layers, (2, 2, 2, 2, 1), strict=False))
    assert {name: held[name] for name in upstream} == upstream
    assert held["gold.mentions"] == 2 and held["gold.mention_categories"] >= 1  # built from silver

    report = erase(
        spark, settings, author_id=TARGET, requested_by="ticket DPO-123", requested_at=AT, reason="art. 16"
    )

    assert report.rows_deleted == held
    assert report.tables_skipped == []
    for name in layers:  # nobody else lost a row
        rows = _as_text(spark, settings, name)
        assert not any(TARGET in r for r in rows), name
        assert sorted(rows) == sorted(r for r in before[name] if TARGET not in r), name
        # The erasure's own commits do not repeat the id (a MERGE records no literal, unlike DELETE).
        assert TARGET not in _log_commits_after(settings, name, report.table_versions[name] - 1), name

    audit = _as_text(spark, settings, AUDIT)
    assert len(audit) == 1 and TARGET not in audit[0]
    row = _frame(spark, settings, AUDIT).first()
    oracle = hmac.new(SECRET.encode(), TARGET.encode(), hashlib.sha256).hexdigest()
    assert (row["subject_kind"], row["subject_fingerprint"], row["requested_by"]) == (
        "author", oracle, "ticket DPO-123"
    )  # fmt: skip
    assert row["requested_at"] == AT.replace(tzinfo=None) and row["rows_deleted"] == report.rows_deleted

    # Until VACUUM, time travel to the version before the erasure still shows the rows...
    previous = {name: report.table_versions[name] - 1 for name in layers}
    assert _rows_of_target_at(spark, settings, CRAWL_ITEMS, previous[CRAWL_ITEMS]) == 2
    check = spark.conf.get(RETENTION_CHECK, "true")
    maintenance = run_maintenance(spark, settings, date(2024, 4, 1), vacuum_hours=0, run_optimize=False)
    assert spark.conf.get(RETENTION_CHECK, "true") == check
    assert all(t.rows_deleted == 0 for t in maintenance.tables)  # March is within every retention
    # ...and after a VACUUM that retains nothing older, it cannot bring them back.
    for name in layers:
        assert _rows_of_target_at(spark, settings, name, previous[name]) in (None, 0), name

    # Replaying the landing hour (its raw files are still there) keeps the author out and reconciles.
    replay = ingest_hour(spark, settings, HOUR)
    assert (replay.lines_read, replay.bronze_rows, replay.quarantined_rows, replay.erased_rows) == (
        7,
        1,
        2,
        4,
    )
    assert all(f.balanced for f in replay.files)
    assert replay.reasons == {"missing_field": 1, "invalid_encoding": 1}
    for name in (CRAWL_ITEMS, QUARANTINE):
        assert _holding(spark, settings, name, TARGET) == 0
    log_row = _frame(spark, settings, INGEST_LOG).first()
    assert (log_row["lines_read"], log_row["erased_rows"]) == (7, 4)


def test_erasing_one_mention_keeps_the_authors_other_items_and_skips_missing_tables(
    spark: Any, privacy_settings: Settings
) -> None:
    settings = privacy_settings
    store = open_landing(settings.landing_uri)
    lines = [
        line(item(n=1, author_id=TARGET)),
        line(item(n=1, author_id=TARGET, engagement={"likes": 99})),  # a re-fetch of the same item
        line(item(n=2, author_id=TARGET)),
        line(without(item(n=1, author_id=TARGET), "url")),
        _legacy_line(TARGET, "facebook_post-1"),
        _legacy_line(TARGET, "facebook_post-2"),
    ]
    write_file(store, "facebook_post", "part-0000.jsonl", lines, gz=False)
    ingest_hour(spark, settings, HOUR)

    report = erase(
        spark,
        settings,
        mention_id=_mention_id("facebook_post", "facebook_post-1"),
        requested_by="ticket DPO-124",
        requested_at=AT,
    )

    assert report.rows_deleted == {CRAWL_ITEMS: 2, QUARANTINE: 2}
    unbuilt = [name for name in erasable_tables("mention") if name not in (CRAWL_ITEMS, QUARANTINE)]
    assert report.tables_skipped == unbuilt and {SILVER_MENTIONS, ENRICHED} <= set(unbuilt)
    assert [r["platform_item_id"] for r in _frame(spark, settings, CRAWL_ITEMS).collect()] == [
        "facebook_post-2"
    ]
    assert _holding(spark, settings, QUARANTINE, "facebook_post-2") == 1
    assert _holding(spark, settings, QUARANTINE, "facebook_post-1") == 0

    again = erase(
        spark,
        settings,
        mention_id=_mention_id("facebook_post", "facebook_post-1"),
        requested_by="ticket DPO-124",
        requested_at=AT,
    )
    assert again.rows_deleted == {CRAWL_ITEMS: 0, QUARANTINE: 0}
    assert again.table_versions == report.table_versions  # nothing matched: no commit
    assert _frame(spark, settings, AUDIT).count() == 1  # the same request is recorded once

    replay = ingest_hour(spark, settings, HOUR)
    assert (replay.bronze_rows, replay.quarantined_rows, replay.erased_rows) == (1, 1, 4)
