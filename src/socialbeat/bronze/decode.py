"""Landing file bytes -> numbered lines, with byte-level problems named.

This is the one step of bronze that runs in Python (inside `mapInArrow`, so Arrow batches, not
row-by-row pickling): Spark's text reader fails a whole file on a truncated gzip stream and passes
invalid UTF-8 through silently, so it cannot keep every byte and say what was wrong. Everything
after this (JSON parsing, contract checks) runs in the JVM with Spark built-ins.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

CHUNK = 1 << 20


@dataclass(frozen=True)
class DecodedLine:
    line_number: int
    text: str | None  # None when the bytes are not valid UTF-8 (or a gzip tail)
    raw: bytes | None  # kept only when text is None, for base64 in quarantine
    size: int
    error: str | None = None  # a bronze.quarantine reason code, or None
    detail: str | None = None


@dataclass(frozen=True)
class DecodedFile:
    lines: list[DecodedLine]

    @property
    def lines_read(self) -> int:
        return len(self.lines)


def _gunzip(data: bytes) -> tuple[bytes, str | None, bytes]:
    """Decompress every gzip member; return (data, problem code, undecodable remainder)."""
    out: list[bytes] = []
    pending = data
    while pending:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        consumed = 0
        try:
            for start in range(0, len(pending), CHUNK):
                chunk = pending[start : start + CHUNK]
                out.append(inflater.decompress(chunk))
                consumed = start + len(chunk) - len(inflater.unused_data)
                if inflater.eof:
                    break
        except zlib.error:
            return b"".join(out), "corrupt_gzip", pending[consumed:]
        if not inflater.eof:
            out.append(inflater.flush())
            return b"".join(out), "truncated_gzip", b""
        pending = inflater.unused_data
    return b"".join(out), None, b""


def decode_file(data: bytes, compressed: bool, max_line_bytes: int) -> DecodedFile:
    """Split a landing file into lines; every byte ends up in exactly one DecodedLine."""
    problem, remainder = None, b""
    if compressed:
        data, problem, remainder = _gunzip(data)
    parts = data.split(b"\n")
    tail = parts.pop()  # after the last newline: empty for a well-terminated file
    lines = [_decode_line(i + 1, raw, max_line_bytes) for i, raw in enumerate(parts)]
    number = len(lines) + 1
    if problem == "truncated_gzip":
        lines.append(_broken_tail(number, tail, problem, "gzip stream ends before its end marker"))
    elif problem == "corrupt_gzip":
        lines.append(_broken_tail(number, tail + remainder, problem, "gzip data is corrupt from here on"))
    elif tail:
        lines.append(_decode_line(number, tail, max_line_bytes))
    return DecodedFile(lines)


def _broken_tail(number: int, raw: bytes, code: str, why: str) -> DecodedLine:
    return DecodedLine(number, None, raw, len(raw), code, f"{why}; {len(raw)} bytes after line {number - 1}")


def _decode_line(number: int, raw: bytes, max_line_bytes: int) -> DecodedLine:
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    size = len(raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        detail = f"not UTF-8 at byte {exc.start} ({raw[exc.start : exc.start + 4].hex()}){_legacy_hint(raw)}"
        return DecodedLine(number, None, raw, size, "invalid_encoding", detail)
    if size > max_line_bytes:
        return DecodedLine(number, text, None, size, "oversized_line", f"{size} bytes > {max_line_bytes}")
    if not text.strip():
        return DecodedLine(number, text, None, size, "empty_line", "blank line")
    return DecodedLine(number, text, None, size)


def _legacy_hint(raw: bytes) -> str:
    try:
        raw.decode("cp1258")
    except UnicodeDecodeError:
        return ""
    return "; decodes as Windows-1258"


def b64(raw: bytes | None) -> str | None:
    return None if raw is None else base64.b64encode(raw).decode("ascii")


def iter_rows(
    decoded: DecodedFile,
) -> Iterator[tuple[int, str | None, str | None, int, str | None, str | None]]:
    for line in decoded.lines:
        yield line.line_number, line.text, b64(line.raw), line.size, line.error, line.detail
