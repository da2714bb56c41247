"""The landing zone: crawl files under `source=<s>/dt=YYYY-MM-DD/hour=HH/`, on local disk or S3 (boto3).

A crawler declares a (source, hour) folder complete by writing `_SUCCESS` there: a JSON manifest of
the files with their bytes, lines and sha256, or an empty file. Names starting with `_` or `.` are
never crawl files; anything outside `source=*/dt=*/hour=*/` is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zlib
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from socialbeat.settings import S3Settings

HOUR_FORMAT = "%Y-%m-%dT%H"
_HOUR_INPUT_FORMATS = (HOUR_FORMAT, "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")
SUCCESS_NAME = "_SUCCESS"
CRAWL_SUFFIXES = (".jsonl.gz", ".jsonl")
_SOURCE_PREFIX = "source="
_CHUNK = 1 << 20


def parse_hour(text: str) -> datetime:
    """Parse "2024-03-11T08" (or "...T08:00", "...T08:00:00") into a naive datetime at the hour."""
    value = text.strip()
    for fmt in _HOUR_INPUT_FORMATS:
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        if parsed.minute or parsed.second:
            raise ValueError(f"hour {text!r} is not on the hour (expected minutes and seconds of 00)")
        return parsed
    raise ValueError(f"invalid hour {text!r}: expected YYYY-MM-DDTHH, e.g. 2024-03-11T08 (UTC)")


def format_hour(hour: datetime) -> str:
    return _as_hour(hour).strftime(HOUR_FORMAT)


def format_hours(hours: Sequence[datetime]) -> str:
    """'2024-03-11T08', or '2024-03-11T00..2024-03-11T23' for a batch of sorted hours."""
    first, last = format_hour(hours[0]), format_hour(hours[-1])
    return first if first == last else f"{first}..{last}"


def hour_range(start: datetime, end: datetime) -> list[datetime]:
    """Every hour from start to end, both included; empty when end < start."""
    current, last = _as_hour(start), _as_hour(end)
    hours = []
    while current <= last:
        hours.append(current)
        current += timedelta(hours=1)
    return hours


def hour_prefix(source: str, hour: datetime) -> str:
    hour = _as_hour(hour)
    return f"{_SOURCE_PREFIX}{source}/dt={hour:%Y-%m-%d}/hour={hour:%H}"


def _as_hour(value: datetime) -> datetime:
    """Naive UTC, truncated to the hour (aware datetimes are converted to UTC first)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(minute=0, second=0, microsecond=0)


def is_crawl_file(name: str) -> bool:
    return not name.startswith(("_", ".")) and name.endswith(CRAWL_SUFFIXES)


def count_lines(data: bytes, gzipped: bool) -> int:
    """Newline-terminated lines; for gzip, of what decompresses (truncated or corrupt tails are cut)."""
    if not gzipped:
        return data.count(b"\n")
    total = 0
    rest = data
    while rest:  # one pass per gzip member
        decoder = zlib.decompressobj(wbits=31)
        pending = rest
        try:
            while not decoder.eof:
                out = decoder.decompress(pending, _CHUNK)
                pending = decoder.unconsumed_tail
                total += out.count(b"\n")
                if not out and not pending:
                    return total  # input ran out: truncated
        except zlib.error:
            return total
        rest = decoder.unused_data
    return total


@dataclass(frozen=True)
class LandingFile:
    uri: str  # absolute local path, or s3://bucket/key
    source: str
    hour: datetime
    name: str
    size: int


class LandingStore(ABC):
    """Common logic over a few storage primitives, given relative paths under `root`."""

    root: str

    # --- storage primitives -------------------------------------------------------------------
    @abstractmethod
    def _source_names(self) -> list[str]:
        """Values of the `source=` folders directly under root."""

    @abstractmethod
    def _folder_exists(self, relative_dir: str) -> bool: ...

    @abstractmethod
    def _files_in(self, relative_dir: str) -> list[tuple[str, str, int]]:
        """(uri, name, size) of the plain files directly in a folder; empty if it is missing."""

    @abstractmethod
    def _read_optional(self, relative_path: str) -> bytes | None: ...

    @abstractmethod
    def read_bytes(self, uri: str) -> bytes: ...

    @abstractmethod
    def write_bytes(self, relative_path: str, data: bytes) -> str: ...

    # --- shared behaviour -----------------------------------------------------------------------
    def sources(self, hour: datetime) -> list[str]:
        return sorted(s for s in self._source_names() if s and self._folder_exists(hour_prefix(s, hour)))

    def list_hour(self, hour: datetime, source: str | None = None) -> list[LandingFile]:
        hour = _as_hour(hour)
        files = [
            LandingFile(uri=uri, source=src, hour=hour, name=name, size=size)
            for src in (self.sources(hour) if source is None else [source])
            for uri, name, size in self._files_in(hour_prefix(src, hour))
            if is_crawl_file(name)
        ]
        return sorted(files, key=lambda f: f.uri)

    def manifest(self, source: str, hour: datetime) -> dict[str, Any] | None:
        path = f"{hour_prefix(source, hour)}/{SUCCESS_NAME}"
        data = self._read_optional(path)
        if data is None or not data.strip():
            return None
        try:
            parsed = json.loads(data)
        except ValueError as exc:
            raise ValueError(f"{self._display(path)}: _SUCCESS is not valid JSON: {exc}") from exc
        if not isinstance(parsed, dict):
            raise ValueError(f"{self._display(path)}: _SUCCESS manifest is not a JSON object")
        return parsed

    def is_complete(self, source: str, hour: datetime) -> bool:
        return self._read_optional(f"{hour_prefix(source, hour)}/{SUCCESS_NAME}") is not None

    def hour_complete(self, hour: datetime, expected_sources: list[str]) -> bool:
        """Every expected source has `_SUCCESS` for the hour (vacuously true for an empty list)."""
        return all(self.is_complete(source, hour) for source in expected_sources)

    def mark_complete(
        self,
        source: str,
        hour: datetime,
        files: list[LandingFile] | None = None,
        completed_at: str | None = None,
    ) -> None:
        """Write the `_SUCCESS` manifest of `files` (default: every crawl file of the folder)."""
        hour = _as_hour(hour)
        chosen = self.list_hour(hour, source) if files is None else files
        entries = []
        for item in chosen:
            if item.source != source or _as_hour(item.hour) != hour:
                raise ValueError(f"{item.uri} is not in {hour_prefix(source, hour)}")
            data = self.read_bytes(item.uri)
            entries.append(
                {
                    "name": item.name,
                    "bytes": len(data),
                    "lines": count_lines(data, item.name.endswith(".gz")),
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
            )
        document = {
            "source": source,
            "hour": format_hour(hour),
            "files": entries,
            "completed_at": completed_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        body = json.dumps(document, indent=2).encode("utf-8") + b"\n"
        self.write_bytes(f"{hour_prefix(source, hour)}/{SUCCESS_NAME}", body)

    def _display(self, relative_path: str) -> str:
        return f"{self.root}/{relative_path}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.root!r})"


def _clean_relative(relative_path: str) -> str:
    parts = [p for p in relative_path.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise ValueError(f"invalid relative path {relative_path!r}")
    return "/".join(parts)


class LocalLandingStore(LandingStore):
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = os.path.abspath(os.path.expanduser(os.fspath(root)))

    def _path(self, relative_path: str) -> Path:
        return Path(self.root, _clean_relative(relative_path))

    def _source_names(self) -> list[str]:
        base = Path(self.root)
        if not base.is_dir():
            return []
        return [
            p.name[len(_SOURCE_PREFIX) :]
            for p in base.iterdir()
            if p.name.startswith(_SOURCE_PREFIX) and p.is_dir()
        ]

    def _folder_exists(self, relative_dir: str) -> bool:
        return self._path(relative_dir).is_dir()

    def _files_in(self, relative_dir: str) -> list[tuple[str, str, int]]:
        folder = self._path(relative_dir)
        if not folder.is_dir():
            return []
        with os.scandir(folder) as entries:
            return [(e.path, e.name, e.stat().st_size) for e in entries if e.is_file()]

    def _read_optional(self, relative_path: str) -> bytes | None:
        try:
            return self._path(relative_path).read_bytes()
        except FileNotFoundError:
            return None

    def read_bytes(self, uri: str) -> bytes:
        return Path(uri.removeprefix("file://")).read_bytes()

    def write_bytes(self, relative_path: str, data: bytes) -> str:
        """Atomic: a hidden temp file in the same folder, then rename."""
        target = self._path(relative_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return str(target)


def split_s3_uri(uri: str) -> tuple[str, str]:
    """("bucket", "key/prefix") from s3://bucket/key/prefix (s3a:// accepted)."""
    scheme, sep, rest = uri.partition("://")
    if not sep or scheme not in ("s3", "s3a") or not rest.split("/", 1)[0]:
        raise ValueError(f"not an s3:// URI: {uri!r}")
    bucket, _, key = rest.partition("/")
    return bucket, key.strip("/")


def _is_missing(exc: Exception) -> bool:
    code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")


class S3LandingStore(LandingStore):
    """Landing zone in a bucket; the boto3 client is created on first use and never pickled."""

    page_size = 1000  # keys per list_objects_v2 call

    def __init__(self, root: str, settings: S3Settings | None = None) -> None:
        self.bucket, self.prefix = split_s3_uri(root)
        self.root = f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"
        self.settings = settings or S3Settings()
        self._client_obj: Any = None

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_client_obj"] = None
        return state

    @property
    def client(self) -> Any:
        if self._client_obj is None:
            import boto3
            from botocore.config import Config

            s = self.settings
            self._client_obj = boto3.client(
                "s3",
                endpoint_url=s.endpoint_url,
                region_name=s.region,
                aws_access_key_id=s.access_key_id,
                aws_secret_access_key=s.secret_access_key,
                config=Config(
                    s3={"addressing_style": "path" if s.path_style else "auto"},
                    retries={"max_attempts": 5, "mode": "standard"},
                ),
            )
        return self._client_obj

    def _key(self, relative_path: str) -> str:
        relative = _clean_relative(relative_path)
        return f"{self.prefix}/{relative}" if self.prefix else relative

    def _uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    def _pages(self, prefix: str) -> Any:
        """list_objects_v2 pages of the direct children of `prefix` (objects and common prefixes)."""
        paginator = self.client.get_paginator("list_objects_v2")
        return paginator.paginate(
            Bucket=self.bucket, Prefix=prefix, Delimiter="/", PaginationConfig={"PageSize": self.page_size}
        )

    def _source_names(self) -> list[str]:
        base = f"{self.prefix}/" if self.prefix else ""
        names = []
        for page in self._pages(base):
            for common in page.get("CommonPrefixes", []):
                folder = common["Prefix"][len(base) :].rstrip("/")
                if folder.startswith(_SOURCE_PREFIX):
                    names.append(folder[len(_SOURCE_PREFIX) :])
        return names

    def _folder_exists(self, relative_dir: str) -> bool:
        response = self.client.list_objects_v2(
            Bucket=self.bucket, Prefix=self._key(relative_dir) + "/", MaxKeys=1
        )
        return bool(response.get("KeyCount") or response.get("Contents"))

    def _files_in(self, relative_dir: str) -> list[tuple[str, str, int]]:
        base = self._key(relative_dir) + "/"
        found = []
        for page in self._pages(base):
            for obj in page.get("Contents", []):
                name = obj["Key"][len(base) :]
                if name and "/" not in name:
                    found.append((self._uri(obj["Key"]), name, int(obj["Size"])))
        return found

    def _read_optional(self, relative_path: str) -> bytes | None:
        try:
            return self.read_bytes(self._uri(self._key(relative_path)))
        except FileNotFoundError:
            return None

    def read_bytes(self, uri: str) -> bytes:
        bucket, key = split_s3_uri(uri)
        try:
            return bytes(self.client.get_object(Bucket=bucket, Key=key)["Body"].read())
        except Exception as exc:
            if _is_missing(exc):
                raise FileNotFoundError(uri) from exc
            raise

    def write_bytes(self, relative_path: str, data: bytes) -> str:
        key = self._key(relative_path)
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data)
        return self._uri(key)


def open_landing(root: str, s3: S3Settings | None = None) -> LandingStore:
    """s3:// (or s3a://) roots go to S3 through boto3; anything else is a local folder."""
    if root.startswith(("s3://", "s3a://")):
        return S3LandingStore(root, s3)
    return LocalLandingStore(root.removeprefix("file://"))
