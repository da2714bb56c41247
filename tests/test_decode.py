import gzip

import pytest

from crawl_lines import to_cp1258
from socialbeat.bronze.decode import decode_file

pytestmark = pytest.mark.fast


def test_plain_lines_and_crlf_and_missing_final_newline() -> None:
    decoded = decode_file(b'{"a":1}\r\n{"b":2}\n{"c":3}', compressed=False, max_line_bytes=100)
    assert [ln.text for ln in decoded.lines] == ['{"a":1}', '{"b":2}', '{"c":3}']
    assert [ln.line_number for ln in decoded.lines] == [1, 2, 3]
    assert all(ln.error is None for ln in decoded.lines)


def test_multi_member_gzip_is_read_whole() -> None:
    data = gzip.compress(b"one\ntwo\n", mtime=0) + gzip.compress(b"three\n", mtime=0)
    assert [ln.text for ln in decode_file(data, True, 100).lines] == ["one", "two", "three"]


def test_truncated_gzip_keeps_complete_lines_and_flags_the_tail() -> None:
    payload = b"".join(b'{"n": %d, "text": "ng\xe1\xba\xadp"}\n' % i for i in range(200))
    cut = gzip.compress(payload, mtime=0)[:-30]
    decoded = decode_file(cut, True, 1000)
    *good, tail = decoded.lines
    assert all(ln.error is None for ln in good) and len(good) >= 150
    assert tail.error == "truncated_gzip" and tail.line_number == len(good) + 1
    assert payload.startswith(
        b"\n".join(ln.text.encode() for ln in good if ln.text) + b"\n" + (tail.raw or b"")
    )


def test_corrupt_gzip_keeps_the_undecodable_bytes() -> None:
    decoded = decode_file(b"this is not gzip at all", True, 100)
    assert [(ln.error, ln.raw) for ln in decoded.lines] == [("corrupt_gzip", b"this is not gzip at all")]


def test_encoding_size_and_blank_lines_are_named() -> None:
    legacy = to_cp1258("Quận Bình Thạnh")
    decoded = decode_file(legacy + b"\n" + b"x" * 50 + b"\n \n", False, max_line_bytes=20)
    errors = [ln.error for ln in decoded.lines]
    assert errors == ["invalid_encoding", "oversized_line", "empty_line"]
    assert decoded.lines[0].raw == legacy and "Windows-1258" in (decoded.lines[0].detail or "")
