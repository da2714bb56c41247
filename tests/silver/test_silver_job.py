"""bronze -> silver on hand-written crawl hours: dedup, edits, masking, reruns."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from crawl_lines import HOUR, item, line
from socialbeat.bronze.ingest import ingest_hour
from socialbeat.landing import hour_prefix, open_landing
from socialbeat.settings import Settings
from socialbeat.silver.job import MENTIONS, QUARANTINE, run_silver_hour
from socialbeat.tables import table

pytestmark = pytest.mark.spark

NEXT = HOUR + timedelta(hours=1)
SCAM = (
    "Cần vay tiền gấp liên hệ 0909 123 456 hoặc chuyển khoản stk 0123456789 Vietcombank, email vay@gmail.com"
)


@pytest.fixture
def silver_settings(settings: Settings) -> Settings:
    pii = settings.pii.model_copy(update={"secret": SecretStr("test-secret")})
    return settings.model_copy(update={"pii": pii})


def _at(minute: int, hour: Any = HOUR) -> str:
    return (hour + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _land(store: Any, hour: Any, name: str, records: list[dict[str, Any]]) -> None:
    payload = b"".join(line(r) + b"\n" for r in records)
    store.write_bytes(f"{hour_prefix('facebook_post', hour)}/{name}", payload)


def _mentions(spark: Any, settings: Settings) -> dict[str, Any]:
    rows = spark.read.format("delta").load(table(MENTIONS).location(settings.lake_uri)).collect()
    return {r["platform_item_id"]: r for r in rows}


def test_refetches_collapse_edits_keep_the_latest_and_pii_is_masked(
    spark: Any, silver_settings: Settings
) -> None:
    store = open_landing(silver_settings.landing_uri)
    _land(store, HOUR, "part-0000.jsonl", [
        item(n=1, crawled_at=_at(5), engagement={"likes": 10}),
        item(n=1, crawled_at=_at(40), engagement={"likes": 25}),  # re-fetch: engagement moves on
        item(n=2, text="Ngập nặng ở Q.7 sau mưa", crawled_at=_at(10)),
        item(n=2, text="Ngập nặng ở Quận 7 sau mưa, đường Nguyễn Văn Linh kẹt cứng", crawled_at=_at(50)),
        item(n=3, text=SCAM, crawled_at=_at(15)),
        item(n=4, text=SCAM.replace("0909 123 456", "+84 909.123.456"), crawled_at=_at(16)),
    ])  # fmt: skip
    ingest_hour(spark, silver_settings, HOUR)

    report = run_silver_hour(spark, silver_settings, HOUR)

    assert (report.mentions, report.published, report.quarantined) == (4, 4, 0)
    rows = _mentions(spark, silver_settings)
    one, two = rows["facebook_post-1"], rows["facebook_post-2"]
    assert one["likes"] == 25 and str(one["first_crawled_at"]) == "2024-03-11 08:05:00"
    assert "Nguyễn Văn Linh" in two["text_display"] and two["primary_district"] == "Quận 7"
    scam, variant = rows["facebook_post-3"], rows["facebook_post-4"]
    for column in ("text_display", "text_norm"):
        assert "0909" not in scam[column] and "0123456789" not in scam[column] and "vay@" not in scam[column]
    assert "<PHONE>" in scam["text_display"] and "<BANK_ACCOUNT>" in scam["text_display"]
    phone = {f["fingerprint"] for f in scam["pii_fingerprints"] if f["type"] == "phone"}
    assert phone and phone == {f["fingerprint"] for f in variant["pii_fingerprints"] if f["type"] == "phone"}
    # Same text once masked: one cluster, rooted at the earliest (same created_at: the smaller id).
    root = min(scam["mention_id"], variant["mention_id"])
    assert scam["near_dup_cluster_id"] == variant["near_dup_cluster_id"] == root
    assert str(scam["created_at_vn"]) == "2024-03-11 15:05:00" and str(scam["created_date"]) == "2024-03-11"
    # Delta's log outlives VACUUM: no statistic of a personal column may carry a person into it.
    logs = "".join(p.read_text() for p in Path(silver_settings.lake_uri).glob("*/*/_delta_log/*.json"))
    assert "numRecords" in logs and "minValues" in logs  # statistics are kept, for the other columns
    for personal in ("author-1", "Nguy", "0909", "vay@gmail.com", "Ngập"):
        assert personal not in logs, personal


def test_a_later_hour_wins_and_rerunning_an_earlier_hour_changes_nothing(
    spark: Any, silver_settings: Settings
) -> None:
    store = open_landing(silver_settings.landing_uri)
    _land(store, HOUR, "part-0000.jsonl", [item(n=1, crawled_at=_at(5), engagement={"likes": 1})])
    _land(store, NEXT, "part-0000.jsonl", [item(n=1, crawled_at=_at(5, NEXT), engagement={"likes": 99})])
    for hour in (HOUR, NEXT):
        ingest_hour(spark, silver_settings, hour)
        run_silver_hour(spark, silver_settings, hour)
    snapshot = {k: tuple(v) for k, v in _mentions(spark, silver_settings).items()}

    run_silver_hour(spark, silver_settings, HOUR)
    run_silver_hour(spark, silver_settings, NEXT)

    assert {k: tuple(v) for k, v in _mentions(spark, silver_settings).items()} == snapshot
    assert snapshot["facebook_post-1"][table(MENTIONS).column_names.index("likes")] == 99
    quarantine = spark.read.format("delta").load(table(QUARANTINE).location(silver_settings.lake_uri))
    assert quarantine.count() == 0
