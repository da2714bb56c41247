"""Hand-written crawl lines for tests: valid items and one of every malformed kind."""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from typing import Any

from socialbeat.landing import LandingStore, hour_prefix
from socialbeat.simulator.malformed import to_cp1258

HOUR = datetime(2024, 3, 11, 8)


def item(source: str = "facebook_post", n: int = 1, **overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "crawl_id": "crawl-20240311T08-01",
        "source": source,
        "platform_item_id": f"{source}-{n}",
        "url": f"https://example.vn/{source}/{n}",
        "author_id": f"author-{n % 7}",
        "author_name": "Nguyễn Văn Bình",
        "author_followers": 1200,
        "title": None,
        "text": f"Kẹt xe kinh hoàng ở vòng xoay Hàng Xanh, Q.Bình Thạnh 😡 #{n}",
        "created_at": "2024-03-11T15:05:00+07:00",
        "crawled_at": "2024-03-11T08:20:00Z",
        "engagement": {"likes": 10 * n, "shares": 2, "comments": 3, "views": None},
        "page_id": "page-42",
        "reactions": {"like": 7, "angry": 3},
    }
    if source.endswith("_comment"):
        record["parent_id"] = "parent-1"
    if source == "news_article":
        record["title"] = "Ngập nặng trên đường Nguyễn Hữu Cảnh sau cơn mưa chiều"
    record.update(overrides)
    return record


def line(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def without(record: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != key}


# Each malformed line with the reason bronze must give it.
MALFORMED: list[tuple[str, bytes]] = [
    ("bad_json", b'{"source": "facebook_post", "text": "thi\xe1\xba\xbfu ngo\xe1\xba\xb7c'),
    ("bad_json", b"[1, 2, 3]"),
    ("invalid_encoding", to_cp1258('{"text": "Ngập nước đường Nguyễn Hữu Cảnh"}')),
    ("empty_line", b"   "),
    ("missing_field", line(without(item(n=90), "platform_item_id"))),
    ("missing_field", line(without(item(n=91), "author_id"))),
    ("wrong_type", line(item(n=92, engagement={"likes": "nhiều", "shares": 1}))),
    ("wrong_type", line(item(n=93, author_followers="1k"))),
    ("unknown_source", line(item("instagram_post", n=94))),
    ("source_mismatch", line(item("youtube_comment", n=95))),
    ("bad_timestamp", line(item(n=96, created_at="hôm qua lúc 5 giờ"))),
    ("timestamp_out_of_range", line(item(n=97, created_at="2099-01-01T00:00:00+07:00"))),
    ("timestamp_out_of_range", line(item(n=98, created_at="1970-01-01T00:00:00Z"))),
    ("timestamp_out_of_range", line(item(n=99, crawled_at="2024-03-12T08:20:00Z"))),
    ("absurd_value", line(item(n=100, engagement={"likes": -5}))),
    ("oversized_text", line(item(n=101, text="ngập " * 25_000))),
]


def write_file(store: LandingStore, source: str, name: str, lines: list[bytes], gz: bool = True) -> str:
    payload = b"".join(chunk + b"\n" for chunk in lines)
    data = gzip.compress(payload, mtime=0) if gz else payload
    return store.write_bytes(f"{hour_prefix(source, HOUR)}/{name}", data)


def write_messy_hour(store: LandingStore) -> dict[str, int]:
    """A landing hour with every malformed kind; returns the expected reason counts."""
    good = [line(item(n=i)) for i in range(1, 21)]
    good += [line(item(n=1, engagement={"likes": 99, "shares": 2, "comments": 3}))]  # an edit
    messy = good[:10] + [chunk for _, chunk in MALFORMED] + good[10:]
    write_file(store, "facebook_post", "part-0000.jsonl.gz", messy)
    comments = [line(item("facebook_comment", n=i)) for i in range(1, 6)]
    orphan = line(without(item("facebook_comment", n=6), "parent_id"))
    write_file(store, "facebook_comment", "part-0000.jsonl", [*comments, orphan], gz=False)
    truncated = gzip.compress(b"".join(c + b"\n" for c in comments), mtime=0)
    store.write_bytes(f"{hour_prefix('facebook_comment', HOUR)}/part-0001.jsonl.gz", truncated[:-20])
    write_file(store, "instagram_post", "part-0000.jsonl.gz", [line(item("instagram_post", n=7))])
    for source in ("facebook_post", "facebook_comment"):
        store.mark_complete(source, HOUR, completed_at="2024-03-11T09:01:00Z")
    expected: dict[str, int] = {}
    for reason, _ in MALFORMED:
        expected[reason] = expected.get(reason, 0) + 1
    expected["truncated_gzip"] = 1
    expected["unknown_source"] += 1
    expected["missing_field"] += 1
    return expected
