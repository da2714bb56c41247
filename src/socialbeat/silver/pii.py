"""Personal data in mention text: find it, mask it with typed placeholders, fingerprint it with a keyed hash.

`PATTERNS` is the single source of truth. Each regular expression is written in the subset that Python
`re` and `java.util.regex` read the same way: explicit classes instead of `\\d`, `\\w`, `\\s` and `\\b`
(ASCII-only in Java, Unicode in Python), fixed-width look-behinds, no named groups and no flags (case
variants are spelt out: Java's and Python's case folding differ outside ASCII). Spark masks with
`regexp_replace`/`regexp_extract_all`; the plain-Python `find_pii`/`mask_text` (tests, the quality
gate) apply the same patterns in the same order. Each pattern starts with a one-character look-ahead
and keyword lists are character tries, so the JVM rejects most positions after one test.

Rules decided (positives and negatives in tests/silver/test_pii.py):

- Order: e-mail, bank account, phone, plate, CCCD. Each pattern runs on the text left by the previous
  ones, so a phone inside an e-mail is one e-mail, and a number after "stk" is a bank account.
- Phone (`<PHONE>`): mobiles 0[35789] + 8 digits written whole or grouped 4-3-3, 3-3-4, 4-6, 4-2-2-2,
  3-4-3 with one space, dot or dash between groups; the same after +84 / 84 / (+84) (grouped 9, 3-3-3,
  2-3-4, 3-6); landlines 02x + 8 digits or 02xx + 7 digits, area code optionally in parentheses. Never
  part of a longer digit run. Masked templates ("09xx-xxx-xxx") contain letters and are left alone.
- Public numbers stay: 113, 114, 115, 1022 and the 1900/1800 hotlines are numbers of services, not
  persons (too short for any pattern; 1900/1800 runs are excluded from the 9-digit ID rule).
- E-mail (`<EMAIL>`): the usual local@domain.tld, ASCII.
- CCCD/CMND (`<CCCD>`): a standalone run of 12 digits starting with 0 (the CCCD province code; also
  grouped 3-3-3-3) or of 9 digits (CMND). Not when the run touches other digits, continues a decimal
  or grouped amount ("12.000.000đ" is money: never 9 or 12 digits in a run), or is followed by a
  currency ("đ", "vnd", "k", "tr", "triệu", "tỷ", "usd", "$").
- Bank account (`<BANK_ACCOUNT>`, only the number is replaced): 6-19 digits, optionally grouped with
  spaces, dots or dashes, starting within 30 characters (no digit, no line break in between) after
  "stk", "số tài khoản", "số tk", "tài khoản", "tk", "ngân hàng" or a bank name (Vietcombank,
  VCB, Techcombank, TCB, MB, MBBank, ACB, BIDV, Agribank, Sacombank, VPBank, TPBank, VietinBank, ...),
  each in lower case, UPPER CASE, Capitalised, Title Case or the brand's own spelling.
  Not followed by a currency. A bare long number without such context is not one. Wallets (Momo,
  ZaloPay, ViettelPay) are not bank context on purpose: their account is the owner's phone number, so
  "momo 0909 123 456" is masked and fingerprinted as that phone and links to "gọi 0909123456".
- Plate (`<PLATE>`): province 10-99, a series of one plate letter (no I, J, O, Q, W) and an optional
  letter/digit, then 4-5 digits: "51F-123.45", "51F 123.45", "51F12345", "30A-12345", "59X1-234.56",
  "59-X1 234.56", "59-X1 23456". A space before a bare 4-5-digit run ("15h 1234") is not a plate.
- Fingerprint: HMAC-SHA256(secret, canonical value) as hex. Canonical: phone "+84" + national number
  without its leading 0; e-mail lower-cased; plate upper-cased letters and digits; bank account and
  CCCD digits only. The secret comes from configuration; the HMAC pads are 128-hex-digit literals in
  the Spark plan, which `spark.sql.redaction.string.regex` (infra/config/socialbeat.yaml) redacts
  from EXPLAIN, the SQL UI and event logs; a session without that setting would show them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import reduce
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

PII_TYPES = ("email", "bank_account", "phone", "plate", "cccd")

_LETTER = r"A-Za-z\u00c0-\u024f\u1e00-\u1eff"  # ASCII and every Vietnamese letter, both cases
_WORD_BEFORE = rf"(?<![0-9{_LETTER}_])"
_WORD_AFTER = rf"(?![0-9{_LETTER}_])"
_SEP = r"[ .\-]"
_END = ""


def literal_trie(literals: Mapping[str, str]) -> str:
    """A regex for the literals as a character trie (longest first), each followed by its tail.

    A trie lets the JVM reject a position after one or two character tests instead of trying every
    alternative in turn. `tail` is a look-ahead (or "") checked right after its literal.
    """
    root: dict[str, Any] = {}
    for literal, tail in literals.items():
        node = root
        for char in literal:
            node = node.setdefault(char, {})
        node[_END] = tail
    return _emit(root)


def _emit(node: dict[str, Any]) -> str:
    branches = [re.escape(char) + _emit(child) for char, child in sorted(node.items()) if char != _END]
    if _END in node:
        branches.append(node[_END])
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def first_chars(literals: Iterable[str]) -> str:
    """A character class of the literals' first characters, for a cheap look-ahead guard."""
    chars = sorted({literal[0] for literal in literals if literal})
    return "[" + "".join("\\" + c if c in "\\]^-[" else c for c in chars) + "]"


def cased(words: Iterable[str]) -> set[str]:
    """lower, UPPER, Capitalised and Title Case forms (the patterns use no case-insensitive flag)."""
    return {
        form for word in words for form in (word, word.lower(), word.upper(), word.capitalize(), word.title())
    }


def _trie_of(words: Iterable[str]) -> str:
    return literal_trie(dict.fromkeys(sorted(cased(words)), ""))


_MONEY_WORDS = ("vnđ", "vnd", "đồng", "dong", "đ", "usd", "k", "tr", "triệu", "trieu", "tỷ", "ty", "$")
_MONEY = rf"[ ]?{_trie_of(_MONEY_WORDS)}(?![{_LETTER}])"
_INTL = r"(?:\(\+?84\)|\+84|84)[ .\-]?"


def _digits(count: int) -> str:
    return f"[0-9]{{{count}}}" if count else ""


def _grouped(head: str, head_digits: int, *sizes: int) -> str:
    """`head` (the first `head_digits` digits) + the rest of the first group, then `_SEP` + each group."""
    return head + _digits(sizes[0] - head_digits) + "".join(_SEP + _digits(size) for size in sizes[1:])


def _alternation(parts: list[str]) -> str:
    return "(?:" + "|".join(parts) + ")"


_MOBILE = _alternation(
    [
        _grouped("0[35789]", 2, *sizes)
        for sizes in ((10,), (4, 3, 3), (3, 3, 4), (4, 6), (4, 2, 2, 2), (3, 4, 3))
    ]
)
_MOBILE_INTL = (
    _INTL
    + "0?"
    + _alternation([_grouped("[35789]", 1, *sizes) for sizes in ((9,), (3, 3, 3), (2, 3, 4), (3, 6))])
)
_LANDLINE = _alternation(
    [
        r"(?:\(02[0-9]\)|02[0-9])[ .\-]?[0-9]{4}[ .\-]?[0-9]{4}",
        r"(?:\(02[0-9]{2}\)|02[0-9]{2})[ .\-]?[0-9]{3}[ .\-]?[0-9]{4}",
    ]
)
_LANDLINE_INTL = _INTL + _alternation(
    [
        r"\(?0?2[0-9]\)?[ .\-]?[0-9]{4}[ .\-]?[0-9]{4}",
        r"\(?0?2[0-9]{2}\)?[ .\-]?[0-9]{3}[ .\-]?[0-9]{4}",
    ]
)
PHONE_REGEX = (
    r"(?=[0-9(+])(?<![0-9])" + _alternation([_MOBILE_INTL, _LANDLINE_INTL, _MOBILE, _LANDLINE]) + "(?![0-9])"
)

_EMAIL_CHAR = r"[A-Za-z0-9._%+\-]"
_EMAIL_DOMAIN = r"[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
EMAIL_REGEX = f"(?={_EMAIL_CHAR})(?<!{_EMAIL_CHAR}){_EMAIL_CHAR}++@{_EMAIL_DOMAIN}"

_ID_BEFORE = r"(?=[0-9])(?<![0-9+])(?<![0-9][.,])"
_ID_AFTER = rf"(?![0-9])(?![.,][0-9])(?!{_MONEY})"
CCCD_REGEX = (
    _ID_BEFORE
    + _alternation([r"0[0-9]{2}(?:[0-9]{9}|[ .][0-9]{3}[ .][0-9]{3}[ .][0-9]{3})", r"(?!1[89]00)[0-9]{9}"])
    + _ID_AFTER
)

BANK_NAMES = (
    "Vietcombank",
    "VCB",
    "Techcombank",
    "TCB",
    "MBBank",
    "MB Bank",
    "MB",
    "ACB",
    "BIDV",
    "Agribank",
    "Sacombank",
    "VPBank",
    "TPBank",
    "VietinBank",
    "VIB",
    "HDBank",
    "SHB",
    "OCB",
    "MSB",
    "SeABank",
    "Eximbank",
    "LPBank",
    "SCB",
    "Shinhan",
)
ACCOUNT_WORDS = ("số tài khoản", "so tai khoan", "số tk", "so tk", "stk", "tài khoản", "tai khoan", "tk")
_CONTEXT_WORDS = cased((*ACCOUNT_WORDS, "ngân hàng", "ngan hang", *BANK_NAMES))
BANK_ACCOUNT_REGEX = (
    f"((?={first_chars(_CONTEXT_WORDS)}){_WORD_BEFORE}{_trie_of(_CONTEXT_WORDS)}{_WORD_AFTER}[^0-9\\n]{{0,30}})"
    f"([0-9](?:[ .\\-]?[0-9]){{5,18}})(?![ .\\-]?[0-9])(?!{_MONEY})"
)

_PLATE_SERIES = "[A-HK-NP-VX-Za-hk-np-vx-z][A-HK-NP-VX-Za-hk-np-vx-z0-9]?"
_PLATE_NUMBER = r"(?:[0-9]{3}\.[0-9]{2}|[0-9]{4,5})"
PLATE_REGEX = (
    r"(?=[1-9])(?<![0-9A-Za-z])[1-9][0-9]"
    + _alternation(
        [
            _PLATE_SERIES + r"(?:[ .\-]?[0-9]{3}\.[0-9]{2}|-?[0-9]{4,5})",
            "-" + _PLATE_SERIES + "[ .\\-]?" + _PLATE_NUMBER,
        ]
    )
    + "(?![0-9A-Za-z])"
)


@dataclass(frozen=True, slots=True)
class PiiPattern:
    """One PII type: its regex, the group holding the value (0: whole match) and its placeholder.

    `gate` is a cheap regex that every match contains; Spark skips the pattern on texts without it.
    """

    type: str
    regex: str
    group: int
    placeholder: str
    gate: str

    @property
    def replacement(self) -> str:
        """Java replacement string for `regexp_replace` (keeps the context group of a bank account)."""
        return f"$1{self.placeholder}" if self.group == 2 else self.placeholder


# The masking order (see the module docstring).
PATTERNS: tuple[PiiPattern, ...] = (
    PiiPattern("email", EMAIL_REGEX, 0, "<EMAIL>", "@"),
    PiiPattern("bank_account", BANK_ACCOUNT_REGEX, 2, "<BANK_ACCOUNT>", "[0-9]"),
    PiiPattern("phone", PHONE_REGEX, 0, "<PHONE>", "[0-9]{2}"),
    PiiPattern("plate", PLATE_REGEX, 0, "<PLATE>", "[0-9]{2}"),
    PiiPattern("cccd", CCCD_REGEX, 0, "<CCCD>", "[0-9]{3}"),
)
_COMPILED = {pattern.type: re.compile(pattern.regex) for pattern in PATTERNS}
_INTL_START = re.compile(r"^\(?\+?84")


# --- plain Python -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PiiMatch:
    type: str
    start: int
    end: int
    value: str


def _scan(text: str) -> tuple[str, list[PiiMatch]]:
    """Apply the patterns in order on the progressively masked text; spans point into `text`."""
    current, origin = text, [(i, i + 1) for i in range(len(text))]
    found: list[PiiMatch] = []
    for pattern in PATTERNS:
        pieces: list[str] = []
        new_origin: list[tuple[int, int]] = []
        last = 0
        for match in _COMPILED[pattern.type].finditer(current):
            a, b = match.span(pattern.group)
            start, end = origin[a][0], origin[b - 1][1]
            found.append(PiiMatch(pattern.type, start, end, text[start:end]))
            pieces += [current[last:a], pattern.placeholder]
            new_origin += origin[last:a] + [(start, end)] * len(pattern.placeholder)
            last = b
        pieces.append(current[last:])
        new_origin += origin[last:]
        current, origin = "".join(pieces), new_origin
    return current, sorted(found, key=lambda m: m.start)


def find_pii(text: str) -> list[tuple[str, int, int]]:
    """(type, start, end) of every piece of personal data in `text`, in text order."""
    return [(m.type, m.start, m.end) for m in _scan(text)[1]]


def find_pii_values(text: str) -> list[PiiMatch]:
    """Like `find_pii`, with each value as written (pass it to `canonical_value` to fingerprint it)."""
    return _scan(text)[1]


def mask_text(text: str) -> str:
    """`text` with every piece of personal data replaced by its placeholder (same result as `mask_pii`)."""
    return _scan(text)[0]


def canonical_value(pii_type: str, surface: str) -> str:
    """The value that is fingerprinted: one form per real number, address or plate."""
    if pii_type == "phone":
        number = re.sub("[^0-9]", "", surface)
        national = number[2:] if _INTL_START.match(surface) else number
        return "+84" + national.removeprefix("0")
    if pii_type == "email":
        return surface.lower()
    if pii_type == "plate":
        return re.sub("[^0-9A-Za-z]", "", surface).upper()
    return re.sub("[^0-9]", "", surface)


# --- Spark ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _HmacPads:
    inner_hex: str
    outer_hex: str


def _hmac_pads(secret: bytes) -> _HmacPads:
    """The RFC 2104 key pads, computed once on the driver."""
    if not secret:
        raise ValueError("the PII fingerprint secret is empty: configure one")
    key = hashlib.sha256(secret).digest() if len(secret) > 64 else secret
    key = key.ljust(64, b"\0")
    return _HmacPads(bytes(b ^ 0x36 for b in key).hex(), bytes(b ^ 0x5C for b in key).hex())


def _hmac_sha256_hex(value: Column, pads: _HmacPads) -> Column:
    from pyspark.sql import functions as F

    inner = F.unhex(F.sha2(F.concat(F.unhex(F.lit(pads.inner_hex)), value.cast("binary")), 256))
    return F.sha2(F.concat(F.unhex(F.lit(pads.outer_hex)), inner), 256)


def fingerprint_column(value: Column, secret: bytes) -> Column:
    """HMAC-SHA256(secret, value) as hex, in Spark: the fingerprint of masked values and erased subjects."""
    return _hmac_sha256_hex(value, _hmac_pads(secret))


def _canonical_column(pii_type: str, surface: Column) -> Column:
    from pyspark.sql import functions as F

    digits = F.regexp_replace(surface, "[^0-9]", "")
    if pii_type == "phone":
        national = F.when(surface.rlike(_INTL_START.pattern), F.substring(digits, 3, 64)).otherwise(digits)
        return F.concat(F.lit("+84"), F.regexp_replace(national, "^0", ""))
    if pii_type == "email":
        return F.lower(surface)
    if pii_type == "plate":
        return F.upper(F.regexp_replace(surface, "[^0-9A-Za-z]", ""))
    return digits


def _fingerprinter(pii_type: str, pads: _HmacPads) -> Callable[[Column], Column]:
    from pyspark.sql import functions as F

    def fingerprint(surface: Column) -> Column:
        digest = _hmac_sha256_hex(_canonical_column(pii_type, surface), pads)
        return F.struct(F.lit(pii_type).alias("type"), digest.alias("fingerprint"))

    return fingerprint


def _mask_column(frame: DataFrame, column: str, pads: _HmacPads, tag: str) -> tuple[DataFrame, list[str]]:
    """Mask one column pattern by pattern; each step's fingerprints go to a temporary column.

    A pattern is only run where its gate is found, and values are only extracted where the
    replacement changed the text (a placeholder never equals what it replaces).
    """
    from pyspark.sql import functions as F

    found: list[str] = []
    masked_col = f"__pii_{tag}_masked"
    for pattern in PATTERNS:
        text, masked = F.col(column), F.col(masked_col)
        replaced = F.regexp_replace(text, pattern.regex, pattern.replacement)
        frame = frame.withColumn(masked_col, F.when(text.rlike(pattern.gate), replaced).otherwise(text))
        values = F.when(masked != text, F.regexp_extract_all(text, F.lit(pattern.regex), pattern.group))
        temp = f"__pii_{tag}_{pattern.type}"
        fingerprints = F.transform(
            F.coalesce(values, F.array().cast("array<string>")), _fingerprinter(pattern.type, pads)
        )
        frame = frame.withColumns({temp: fingerprints, column: masked}).drop(masked_col)
        found.append(temp)
    return frame, found


def mask_pii(frame: DataFrame, text_cols: list[str], secret: bytes) -> DataFrame:
    """Replace personal data in `text_cols` by typed placeholders; add `pii_fingerprints`, `pii_types`.

    `pii_fingerprints`: array<struct<type, fingerprint>>, distinct and sorted, over all listed columns;
    `pii_types`: the distinct sorted types. A null text stays null and contributes nothing.
    """
    from pyspark.sql import functions as F

    pads = _hmac_pads(secret)
    temps: list[str] = []
    for index, column in enumerate(text_cols):
        frame, found = _mask_column(frame, column, pads, str(index))
        temps += found
    every = reduce(lambda a, b: F.concat(a, b), [F.col(t) for t in temps]) if temps else None
    empty = F.array().cast("array<struct<type:string,fingerprint:string>>")
    fingerprints = F.array_sort(F.array_distinct(every)) if every is not None else empty
    return (
        frame.withColumn("pii_fingerprints", fingerprints)
        .withColumn(
            "pii_types", F.array_sort(F.array_distinct(F.transform("pii_fingerprints", lambda x: x.type)))
        )
        .drop(*temps)
    )
