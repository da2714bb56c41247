"""Vietnamese normalisation: tone convention, entities, tags, links, emoji, letter runs, teencode, flags."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from socialbeat.silver import normalize as N

REPO_TEENCODE = N.load_teencode(None)
# What LETTER_RUN changes, in Python terms: 3+ equal vowels anywhere, 3+ equal letters (not c) at the end.
SQUEEZED = re.compile(rf"([{''.join(N._VOWEL_FAMILIES)}])\1\1|([^\Wc\d_])\2\2$")

# --- pure Python --------------------------------------------------------------------------------------


@pytest.mark.fast
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("hoà", "hòa"),
        ("hòa", "hòa"),
        ("thuỷ", "thủy"),
        ("thủy", "thủy"),
        ("khoẻ", "khỏe"),
        ("khỏe", "khỏe"),
        ("toà nhà", "tòa nhà"),
        ("xoè", "xòe"),
        ("hoạ sĩ", "họa sĩ"),
        ("luỹ tre", "lũy tre"),
        ("Uỷ ban", "Ủy ban"),
        ("THUỶ", "THỦY"),
        ("Hoà, thuỷ.", "Hòa, thủy."),
        ("ho\u0300a", "hòa"),  # decomposed input: NFC first
        ("tho\u031b\u0300i", "thời"),
    ],
)
def test_display_form_uses_old_style_tone_marks_in_nfc(raw: str, expected: str) -> None:
    assert N.display_form(raw) == expected


@pytest.mark.fast
@pytest.mark.parametrize("word", ["hoàng", "thuyền", "quý", "Quỳnh", "quỷ", "khuỷu", "ngoài", "hoa", "toán"])
def test_display_form_leaves_syllables_that_both_styles_write_alike(word: str) -> None:
    assert N.display_form(word) == word


@pytest.mark.fast
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("A &amp; B", "A & B"),
        ("&quot;x&quot; &#39;y&#39;", "\"x\" 'y'"),
        ("a&nbsp;b", "a\u00a0b"),
        ("&#7853; &#x1EAD;", "ậ ậ"),
        ("&amp;quot;hi&amp;quot;", '"hi"'),  # escaped twice by the crawler
        ("AT&T và R&D", "AT&T và R&D"),
        ("b\u200bc\ufeff", "bc"),
    ],
)
def test_display_form_decodes_entities_and_drops_invisible_characters(raw: str, expected: str) -> None:
    assert N.display_form(raw) == expected


@pytest.mark.fast
def test_compose_display_keeps_nulls() -> None:
    assert N.compose_display(pa.array([None, "hoà"], pa.string())).to_pylist() == [None, "hòa"]


@pytest.mark.fast
def test_repo_teencode_dictionary_is_large_and_has_the_common_pairs() -> None:
    assert len(REPO_TEENCODE) >= 300
    expected = {
        "ko": "không",
        "k": "không",
        "hok": "không",
        "hông": "không",
        "dc": "được",
        "đc": "được",
        "mn": "mọi người",
        "j": "gì",
        "vs": "với",
        "ns": "nói",
        "bít": "biết",
        "e": "em",
        "a": "anh",
        "bn": "bao nhiêu",
        "trc": "trước",
        "r": "rồi",
        "cx": "cũng",
        "cũg": "cũng",
        "z": "vậy",
        "dz": "vậy",
        "v": "vậy",
        "ntn": "như thế nào",
    }
    assert {key: REPO_TEENCODE[key] for key in expected} == expected


@pytest.mark.fast
def test_repo_teencode_keys_fit_the_token_lookup() -> None:
    one_letter = {key for key in REPO_TEENCODE if len(key) == 1}
    assert one_letter == {"k", "j", "e", "a", "r", "v", "z"}  # documented at the top of teencode.tsv
    for key in REPO_TEENCODE:
        assert " " not in key and not SQUEEZED.search(key), key  # text_norm would squeeze it first
    keys, values = list(REPO_TEENCODE), list(REPO_TEENCODE.values())
    assert N.dictionary_forms(keys) == keys and N.dictionary_forms(values) == values


@pytest.mark.fast
def test_emoji_table_maps_at_least_sixty_emoji_to_sentiment_tokens() -> None:
    table = N.load_emoji()
    assert len(table) >= 60
    assert table["😡"] == "emo_angry" and table["😂"] == "emo_laugh" and table["❤"] == "emo_love"
    assert table["👍"] == "emo_like" and table["😢"] == "emo_sad" and table["🔥"] == "emo_fire"
    emoji = re.compile(N.EMOJI)
    for key, token in table.items():
        assert token.startswith("emo_") and token.isascii(), token
        assert emoji.fullmatch(key), key  # every key is one token of the emoji pass


def _fake_vilexnorm(root: Path) -> Path:
    folder = root / N.VILEXNORM_PAIRS.parent
    folder.mkdir(parents=True)
    (folder / N.VILEXNORM_PAIRS.name).write_text(
        "original\tnormalized\tcount_in_train\n"
        "nhìu\tnhiều\t9\n"  # repo has it too: repo wins
        "bn\tbạn\t17\n"  # conflict: the repo says bao nhiêu
        "ngkhac2\tngười khác\t5\n"  # digit
        "t\ttôi\t870\n"  # one letter
        "siu\tsiêu\t7\n"  # kept
        "tym\ttim\t5\n"  # kept
        "khong\tkhông\t13\n"  # diacritic restoration only
        "hiem\thiếm\t2\n"  # too rare
        "th\tthôi\t12\nth\tthằng\t9\n"  # ambiguous
        "lên\tnên\t4\n"  # a real word (in the normalised text)
        "lol\tlồn\t5\n"  # English, profanity
        "t ko\ttôi không\t17\n",  # two tokens
        encoding="utf-8",
    )
    (folder / "train.csv").write_text(",original,normalized\n0,lên đồ,lên đồ\n", encoding="utf-8")
    return root


@pytest.mark.fast
def test_load_teencode_extends_the_repo_dictionary_with_safe_vilexnorm_pairs(tmp_path: Path) -> None:
    merged = N.load_teencode(_fake_vilexnorm(tmp_path))
    added = {key: value for key, value in merged.items() if key not in REPO_TEENCODE}
    assert added == {"siu": "siêu", "tym": "tim"}
    assert merged["bn"] == "bao nhiêu" and merged["nhìu"] == "nhiều"


@pytest.mark.fast
def test_load_teencode_without_shared_data(tmp_path: Path) -> None:
    assert N.load_teencode(tmp_path / "missing") == REPO_TEENCODE
    assert N.load_teencode(Path("/nonexistent")) == REPO_TEENCODE


@pytest.mark.fast
def test_default_teencode_follows_the_datasets_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALBEAT_DATASETS", "/nonexistent")
    assert N.default_teencode() == REPO_TEENCODE


@pytest.mark.fast
def test_shared_vilexnorm_pairs_never_override_the_repo(base_settings: Any) -> None:
    if not (base_settings.datasets_path / N.VILEXNORM_PAIRS).is_file():
        pytest.skip("shared data set not present")
    merged = N.load_teencode(base_settings.datasets_path)
    assert len(merged) > len(REPO_TEENCODE)
    assert all(merged[key] == value for key, value in REPO_TEENCODE.items())
    assert not {"t", "m", "lol", "khong", "lên"} & (merged.keys() - REPO_TEENCODE.keys())


@pytest.mark.fast
@pytest.mark.parametrize(
    ("key", "value", "share", "count", "safe"),
    [
        ("siu", "siêu", 1.0, 7, True),
        ("siu", "siêu", 0.7, 7, False),
        ("siu", "siêu", 1.0, 2, False),
        ("t", "tôi", 1.0, 900, False),
        ("toi", "tôi", 1.0, 30, False),
        ("ck", "chồng", 1.0, 110, False),
        ("the", "thế", 1.0, 9, False),
        ("loz", "lồn", 1.0, 9, False),
        ("ngta", "người ta", 1.0, 145, True),
        ("quáaaa", "quá", 1.0, 3, False),
    ],
)
def test_is_safe_pair(key: str, value: str, share: float, count: int, safe: bool) -> None:
    assert N.is_safe_pair(key, value, share, count, frozenset({"lên"})) is safe


# --- Spark ---------------------------------------------------------------------------------------------

CASES: dict[str, str | None] = {
    "tones": "Hoà bình, thuỷ lợi, khoẻ re",
    "nfd": "Ho\u0300a Bi\u0300nh",
    "entities": "A &amp; B &quot;x&quot; &#39;y&#39;&nbsp;z &#7853;",
    "tags": "<p>Xin <b>chào</b></p><br/>bạn<script>alert(1)</script> <!-- ghi chú --> nhé",
    "not_tags": "giá a < b và c > d",
    "spaces": "  một \n\t hai\u200b ba\u00a0 bốn  ",
    "kept": "Xem https://Bit.ly/AbC #KetXe 😡 @Minh",
    "placeholders": "Gọi <PHONE> hoặc <EMAIL>, stk <BANK_ACCOUNT>, xe <PLATE>, <CCCD> <ID>",
    "placeholder_glued": "sđt:<PHONE>.",
    "lower": "Kẹt Xe Ở Quận Bình Thạnh",
    "url": "xem https://bit.ly/abc123. nhé",
    "bare_urls": "mua tại shopee.vn/sp/123 và www.tiki.vn, fb.com/abc",
    "not_urls": "tp.hcm q.1 giá 1.5 triệu lúc 10:30",
    "email": "liên hệ Nguyen.Van@Gmail.com nhé",
    "mentions": "@Nguyễn Văn An nói đúng, @minh_anh99 ơi",
    "email_not_mention": "gửi a.b@mail.vn",
    "hashtags": "#NgapNuoc ở #Q7 #1 #ngậpNước",
    "emoji": "Tức quá 😡😡😡 nhưng vẫn ❤️ 👍🏽",
    "emoji_unknown": "đẹp 🦄",
    "emoticons": "vui quá:)) buồn :( yêu <3 hehe :v ^^",
    "not_emoticons": "lúc 10:30 (sáng) hẹn 1:3",
    "runs": "quááá điiiii ngonnnn quáaaa ơiii hmmm",
    "not_runs": "xoong soóc cccd pccc tttm good",
    "teencode": "ko bít j hết, đc k mn? cx vs ns trc r",
    "teencode_words_only": "giá 50k ở kosovo ntnx nhé",
    "english": "I have a car and a dog, vs you?",
    "particle_a": "mn oi di dau vay a? a ơi e đây",
    "unit_initials": "kẹt xe ở quận gv, q bt và q.bt nhưng gv dạy hay, bt rồi",
    "punctuation": "Sao vậy???!!! Được...",
    "glued": "e-mail q.1 1,5 10:30 tp.hcm vui,buồn",
    "no_diacritics": "ket xe qua troi o q1 luon",
    "no_diacritics_teencode": "ko biet di dau bay gio",
    "short_plain": "dc k",
    "diacritics": "Kẹt xe quá trời ở Q1",
    "empty": "",
    "null": None,
}


@pytest.fixture(scope="module")
def rows(spark: Any) -> dict[str, Any]:
    frame = spark.createDataFrame(list(CASES.items()), "case string, text string")
    out = N.normalize_text(frame, teencode=REPO_TEENCODE)
    return {row["case"]: row for row in out.collect()}


def norm(rows: dict[str, Any], case: str) -> str:
    return str(rows[case]["text_norm"])


@pytest.mark.spark
def test_output_schema(spark: Any) -> None:
    frame = spark.createDataFrame([("x",)], "text string")
    fields = {f.name: f.dataType.simpleString() for f in N.normalize_text(frame, teencode={}).schema.fields}
    assert fields == {
        "text": "string",
        "text_display": "string",
        "text_norm": "string",
        "urls": "array<string>",
        "mentions": "array<string>",
        "hashtags": "array<string>",
        "email_domains": "array<string>",
        "no_diacritics": "boolean",
    }


@pytest.mark.spark
@pytest.mark.parametrize(
    ("case", "display"),
    [
        ("tones", "Hòa bình, thủy lợi, khỏe re"),
        ("nfd", "Hòa Bình"),
        ("entities", "A & B \"x\" 'y' z ậ"),
        ("tags", "Xin chào bạn nhé"),
        ("not_tags", "giá a < b và c > d"),
        ("spaces", "một hai ba bốn"),
        ("kept", "Xem https://Bit.ly/AbC #KetXe 😡 @Minh"),
        ("placeholders", "Gọi <PHONE> hoặc <EMAIL>, stk <BANK_ACCOUNT>, xe <PLATE>, <CCCD> <ID>"),
        ("empty", ""),
        ("null", None),
    ],
)
def test_text_display(rows: dict[str, Any], case: str, display: str | None) -> None:
    assert rows[case]["text_display"] == display


@pytest.mark.spark
@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("tones", "hòa bình , thủy lợi , khỏe re"),
        ("lower", "kẹt xe ở quận bình thạnh"),
        ("placeholders", "gọi <PHONE> hoặc <EMAIL> , số tài khoản <BANK_ACCOUNT> , xe <PLATE> , <CCCD> <ID>"),
        ("placeholder_glued", "số điện thoại : <PHONE> ."),
        ("url", "xem . nhé"),
        ("bare_urls", "mua tại và ,"),
        ("not_urls", "tp.hcm q.1 giá 1.5 triệu lúc 10:30"),
        ("email", "liên hệ nhé"),
        ("mentions", "nói đúng , ơi"),
        ("hashtags", "ngapnuoc ở q7 # 1 ngậpnước"),
        ("emoji", "tức quá emo_angry nhưng vẫn emo_love emo_like"),
        ("emoji_unknown", "đẹp 🦄"),
        ("emoticons", "vui quá emo_laugh buồn emo_sad yêu emo_love hehe emo_laugh emo_happy"),
        ("not_emoticons", "lúc 10:30 ( sáng ) hẹn 1:3"),
        ("runs", "quá đi ngon quá ơi hm"),
        ("not_runs", "xoong soóc căn cước công dân phòng cháy chữa cháy trung tâm thương mại good"),
        ("teencode", "không biết gì hết , được không mọi người ? cũng với nói trước rồi"),
        ("teencode_words_only", "giá 50k ở kosovo ntnx nhé"),
        ("english", "i have a car and a dog , vs you ?"),
        ("particle_a", "mọi người oi di dau vay a ? anh ơi em đây"),
        ("unit_initials", "kẹt xe ở quận gv , q bt và q.bt nhưng giáo viên dạy hay , biết rồi"),
        ("punctuation", "sao vậy ? được ."),
        ("glued", "e-mail q.1 1,5 10:30 tp.hcm vui , buồn"),
        ("empty", ""),
        ("null", None),
    ],
)
def test_text_norm(rows: dict[str, Any], case: str, expected: str | None) -> None:
    assert rows[case]["text_norm"] == expected


@pytest.mark.spark
def test_placeholders_survive_verbatim_as_tokens(rows: dict[str, Any]) -> None:
    tokens = norm(rows, "placeholders").split()
    for name in N.PLACEHOLDERS:
        assert f"<{name}>" in tokens
        assert f"<{name}>" in rows["placeholders"]["text_display"]


@pytest.mark.spark
@pytest.mark.parametrize(
    ("case", "urls"),
    [
        ("url", ["https://bit.ly/abc123"]),
        ("kept", ["https://Bit.ly/AbC"]),
        ("bare_urls", ["shopee.vn/sp/123", "www.tiki.vn", "fb.com/abc"]),
        ("not_urls", []),
        ("email", []),
        ("null", []),
    ],
)
def test_urls(rows: dict[str, Any], case: str, urls: list[str]) -> None:
    assert rows[case]["urls"] == urls


@pytest.mark.spark
def test_email_domains_keep_only_the_domain(rows: dict[str, Any]) -> None:
    assert rows["email"]["email_domains"] == ["gmail.com"]
    assert rows["email_not_mention"]["email_domains"] == ["mail.vn"]
    row = rows["email"]
    assert "nguyen" not in str([row["text_norm"], row["urls"], row["mentions"], row["email_domains"]]).lower()
    assert rows["placeholders"]["email_domains"] == []


@pytest.mark.spark
@pytest.mark.parametrize(
    ("case", "mentions"),
    [
        ("mentions", ["nguyễn văn an", "minh_anh99"]),
        ("kept", ["minh"]),
        ("email_not_mention", []),
        ("email", []),
        ("null", []),
    ],
)
def test_mentions(rows: dict[str, Any], case: str, mentions: list[str]) -> None:
    assert rows[case]["mentions"] == mentions


@pytest.mark.spark
@pytest.mark.parametrize(
    ("case", "hashtags"),
    [("hashtags", ["ngapnuoc", "q7", "ngậpnước"]), ("kept", ["ketxe"]), ("url", []), ("null", [])],
)
def test_hashtags(rows: dict[str, Any], case: str, hashtags: list[str]) -> None:
    assert rows[case]["hashtags"] == hashtags


@pytest.mark.spark
@pytest.mark.parametrize(
    ("case", "flag"),
    [
        ("no_diacritics", True),
        ("no_diacritics_teencode", True),
        ("diacritics", False),
        ("tones", False),
        ("short_plain", False),
        ("english", False),
        ("empty", False),
        ("null", False),
    ],
)
def test_no_diacritics(rows: dict[str, Any], case: str, flag: bool) -> None:
    assert rows[case]["no_diacritics"] is flag


@pytest.mark.spark
def test_default_dictionary_without_shared_data(spark: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALBEAT_DATASETS", "/nonexistent")
    frame = spark.createDataFrame([("đc k mn",)], "text string")
    assert N.normalize_text(frame).first()["text_norm"] == "được không mọi người"
