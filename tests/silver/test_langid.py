"""Language identification: a labelled list (vi with and without diacritics, teencode, en, zh, mixed)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from socialbeat.silver import langid as L

LABELLED: list[tuple[str, str]] = [
    # Vietnamese with diacritics
    ("vi", "Kẹt xe kinh khủng ở vòng xoay Hàng Xanh, đi 1 tiếng chưa tới nhà"),
    ("vi", "Nước ngập tới đầu gối ở đường Nguyễn Hữu Cảnh sau cơn mưa chiều nay"),
    ("vi", "Ủy ban nhân dân phường Bến Nghé thông báo lịch cắt điện ngày mai"),
    ("vi", "Quán lẩu dê trên đường Tỉnh lộ 10 ngon bá cháy, giá 55k thôi 💯"),
    ("vi", "Cảnh báo lừa đảo: giả danh công an gọi điện yêu cầu chuyển tiền"),
    ("vi", "hóng"),
    ("vi", "Đẹp quá!"),
    ("vi", "Công an TP.HCM cho biết sẽ rà soát tình trạng cướp giật tài sản"),
    ("vi", "xây sai phép mà không ai xử 🥺👎"),
    ("vi", "nắng nóng kinh khủng mng ơi, 38 độ 😫"),
    # Vietnamese without diacritics
    ("vi", "ket xe qua troi o q1 luon"),
    ("vi", "Qua thu viec roi moi nguoi oi 🤩🤩"),
    ("vi", "co ai biet duong nao di duoc khong"),
    ("vi", "nuoc ngap het roi, xe chet may giua duong"),
    ("vi", "cam on ban nhieu nha"),
    ("vi", "gia nha o quan 7 bay gio bao nhieu vay"),
    ("vi", "troi oi mua to qua"),
    ("vi", "hom nay di lam tre vi ket xe"),
    # teencode
    ("vi", "đc k mn, bít j đâu"),
    ("vi", "ko dc r, trc h vs bn toàn z"),
    ("vi", "mn oi cho e hoi ntn vay"),
    ("vi", "hok bit nua, thui kệ"),
    ("vi", "cx dc mak, ns chung la ok"),
    # English
    ("en", "Best deals today! Buy now and get 50% off, visit www.example.com"),
    ("en", "Click the link to claim your free gift card now"),
    ("en", "Earn money online from home, limited offer, sign up today"),
    ("en", "The traffic in the city is really bad this week"),
    ("en", "Thanks for the great service, we will come back"),
    ("en", "Download our app and win a new iPhone"),
    ("en", "Is there a good place to eat near here?"),
    ("en", "Hello, how are you today?"),
    ("en", "Welcome to Sài Gòn, one of the best cities to visit in Asia"),
    ("en", "Join our team, we need people who love to work with customers"),
    # Chinese and other scripts
    ("other", "加微信领取红包 免费 点击链接"),
    ("other", "兼职日结，每天轻松赚三百元，联系客服"),
    ("other", "优惠活动 限时抢购 😂😂"),
    ("other", "正品保证 全国包邮 https://t.me/abcdef"),
    ("other", "今日の天気は晴れです"),
    ("other", "สวัสดีครับ ยินดีต้อนรับ"),
    ("other", "Привет всем, как дела"),
    # mixed
    ("vi", "Sale 50% tất cả sản phẩm, free ship toàn quốc, inbox shop nhé"),
    ("vi", "Mình order online mà shipper giao trễ quá"),
    ("vi", "Hôm nay check in quán cafe mới ở quận 3, view đẹp lắm"),
    ("other", "加微信 nhận quà 免费领取 红包 点击"),
    ("en", "Limited offer for Tết: buy one get one free at our store"),
    ("en", "Stuck near công viên Gia Định for 40 minutes already. Why is there nobody directing traffic?"),
    ("vi", "Meo nha minh pha sach do an, tuc ma khong no danh 😅😅😅🤣"),
    # nothing to read
    ("other", "😂😂😂👍"),
    ("other", ""),
    ("other", "123 456 !!!"),
    ("other", "haha 😅😅😅"),
]


@pytest.fixture(scope="module")
def scored(spark: Any) -> list[Any]:
    frame = spark.createDataFrame(
        [(i, text) for i, (_, text) in enumerate(LABELLED)], "id int, text_display string"
    )
    return sorted(L.identify_language(frame).collect(), key=lambda row: row["id"])


@pytest.mark.fast
def test_word_lists_are_disjoint_lower_case_ascii() -> None:
    assert not L.VIETNAMESE_WORDS & L.ENGLISH_WORDS
    assert all(re.fullmatch(r"[a-z']+", word) for word in L.VIETNAMESE_WORDS | L.ENGLISH_WORDS)


@pytest.mark.fast
def test_char_class_compresses_ranges() -> None:
    assert L.char_class("abcx") == "[a-cx]"
    assert re.fullmatch(L.VIETNAMESE_LETTER, "ự") and not re.fullmatch(L.VIETNAMESE_LETTER, "ç")
    assert L.fold_diacritics("đường khỏe") == "duong khoe"


@pytest.mark.spark
def test_labelled_list_accuracy(scored: list[Any]) -> None:
    assert len(LABELLED) >= 40
    wrong = [
        (text, row["lang"]) for (lang, text), row in zip(LABELLED, scored, strict=True) if row["lang"] != lang
    ]
    accuracy = 1 - len(wrong) / len(LABELLED)
    print(f"langid accuracy {accuracy:.3f} on {len(LABELLED)} examples; wrong: {wrong}")
    assert accuracy >= 0.95, wrong


@pytest.mark.spark
def test_confidence_is_a_probability_like_score(scored: list[Any]) -> None:
    assert all(0.0 <= row["lang_confidence"] <= 1.0 for row in scored)
    by_text = {text: row for (_, text), row in zip(LABELLED, scored, strict=True)}
    assert (
        by_text["Kẹt xe kinh khủng ở vòng xoay Hàng Xanh, đi 1 tiếng chưa tới nhà"]["lang_confidence"] >= 0.9
    )
    assert by_text["加微信领取红包 免费 点击链接"]["lang_confidence"] >= 0.9
    for empty in ("", "😂😂😂👍", "123 456 !!!", "haha 😅😅😅"):
        assert by_text[empty]["lang"] == "other" and by_text[empty]["lang_confidence"] <= 0.3


@pytest.mark.spark
def test_null_text_and_other_columns_kept(spark: Any) -> None:
    frame = spark.createDataFrame([(1, None)], "id int, text_display string")
    row = L.identify_language(frame).first()
    assert row.asDict() == {"id": 1, "text_display": None, "lang": "other", "lang_confidence": 0.1}
