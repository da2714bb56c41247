"""PII masking: every pattern with positives and negatives, fingerprints, Spark == plain Python."""

from __future__ import annotations

import hashlib
import hmac
import re

import pytest

from socialbeat.silver.pii import (
    PATTERNS,
    canonical_value,
    find_pii,
    find_pii_values,
    mask_pii,
    mask_text,
)

SECRET = b"test-only-secret"

# (text, masked text)
POSITIVES = [
    ("gọi 0909 123 456 nha", "gọi <PHONE> nha"),
    ("sđt 0909123456", "sđt <PHONE>"),
    ("LH0912.345.678 gấp", "LH<PHONE> gấp"),
    ("0912-345-678", "<PHONE>"),
    ("090 912 3456", "<PHONE>"),
    ("0909 123456", "<PHONE>"),
    ("0909 12 34 56", "<PHONE>"),
    ("+84 938 111 222", "<PHONE>"),
    ("84938111222", "<PHONE>"),
    ("(+84) 938111222", "<PHONE>"),
    ("+84938111222.", "<PHONE>."),
    ("(028) 3822 1234", "<PHONE>"),
    ("028.3822.1234", "<PHONE>"),
    ("02838221234", "<PHONE>"),
    ("+84 28 3822 1234", "<PHONE>"),
    ("0909123456,0912345678", "<PHONE>,<PHONE>"),
    ("momo 0909 123 456 nha", "momo <PHONE> nha"),
    ("mail: Nguyen.Van_A99@Gmail.com.", "mail: <EMAIL>."),
    ("gửi cv về tuyen.dung@congty.com.vn hoặc 0909123456", "gửi cv về <EMAIL> hoặc <PHONE>"),
    ("CCCD 079123456789 nè", "CCCD <CCCD> nè"),
    ("lộ số 079 123 456 789 luôn", "lộ số <CCCD> luôn"),
    ("cmnd 025123456", "cmnd <CCCD>"),
    ("stk 0071001234567 vcb", "stk <BANK_ACCOUNT> vcb"),
    ("STK: 1903 5555 1234 56 Techcombank", "STK: <BANK_ACCOUNT> Techcombank"),
    ("Vietcombank - Nguyen Van A - 0071001234567", "Vietcombank - Nguyen Van A - <BANK_ACCOUNT>"),
    ("số tài khoản của em là 19035555123456", "số tài khoản của em là <BANK_ACCOUNT>"),
    ("SỐ TÀI KHOẢN: 0071.001.234.567", "SỐ TÀI KHOẢN: <BANK_ACCOUNT>"),
    ("chuyển vào MBBank 0909123456 giúp", "chuyển vào MBBank <BANK_ACCOUNT> giúp"),
    ("ck qua tk 123456 nha", "ck qua tk <BANK_ACCOUNT> nha"),
    ("vào stk 1234 5678 9012 3 ACB", "vào stk <BANK_ACCOUNT> ACB"),
    ("xe 51F-123.45 chạy ẩu", "xe <PLATE> chạy ẩu"),
    ("biển 59-X1 234.56", "biển <PLATE>"),
    ("51F12345", "<PLATE>"),
    ("30A-12345", "<PLATE>"),
    ("51f 123.45", "<PLATE>"),
    ("59X1-23456", "<PLATE>"),
    ("59-X1 23456", "<PLATE>"),
]

NEGATIVES = [
    "liên hệ 09xx-xxx-xxx",
    "0909.xxx.xxx",
    "gọi 113, 114, 115 hoặc 1022",
    "tổng đài 1900 1234, 19001234, 1800 6789, 1900123456",
    "giá 12.000.000đ",
    "giá 12,5 triệu, cọc 250000000đ, 120000000 VNĐ",
    "ngày 20/11/2024 lúc 15h 1234 người",
    "20241120",
    "số 0071001234567 không có gì",  # a bare long number is not a bank account
    "mã 1234567890123",
    "tk 2.000.000đ",
    "12345678901234",  # digits of a longer run are not a phone or an id
    "1.0909123456789",
    "giảm 30%, 4g, 5G, iphone 15",
    "bt rồi, lúc 8h30",
]


@pytest.mark.fast
@pytest.mark.parametrize(("text", "masked"), POSITIVES)
def test_positives_are_masked(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.fast
@pytest.mark.parametrize("text", NEGATIVES)
def test_negatives_are_left_alone(text: str) -> None:
    assert find_pii(text) == []
    assert mask_text(text) == text


@pytest.mark.fast
@pytest.mark.parametrize(("text", "_masked"), POSITIVES)
def test_spans_point_into_the_original_text(text: str, _masked: str) -> None:
    for match in find_pii_values(text):
        assert text[match.start : match.end] == match.value
        assert not re.search("[<>]", match.value)


@pytest.mark.fast
@pytest.mark.parametrize("text", [t for t, _ in POSITIVES] + NEGATIVES)
def test_no_pattern_is_left_after_masking(text: str) -> None:
    assert find_pii(mask_text(text)) == []


@pytest.mark.fast
def test_find_pii_types_and_order() -> None:
    text = "a@b.vn gọi 0909123456, stk 0071001234567 VCB, xe 51F-123.45, cccd 079123456789"
    assert [kind for kind, _, _ in find_pii(text)] == ["email", "phone", "bank_account", "plate", "cccd"]


@pytest.mark.fast
def test_one_canonical_value_per_phone_whatever_the_format() -> None:
    forms = [
        "0909123456",
        "0909 123 456",
        "0909.123.456",
        "090-912-3456",
        "+84 909 123 456",
        "84909123456",
        "(+84) 909123456",
    ]
    found = {canonical_value(m.type, m.value) for form in forms for m in find_pii_values(f"gọi {form} nha")}
    assert found == {"+84909123456"}


@pytest.mark.fast
def test_canonical_values_of_other_types() -> None:
    assert canonical_value("email", "Nguyen.A@Gmail.COM") == "nguyen.a@gmail.com"
    assert canonical_value("plate", "59-x1 234.56") == "59X123456"
    assert canonical_value("bank_account", "1903 5555-1234.56") == "19035555123456"
    assert canonical_value("cccd", "079 123 456 789") == "079123456789"
    assert canonical_value("phone", "(028) 3822 1234") == "+842838221234"


@pytest.mark.fast
def test_patterns_use_only_syntax_java_reads_the_same() -> None:
    for pattern in PATTERNS:
        re.compile(pattern.regex)  # no flags needed
        assert not re.search(r"\\[dwsbDWSB]|\(\?P<|\(\?[aiLmsux]", pattern.regex), pattern.type


# --- Spark ---------------------------------------------------------------------------------------


def _hmac(value: str, secret: bytes = SECRET) -> str:
    return hmac.new(secret, value.encode("utf-8"), hashlib.sha256).hexdigest()


def _expected_fingerprints(*texts: str | None, secret: bytes = SECRET) -> list[tuple[str, str]]:
    return sorted(
        {
            (m.type, _hmac(canonical_value(m.type, m.value), secret))
            for t in texts
            for m in find_pii_values(t or "")
        }
    )


@pytest.mark.spark
def test_mask_pii_matches_plain_python(spark) -> None:
    texts = [t for t, _ in POSITIVES] + NEGATIVES + [None, ""]
    frame = spark.createDataFrame(list(enumerate(texts)), "id int, text string")
    rows = {row.id: row for row in mask_pii(frame, ["text"], SECRET).collect()}
    for index, text in enumerate(texts):
        row = rows[index]
        assert row.text == (None if text is None else mask_text(text)), text
        assert [(f.type, f.fingerprint) for f in row.pii_fingerprints] == _expected_fingerprints(text), text
        assert row.pii_types == sorted({kind for kind, _, _ in find_pii(text or "")})


@pytest.mark.spark
def test_fingerprints_across_columns_are_distinct_sorted_and_keyed(spark) -> None:
    title, text = "Cảnh báo lừa đảo 0909 123 456", "số +84 909 123 456 gọi, stk 0071001234567 VCB, a@b.vn"
    long_secret = b"k" * 100  # longer than the SHA-256 block: the key is hashed first
    frame = spark.createDataFrame([(title, text)], "title string, text string")
    row = mask_pii(frame, ["title", "text"], long_secret).collect()[0]
    assert (row.title, row.text) == (mask_text(title), mask_text(text))
    got = [(f.type, f.fingerprint) for f in row.pii_fingerprints]
    assert got == _expected_fingerprints(title, text, secret=long_secret)
    assert [kind for kind, _ in got].count("phone") == 1  # one number, two formats, one fingerprint
    assert dict(got)["phone"] == _hmac("+84909123456", long_secret) != _hmac("+84909123456")
    assert row.pii_types == ["bank_account", "email", "phone"]


@pytest.mark.spark
def test_output_schema_and_empty_secret(spark) -> None:
    frame = spark.createDataFrame([("x",)], "text string")
    out = mask_pii(frame, ["text"], SECRET)
    assert out.columns == ["text", "pii_fingerprints", "pii_types"]
    assert (
        out.schema["pii_fingerprints"].dataType.simpleString()
        == "array<struct<type:string,fingerprint:string>>"
    )
    assert out.schema["pii_types"].dataType.simpleString() == "array<string>"
    with pytest.raises(ValueError, match="secret"):
        mask_pii(frame, ["text"], b"")


def test_the_key_never_shows_in_query_plans(spark) -> None:
    """EXPLAIN, the SQL UI and event logs print plans: the HMAC pads must be redacted there."""
    from socialbeat.silver.pii import _hmac_pads

    out = mask_pii(spark.createDataFrame([("gọi 0909 123 456",)], "text string"), ["text"], SECRET)
    plan = spark._jvm.PythonSQLUtils.explainString(out._jdf.queryExecution(), "extended")
    pads = _hmac_pads(SECRET)
    assert "redacted" in plan
    assert pads.inner_hex not in plan and pads.outer_hex not in plan
