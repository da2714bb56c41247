"""Near-duplicate clusters on tiny frames."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from socialbeat.silver.neardup import NearDupParams, assign_clusters

pytestmark = pytest.mark.spark

RUMOUR = "nghe nói ngày mai thành phố cấm toàn bộ xe máy vào trung tâm quận 1 mọi người chia sẻ gấp"
DDL = "mention_id string, author_id string, created_at timestamp, text_norm string"


def _batch(spark: Any, rows: list[tuple[str, str, int, str]]) -> Any:
    return spark.createDataFrame(
        [(m, a, datetime(2024, 3, 11, 9, minute), t) for m, a, minute, t in rows], DDL
    )


def test_near_copies_share_the_earliest_id_and_others_stay_apart(spark: Any) -> None:
    batch = _batch(
        spark,
        [
            ("m3", "a3", 12, RUMOUR + " nhé"),
            ("m1", "a1", 5, RUMOUR),
            ("m2", "a2", 9, RUMOUR.replace("gấp", "gấp gấp") + " !!!"),
            ("m4", "a4", 1, "hôm nay trời đẹp quá đi cà phê với bạn bè ở công viên tao đàn vui ghê"),
            ("m5", "a5", 2, "đúng rồi"),
        ],
    )
    rows = {r["mention_id"]: r for r in assign_clusters(batch, None).collect()}
    assert {rows[m]["near_dup_cluster_id"] for m in ("m1", "m2", "m3")} == {"m1"}
    assert str(rows["m3"]["near_dup_first_seen"]) == "2024-03-11 09:05:00"
    assert rows["m4"]["near_dup_cluster_id"] == "m4"
    assert rows["m5"]["near_dup_cluster_id"] is None  # too short to judge


def test_clusters_continue_from_published_mentions_and_reruns_agree(spark: Any) -> None:
    published = spark.createDataFrame(
        [("p1", "a9", datetime(2024, 3, 11, 8, 0), RUMOUR, "p0", datetime(2024, 3, 11, 7, 30))],
        DDL + ", near_dup_cluster_id string, near_dup_first_seen timestamp",
    )
    batch = _batch(spark, [("m1", "a1", 5, RUMOUR + " thật không")])
    first = assign_clusters(batch, published).collect()
    again = assign_clusters(batch, published).collect()
    assert first == again
    assert first[0]["near_dup_cluster_id"] == "p0"
    params = NearDupParams(window_hours=0)
    assert assign_clusters(batch, published, params=params).first()["near_dup_cluster_id"] == "m1"
