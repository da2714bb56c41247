"""Every source maps into the canonical mention model."""

from __future__ import annotations

from typing import Any

import pytest

from socialbeat.contracts import load_contracts
from socialbeat.mention import mention_fields, to_mentions

pytestmark = pytest.mark.spark

CRAWL_ITEM_DDL = (
    "source string, platform_item_id string, parent_id string, url string, author_id string, "
    "author_name string, author_followers bigint, title string, text string, created_at timestamp, "
    "crawled_at timestamp, engagement struct<likes:bigint,shares:bigint,comments:bigint,views:bigint>, "
    "source_fields map<string,string>"
)


def _row(source: str, item_id: str, parent: str | None, fields: dict[str, str]) -> tuple[Any, ...]:
    return (source, item_id, parent, "https://x.vn", "a1", "An", 10, None, "Ngập quá", None, None,
            (1, 2, 3, None), fields)  # fmt: skip


def test_each_source_maps_platform_kind_and_thread_root(spark: Any) -> None:
    items = spark.createDataFrame(
        [
            _row("facebook_post", "p1", None, {"page_id": "pg"}),
            _row("facebook_comment", "c1", "p1", {"post_id": "p1"}),
            _row("youtube_comment", "y1", "y0", {"video_id": "v9"}),
            _row("news_comment", "n1", "a7", {}),
            _row("forum_post", "f2", None, {"thread_id": "t5"}),
        ],
        CRAWL_ITEM_DDL,
    )
    rows = {r["platform_item_id"]: r for r in to_mentions(items).collect()}

    assert list(to_mentions(items).columns) == mention_fields()
    assert (rows["p1"]["platform"], rows["p1"]["kind"], rows["p1"]["thread_root_id"]) == (
        "facebook",
        "post",
        "p1",
    )
    assert (rows["c1"]["kind"], rows["c1"]["thread_root_id"]) == ("comment", "p1")
    assert rows["y1"]["thread_root_id"] == "v9"
    assert rows["n1"]["thread_root_id"] == "a7"  # no article_id field: falls back to the parent
    assert (rows["f2"]["platform"], rows["f2"]["thread_root_id"]) == ("forum", "t5")
    assert rows["p1"]["likes"] == 1 and rows["p1"]["comments"] == 3
    assert len({r["mention_id"] for r in rows.values()}) == 5
    assert all(len(r["mention_id"]) == 32 for r in rows.values())


@pytest.mark.fast
def test_model_covers_every_contract_source() -> None:
    contracts = load_contracts()
    assert {c.platform for c in contracts.sources.values()} == {
        "facebook",
        "youtube",
        "tiktok",
        "news",
        "forum",
        "zalo",
    }
    assert {"mention_id", "thread_root_id", "platform", "kind"} <= set(mention_fields())
