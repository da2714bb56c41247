"""Offline language identification (vi / en / other) with Spark built-ins only.

Per text, with URLs, e-mails and placeholders removed, the scorer counts: letters outside the Latin
script (CJK, Thai, Cyrillic, ...); Latin words that carry a Vietnamese letter (ă â đ ê ô ơ ư or a
tone mark) or are very frequent Vietnamese syllables written without marks ("khong", "duoc");
other words shaped like a Vietnamese syllable (weak evidence for Vietnamese, weight 0.3); very
frequent English words; and the remaining Latin words, which no Vietnamese syllable looks like
("traffic", "directing": weak evidence for English, weight 0.5). The two word lists are disjoint:
a token common in both languages ("the", "do", "me", "an", "long") is only syllable-shaped, and
interjections ("haha", "hihi", "ok", "lol") count for neither.

lang: "other" when there is no letter (empty, emoji only; confidence 0.1), when half the letters or
more are not Latin (confidence = that share), or when no word counts (confidence 0.3); otherwise the
larger of the Vietnamese and English scores wins (ties go to Vietnamese), with confidence = winner /
(vi + en), scaled down when few words are recognised and by any foreign share.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

LANGUAGES = ("vi", "en", "other")

VIETNAMESE_LOWER = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
# The same letters without their marks, one for one (for Spark's `translate`): "đường" -> "duong".
FOLDED_LOWER = "".join("d" if c == "đ" else unicodedata.normalize("NFD", c)[0] for c in VIETNAMESE_LOWER)


def char_class(chars: str) -> str:
    """A regex class of these characters written as ranges: Java tests a long list one by one."""
    points = sorted({ord(char) for char in chars})
    ranges: list[list[int]] = []
    for point in points:
        if ranges and point == ranges[-1][1] + 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    return "[" + "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges) + "]"


def fold_diacritics(text: str) -> str:
    """Lower-case Vietnamese letters to their base letter: "bít" -> "bit"."""
    return text.translate(str.maketrans(VIETNAMESE_LOWER, FOLDED_LOWER))


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of a literal block."""
    return frozenset(text.split())


VIETNAMESE_LETTER = char_class(VIETNAMESE_LOWER + VIETNAMESE_LOWER.upper())

# A Vietnamese syllable with its diacritics folded ("d" stands for đ): onset, 1-3 vowels, coda.
VIETNAMESE_SYLLABLE = (
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?$"
)

VIETNAMESE_WORDS = word_set(
    """
    ai anh ao ba bac bai ban bao bat bay bi biet binh bo boi bon bong bua buon ca cac cai cam
    cang canh cao cap cau cha chang chao chay chet chi chieu chinh cho choi chong chu chua chuc chung
    chuyen co coi con cong cu cua cuc cung cuoc cuoi da dai dan dang dao dat dau den dep di dia
    dich dien dieu dinh doi don dong du dua duc dung duoc duoi duong em ga gan ghe ghet gi gia giam gian
    giao gio gioi giong giua goi gui ha hai hang hanh hay het hoa hoc hoi hom hon hop hua huong khach
    khac khai khi kho khoan khoe khong khu kia kiem kiep kinh la lai lam lan lang lap lau len lien lo loai
    loi lon luc lui luon luong ly mai mat mau minh moi mon mot mua muon nam nan nao nay ne nen neu nghe
    nghi nghin ngay ngoai ngon nguoi nha nhan nhanh nhat nhau nhe nhi nhieu nhin nhu nhung noi nua nuoc
    o oi ong phai phan phat pho phong phu phuong qua quan quen ra rac rang rat re roi rong sai sang sao
    sau se sinh soi song sua suc tai tam tan tang tat te thang thanh thao thay thi thich thoi
    thong thu thuc thuong tien tieu tim tinh toan toi tot tra trai tram tren trieu trinh troi trong
    truoc truong tu tuan tuoi tuong uong va vai van vao ve vi viec vien viet vo voi vu vua vui xa xanh
    xau xe xem xin xong xuong yeu
    ko dc mn mng ntn hok khum cx mk mik vs bn trc ns
    """
)

ENGLISH_WORDS = word_set(
    """
    a about above after again against ago all almost already also always am an and another any anyone
    anything app are around as at away back bad be because been before behind being best better between
    big both bring but buy by call came can car careful check city claim click come coming could daily
    day days deal deals did different discount do does doing don't done down download during each earn
    easy else enough even ever every everyone everything far fast feel few find first follow for free
    friend friends from get gets give go going gone good got great guys had happy has have he hello help
    her here hi high him his home hope hours house how i if in into is it it's its join just keep kind
    know last late later least leave left less let life like likes limited link little live look looking
    lot love made make many maybe me mean might minutes money month more morning most much must my near
    need never new news next nice night no nobody not nothing now number of off offer old on once one
    online only open or order other our out over own people per phone place please police price prices
    problem put rain really right road said same say see service she should since sign so some something
    soon sorry start still stop street such sure take tell than thank thanks that the their them then
    there these they thing things think this those though three through time to today together too took
    traffic two under until up us very visit wait want was water way we weather week well went were what
    when where which while who why will win with without work would wrong year years yes yesterday yet
    you your
    """
)

INTERJECTIONS = word_set("ok oke okay okie lol wow omg hix kkk")

_LINKS = r"(?i)(?:https?://|www\.)\S+|(?<!\S)[^\s@]+@\S+|<[a-z_]+>"
_SIGNALS = tuple(f"_lid_{name}" for name in word_set("tokens latin_tokens words letters latin vi shape en"))


def _share(part: Column, whole: Column) -> Column:
    return F.when(whole > 0, part / whole).otherwise(F.lit(0.0))


def _count(words: Column, predicate: Callable[[Column], Column]) -> Column:
    return F.size(F.filter(words, predicate))


def _interjection(word: Column) -> Column:
    return word.isin(*INTERJECTIONS) | word.rlike(r"^(?:h[aeiou])+h?$")


def _with_signals(frame: DataFrame, text: Column) -> DataFrame:
    """`_lid_*` columns: letters (all, Latin), and Vietnamese, syllable-shaped and English word counts."""
    lowered = F.lower(F.regexp_replace(F.coalesce(text, F.lit("")), _LINKS, " "))
    staged = frame.withColumn("_lid_tokens", F.split(lowered, r"[^\p{L}]+"))
    staged = staged.withColumn(
        "_lid_latin_tokens", F.filter("_lid_tokens", lambda w: w.rlike(r"^\p{IsLatin}+$"))
    )
    staged = staged.withColumn("_lid_words", F.filter("_lid_latin_tokens", lambda w: ~_interjection(w)))
    words = F.col("_lid_words")
    return staged.withColumns(
        {
            "_lid_letters": F.length(F.array_join("_lid_tokens", "")),
            "_lid_latin": F.length(F.array_join("_lid_latin_tokens", "")),
            "_lid_vi": _count(words, lambda w: w.isin(*VIETNAMESE_WORDS) | w.rlike(VIETNAMESE_LETTER)),
            "_lid_shape": _count(
                words, lambda w: ~w.isin(*VIETNAMESE_WORDS, *ENGLISH_WORDS) & w.rlike(VIETNAMESE_SYLLABLE)
            ),
            "_lid_en": _count(words, lambda w: w.isin(*ENGLISH_WORDS)),
        }
    )


def _decision() -> tuple[Column, Column]:
    """(lang, confidence) from the `_lid_*` counts."""
    letters = F.col("_lid_letters")
    foreign = _share(letters - F.col("_lid_latin"), letters)
    unknown = F.size("_lid_words") - F.col("_lid_vi") - F.col("_lid_shape") - F.col("_lid_en")
    vi = F.col("_lid_vi") + 0.3 * F.col("_lid_shape")
    en = F.col("_lid_en") + 0.5 * unknown
    best = F.greatest(vi, en)
    coverage = F.least(F.lit(1.0), 0.5 + _share(best, F.size("_lid_words")))
    latin_conf = _share(best, vi + en) * coverage * (1.0 - foreign)
    lang = (
        F.when(letters == 0, "other")
        .when(foreign >= 0.5, "other")
        .when(best == 0, "other")
        .when(vi >= en, "vi")
        .otherwise("en")
    )
    confidence = (
        F.when(letters == 0, F.lit(0.1))
        .when(foreign >= 0.5, foreign)
        .when(best == 0, F.lit(0.3))
        .otherwise(latin_conf)
    )
    return lang, F.round(confidence, 3)


def identify_language(frame: DataFrame, text_col: str = "text_display") -> DataFrame:
    """Add `lang` (vi, en or other) and `lang_confidence` (0-1) from the text in `text_col`."""
    lang, confidence = _decision()
    scored = _with_signals(frame, F.col(text_col))
    scored = scored.withColumns({"lang": lang, "lang_confidence": confidence})
    return scored.drop(*_SIGNALS)
