"""Broken lines, one kind per bronze quarantine code, each with exactly one defect.

Every broken line starts from a valid record of a fresh item that nothing else refers to, so losing
it to quarantine never breaks a thread.
"""

from __future__ import annotations

import json
import random
import unicodedata
import zlib
from collections.abc import Callable
from typing import Any

from socialbeat.contracts import load_contracts

_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_BAD_TIMESTAMPS = (
    "hôm qua lúc 20:15",
    "3 giờ trước",
    "2024-13-45T25:61:00+07:00",
    "11/03/2024 8h15",
    "vừa xong",
    "N/A",
    "Thứ Hai, 11/3/2024",
    "1710145500000ms",
)
_UNKNOWN_SOURCES = ("instagram_post", "threads_post", "twitter_tweet", "facebook_story", "shopee_review")
_ERROR_PAGES = (
    "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
    "<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>",
    "Rate limit exceeded, retry after 60 seconds",
)


def dumps(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def to_cp1258(text: str) -> bytes:
    """Text as a legacy Windows-1258 page writes it: base letters, then combining tone marks."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(p for p in parts if p in _TONE_MARKS)
        out.append(unicodedata.normalize("NFC", "".join(p for p in parts if p not in _TONE_MARKS)) + tones)
    return "".join(out).encode("cp1258", errors="replace")


def corrupt(code: str, record: dict[str, Any], rng: random.Random) -> bytes:
    """One line with the defect `code`; `record` is a valid record (it is not modified)."""
    broken = _CORRUPTERS[code](dict(record), rng)
    return broken if isinstance(broken, bytes) else broken.encode("utf-8")


def _bad_json(record: dict[str, Any], rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:  # cut mid-object: the crawler died while writing
        text = dumps(record)
        cut = text[: rng.randint(10, max(11, len(text) - 10))].rstrip("}] ")
        return cut
    if kind == 1:
        return rng.choice(_ERROR_PAGES)
    if kind == 2:
        return dumps([record["platform_item_id"], record["text"][:80]])
    return dumps(record["text"][:200] or "null")


def _invalid_encoding(record: dict[str, Any], rng: random.Random) -> bytes:
    if not any(ord(c) > 127 for c in record["text"]):
        record["text"] = (record["text"] + " Sài Gòn hôm nay đẹp quá").strip()
    if rng.random() < 0.7:
        data = to_cp1258(dumps(record))
    else:
        data = dumps(record).encode("latin-1", errors="replace")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    return data + b" \xe0\xe1"  # still decodable by chance: add Latin-1 bytes that UTF-8 rejects


def _missing_field(record: dict[str, Any], rng: random.Random) -> str:
    required = [
        name
        for name in load_contracts().required_for(record["source"])
        if name not in ("source", "crawled_at", "crawl_id")
    ]
    record.pop(rng.choice(required))
    return dumps(record)


def _wrong_type(record: dict[str, Any], rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        record["engagement"] = {
            **record["engagement"],
            "likes": rng.choice(("nhiều", "1,2K", "2.5k", "hơn 100")),
        }
    elif kind == 1:
        record["author_followers"] = rng.choice(("1k", "2,5 triệu", "12K", "n/a"))
    elif kind == 2:
        record["engagement"] = {**record["engagement"], "comments": rng.choice(("12 bình luận", "many"))}
    else:
        record["engagement"] = f"{record['engagement'].get('likes', 0)} lượt thích"
    return dumps(record)


def _bad_timestamp(record: dict[str, Any], rng: random.Random) -> str:
    record["created_at"] = rng.choice(_BAD_TIMESTAMPS)
    return dumps(record)


def _unknown_source(record: dict[str, Any], rng: random.Random) -> str:
    record["source"] = rng.choice(_UNKNOWN_SOURCES)
    return dumps(record)


def _out_of_range(record: dict[str, Any], rng: random.Random) -> str:
    if rng.random() < 0.5:
        rest = record["created_at"][4:]
        record["created_at"] = "2099" + (
            rest.replace("-02-29", "-03-01", 1) if rest.startswith("-02-29") else rest
        )
    else:
        record["created_at"] = rng.choice(
            ("1970-01-01T07:00:00+07:00", "1970-01-01T00:00:00Z", "1999-12-31T23:59:59Z")
        )
    return dumps(record)


def _absurd_value(record: dict[str, Any], rng: random.Random) -> str:
    field = rng.choice(("likes", "shares", "comments"))
    value = -rng.randint(1, 500) if rng.random() < 0.8 else rng.randint(10**11, 10**12)
    record["engagement"] = {**record["engagement"], field: value}
    return dumps(record)


def _oversized_text(record: dict[str, Any], rng: random.Random) -> str:
    unit = (record["text"] or "Bài viết rất dài") + "\n"
    target = rng.randint(100_500, 140_000)
    record["text"] = (unit * (target // len(unit) + 1))[:target]
    return dumps(record)


def _empty_line(record: dict[str, Any], rng: random.Random) -> str:
    return rng.choice(("", "", "", " ", "\t"))


_CORRUPTERS: dict[str, Callable[[dict[str, Any], random.Random], str | bytes]] = {
    "bad_json": _bad_json,
    "invalid_encoding": _invalid_encoding,
    "missing_field": _missing_field,
    "wrong_type": _wrong_type,
    "bad_timestamp": _bad_timestamp,
    "unknown_source": _unknown_source,
    "timestamp_out_of_range": _out_of_range,
    "absurd_value": _absurd_value,
    "oversized_text": _oversized_text,
    "empty_line": _empty_line,
}


def truncate_gzip(data: bytes, rng: random.Random) -> tuple[bytes, int]:
    """Cut a gzip stream; return the cut bytes and how many complete lines still decompress."""
    cut = data[: max(12, int(len(data) * rng.uniform(0.3, 0.85)))]
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(cut) + inflater.flush()
    except zlib.error:
        out = b""
    return cut, out.count(b"\n")
