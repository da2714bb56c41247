from __future__ import annotations

import gzip
import hashlib
import json
import pickle
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from fixtures_s3 import S3Server
from socialbeat.landing import (
    HOUR_FORMAT,
    LandingFile,
    LandingStore,
    LocalLandingStore,
    S3LandingStore,
    count_lines,
    format_hour,
    hour_prefix,
    hour_range,
    open_landing,
    parse_hour,
)

BUCKET = "landing-tests"
HOUR = datetime(2024, 3, 11, 8)


def gz(text: str) -> bytes:
    return gzip.compress(text.encode("utf-8"), mtime=0)


def jsonl(n: int, start: int = 0) -> str:
    return "".join(
        json.dumps({"id": i, "text": f"xin chào {i}"}, ensure_ascii=False) + "\n"
        for i in range(start, start + n)
    )


# --- hour helpers -------------------------------------------------------------------------------


@pytest.mark.fast
@pytest.mark.parametrize(
    "text", ["2024-03-11T08", "2024-03-11T08:00", "2024-03-11T08:00:00", " 2024-03-11T08 "]
)
def test_parse_hour_accepts(text: str) -> None:
    assert parse_hour(text) == HOUR
    assert parse_hour(text).tzinfo is None


@pytest.mark.fast
@pytest.mark.parametrize(
    "text", ["", "2024-03-11", "2024-03-11 08", "2024-13-01T00", "2024-03-11T24", "yesterday"]
)
def test_parse_hour_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DDTHH"):
        parse_hour(text)


@pytest.mark.fast
def test_parse_hour_rejects_minutes() -> None:
    with pytest.raises(ValueError, match="not on the hour"):
        parse_hour("2024-03-11T08:30")


@pytest.mark.fast
def test_format_hour_and_prefix() -> None:
    assert HOUR_FORMAT == "%Y-%m-%dT%H"
    assert format_hour(HOUR) == "2024-03-11T08"
    assert parse_hour(format_hour(HOUR)) == HOUR
    assert hour_prefix("facebook_post", HOUR) == "source=facebook_post/dt=2024-03-11/hour=08"
    # An aware datetime is converted to UTC first.
    ict = timezone(timedelta(hours=7))
    assert hour_prefix("zalo_post", datetime(2024, 3, 11, 15, 20, tzinfo=ict)) == (
        "source=zalo_post/dt=2024-03-11/hour=08"
    )
    assert format_hour(datetime(2024, 3, 11, 8, tzinfo=UTC)) == "2024-03-11T08"


@pytest.mark.fast
def test_hour_range() -> None:
    hours = hour_range(datetime(2024, 3, 10, 22), datetime(2024, 3, 11, 2))
    assert [format_hour(h) for h in hours] == [
        "2024-03-10T22",
        "2024-03-10T23",
        "2024-03-11T00",
        "2024-03-11T01",
        "2024-03-11T02",
    ]
    assert hour_range(HOUR, HOUR) == [HOUR]
    assert hour_range(HOUR, HOUR - timedelta(hours=1)) == []
    assert len(hour_range(datetime(2024, 2, 28), datetime(2024, 3, 1, 23))) == 72  # leap day


@pytest.mark.fast
def test_count_lines() -> None:
    body = jsonl(5).encode()
    assert count_lines(body, gzipped=False) == 5
    assert count_lines(body + b'{"no newline": 1}', gzipped=False) == 5
    assert count_lines(gz(jsonl(5)), gzipped=True) == 5
    assert count_lines(gz(jsonl(3)) + gz(jsonl(4)), gzipped=True) == 7  # multi-member gzip
    big = gz(jsonl(20_000))
    assert count_lines(big, gzipped=True) == 20_000
    truncated = count_lines(big[: len(big) // 2], gzipped=True)
    assert 0 < truncated < 20_000
    assert count_lines(b"", gzipped=True) == 0
    assert count_lines(b"not gzip at all\n", gzipped=True) == 0


# --- store behaviour, on both backends ----------------------------------------------------------


@pytest.fixture(
    params=[pytest.param("local", marks=pytest.mark.fast), pytest.param("s3", marks=pytest.mark.s3)]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> LandingStore:
    if request.param == "local":
        return open_landing(str(tmp_path / "landing"))
    server: S3Server = request.getfixturevalue("s3_server")
    server.make_bucket(BUCKET)
    return open_landing(f"s3://{BUCKET}/{uuid.uuid4().hex}/landing", server.settings())


def populate(store: LandingStore) -> dict[str, bytes]:
    """A landing hour with noise around it; returns the crawl files by relative path."""
    crawl = {
        f"{hour_prefix('facebook_post', HOUR)}/part-0000.jsonl.gz": gz(jsonl(3)),
        f"{hour_prefix('facebook_post', HOUR)}/part-0001.jsonl": jsonl(2, 3).encode(),
        f"{hour_prefix('youtube_comment', HOUR)}/part-0000.jsonl.gz": gz(jsonl(4)),
    }
    noise = {
        f"{hour_prefix('facebook_post', HOUR)}/_SUCCESS": b"",
        f"{hour_prefix('facebook_post', HOUR)}/.part-0002.jsonl.gz.tmp": b"partial",
        f"{hour_prefix('facebook_post', HOUR)}/_part-0003.jsonl.gz": gz(jsonl(1)),
        f"{hour_prefix('facebook_post', HOUR)}/README.txt": b"not a crawl file",
        f"{hour_prefix('facebook_post', HOUR)}/nested/part-0000.jsonl.gz": gz(jsonl(1)),
        f"{hour_prefix('tiktok_comment', HOUR + timedelta(hours=1))}/part-0000.jsonl.gz": gz(jsonl(1)),
        f"_truth/{hour_prefix('facebook_post', HOUR)}/part-0000.jsonl.gz": gz(jsonl(9)),
        "_truth/expected.json": b"{}",
        "notes.jsonl": b"{}\n",
    }
    for path, data in {**crawl, **noise}.items():
        store.write_bytes(path, data)
    return crawl


def test_list_hour(store: LandingStore) -> None:
    crawl = populate(store)
    files = store.list_hour(HOUR)
    assert [f.uri for f in files] == sorted(f.uri for f in files)
    assert [(f.source, f.name, f.size) for f in files] == [
        (
            "facebook_post",
            "part-0000.jsonl.gz",
            len(crawl[f"{hour_prefix('facebook_post', HOUR)}/part-0000.jsonl.gz"]),
        ),
        (
            "facebook_post",
            "part-0001.jsonl",
            len(crawl[f"{hour_prefix('facebook_post', HOUR)}/part-0001.jsonl"]),
        ),
        (
            "youtube_comment",
            "part-0000.jsonl.gz",
            len(crawl[f"{hour_prefix('youtube_comment', HOUR)}/part-0000.jsonl.gz"]),
        ),
    ]
    assert all(f.hour == HOUR for f in files)
    assert files[0].uri == f"{store.root}/{hour_prefix('facebook_post', HOUR)}/part-0000.jsonl.gz"
    for f in files:
        assert store.read_bytes(f.uri) == crawl[f.uri[len(store.root) + 1 :]]

    assert store.sources(HOUR) == ["facebook_post", "youtube_comment"]
    assert [f.name for f in store.list_hour(HOUR, "youtube_comment")] == ["part-0000.jsonl.gz"]
    assert store.list_hour(HOUR, "zalo_post") == []
    assert store.sources(HOUR + timedelta(hours=1)) == ["tiktok_comment"]
    assert store.sources(HOUR - timedelta(hours=1)) == []
    assert store.list_hour(HOUR - timedelta(hours=1)) == []
    # A time inside the hour lands in the same folder.
    assert store.list_hour(HOUR + timedelta(minutes=59)) == files


def test_read_write_bytes(store: LandingStore) -> None:
    uri = store.write_bytes("source=x/dt=2024-03-11/hour=08/a.jsonl", b"one\n")
    assert uri == f"{store.root}/source=x/dt=2024-03-11/hour=08/a.jsonl"
    assert store.read_bytes(uri) == b"one\n"
    assert store.write_bytes("/source=x/dt=2024-03-11/hour=08/a.jsonl", b"two\n") == uri  # overwrite
    assert store.read_bytes(uri) == b"two\n"
    assert store.list_hour(HOUR) == [LandingFile(uri=uri, source="x", hour=HOUR, name="a.jsonl", size=4)]
    with pytest.raises(FileNotFoundError):
        store.read_bytes(f"{store.root}/source=x/dt=2024-03-11/hour=08/missing.jsonl")
    with pytest.raises(ValueError, match="invalid relative path"):
        store.write_bytes("../escape.jsonl", b"")


def test_completeness_and_manifest(store: LandingStore) -> None:
    full = gz(jsonl(1000))
    truncated = full[: len(full) // 2]
    store.write_bytes(f"{hour_prefix('news_article', HOUR)}/part-0000.jsonl.gz", full)
    store.write_bytes(f"{hour_prefix('news_article', HOUR)}/part-0001.jsonl.gz", truncated)
    store.write_bytes(f"{hour_prefix('news_article', HOUR)}/part-0002.jsonl", b'{"a": 1}\n{"a": 2}')
    assert not store.is_complete("news_article", HOUR)
    assert store.manifest("news_article", HOUR) is None

    store.mark_complete("news_article", HOUR, completed_at="2024-03-11T09:05:00Z")
    assert store.is_complete("news_article", HOUR)
    manifest = store.manifest("news_article", HOUR)
    assert manifest is not None
    assert manifest["source"] == "news_article"
    assert manifest["hour"] == "2024-03-11T08"
    assert manifest["completed_at"] == "2024-03-11T09:05:00Z"
    entries = {e["name"]: e for e in manifest["files"]}
    assert list(entries) == ["part-0000.jsonl.gz", "part-0001.jsonl.gz", "part-0002.jsonl"]
    assert entries["part-0000.jsonl.gz"] == {
        "name": "part-0000.jsonl.gz",
        "bytes": len(full),
        "lines": 1000,
        "sha256": hashlib.sha256(full).hexdigest(),
    }
    assert entries["part-0001.jsonl.gz"]["bytes"] == len(truncated)
    assert 0 < entries["part-0001.jsonl.gz"]["lines"] < 1000
    assert entries["part-0001.jsonl.gz"]["lines"] == count_lines(truncated, gzipped=True)
    assert entries["part-0002.jsonl"]["lines"] == 1  # the last line has no newline
    # _SUCCESS itself is never listed as a crawl file.
    assert [f.name for f in store.list_hour(HOUR, "news_article")] == list(entries)


def test_mark_complete_with_files_and_default_time(store: LandingStore) -> None:
    store.write_bytes(f"{hour_prefix('forum_post', HOUR)}/a.jsonl", b"1\n2\n")
    store.write_bytes(f"{hour_prefix('forum_post', HOUR)}/b.jsonl", b"3\n")
    store.write_bytes(f"{hour_prefix('news_comment', HOUR)}/c.jsonl", b"4\n")
    chosen = [f for f in store.list_hour(HOUR, "forum_post") if f.name == "b.jsonl"]
    store.mark_complete("forum_post", HOUR, files=chosen)
    manifest = store.manifest("forum_post", HOUR)
    assert manifest is not None
    assert [(e["name"], e["lines"]) for e in manifest["files"]] == [("b.jsonl", 1)]
    assert datetime.fromisoformat(manifest["completed_at"]).tzinfo is not None
    with pytest.raises(ValueError, match="is not in"):
        store.mark_complete("forum_post", HOUR, files=store.list_hour(HOUR, "news_comment"))
    # An hour with no crawl files can still be declared complete.
    store.mark_complete("zalo_post", HOUR)
    assert store.is_complete("zalo_post", HOUR)
    assert store.manifest("zalo_post", HOUR) == {
        "source": "zalo_post",
        "hour": "2024-03-11T08",
        "files": [],
        "completed_at": store.manifest("zalo_post", HOUR)["completed_at"],  # type: ignore[index]
    }
    assert store.sources(HOUR) == ["forum_post", "news_comment", "zalo_post"]


def test_hour_complete(store: LandingStore) -> None:
    expected = ["facebook_post", "youtube_comment"]
    assert not store.hour_complete(HOUR, expected)
    store.write_bytes(f"{hour_prefix('facebook_post', HOUR)}/p.jsonl", b"{}\n")
    store.write_bytes(f"{hour_prefix('facebook_post', HOUR)}/_SUCCESS", b"")  # empty _SUCCESS counts
    assert store.is_complete("facebook_post", HOUR)
    assert store.manifest("facebook_post", HOUR) is None
    assert not store.hour_complete(HOUR, expected)
    store.mark_complete("youtube_comment", HOUR)
    assert store.hour_complete(HOUR, expected)
    assert not store.hour_complete(HOUR + timedelta(hours=1), expected)
    # Sources beyond the expected ones do not matter; an unfinished extra source does not block.
    store.write_bytes(f"{hour_prefix('tiktok_comment', HOUR)}/p.jsonl", b"{}\n")
    assert store.hour_complete(HOUR, expected)
    assert not store.hour_complete(HOUR, [*expected, "tiktok_comment"])


def test_invalid_manifest(store: LandingStore) -> None:
    store.write_bytes(f"{hour_prefix('forum_post', HOUR)}/_SUCCESS", b"{not json")
    assert store.is_complete("forum_post", HOUR)
    with pytest.raises(ValueError, match="not valid JSON"):
        store.manifest("forum_post", HOUR)


# --- backend specifics ---------------------------------------------------------------------------


@pytest.mark.fast
def test_open_landing_local(tmp_path: Path) -> None:
    store = open_landing(str(tmp_path / "a" / ".." / "landing"))
    assert isinstance(store, LocalLandingStore)
    assert store.root == str(tmp_path / "landing")
    assert open_landing(f"file://{tmp_path}").root == str(tmp_path)
    assert store.sources(HOUR) == []  # the folder does not exist yet
    store.write_bytes(f"{hour_prefix('x', HOUR)}/a.jsonl", b"{}\n")
    assert [p.name for p in (tmp_path / "landing" / hour_prefix("x", HOUR)).iterdir()] == ["a.jsonl"]


@pytest.mark.fast
def test_open_landing_s3_is_lazy() -> None:
    store = open_landing("s3://bucket/some/prefix/")
    assert isinstance(store, S3LandingStore)
    assert (store.root, store.bucket, store.prefix) == ("s3://bucket/some/prefix", "bucket", "some/prefix")
    assert store._client_obj is None  # no client until first use
    assert open_landing("s3://bucket").root == "s3://bucket"
    with pytest.raises(ValueError, match="not an s3"):
        S3LandingStore("s3:///nobucket")


@pytest.mark.s3
def test_s3_store_pickles(s3_server: S3Server) -> None:
    s3_server.make_bucket(BUCKET)
    store = S3LandingStore(f"s3://{BUCKET}/{uuid.uuid4().hex}", s3_server.settings())
    populate(store)  # the client now exists; boto3 clients themselves do not pickle
    assert store._client_obj is not None
    copy = pickle.loads(pickle.dumps(store))
    assert isinstance(copy, S3LandingStore)
    assert copy._client_obj is None
    assert copy.root == store.root and copy.settings == store.settings
    assert copy.list_hour(HOUR) == store.list_hour(HOUR)
    files = copy.list_hour(HOUR)
    assert copy.read_bytes(files[0].uri) == store.read_bytes(files[0].uri)
    copy.mark_complete("facebook_post", HOUR, completed_at="2024-03-11T09:00:00Z")
    assert store.manifest("facebook_post", HOUR) == copy.manifest("facebook_post", HOUR)


@pytest.mark.s3
def test_s3_pagination_and_bucket_root(s3_server: S3Server) -> None:
    bucket = f"landing-root-{uuid.uuid4().hex[:8]}"
    s3_server.make_bucket(bucket)
    s3_server.make_bucket(bucket)  # idempotent
    store = S3LandingStore(f"s3://{bucket}", s3_server.settings())
    store.page_size = 2
    sources = [f"src{i}" for i in range(5)]
    for source in sources:
        for part in range(3):
            store.write_bytes(f"{hour_prefix(source, HOUR)}/part-{part:04d}.jsonl", b"{}\n")
    store.write_bytes("_truth/x.json", b"{}")
    assert store.sources(HOUR) == sources
    files = store.list_hour(HOUR)
    assert len(files) == 15
    assert files[0].uri == f"s3://{bucket}/{hour_prefix('src0', HOUR)}/part-0000.jsonl"


@pytest.mark.s3
def test_s3_bad_credentials_fail(s3_server: S3Server) -> None:
    s3_server.make_bucket(BUCKET)
    settings = s3_server.settings().model_copy(update={"secret_access_key": "wrong"})
    store = S3LandingStore(f"s3://{BUCKET}/x", settings)
    with pytest.raises(Exception, match="SignatureDoesNotMatch"):
        store.list_hour(HOUR)
