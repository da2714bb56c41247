"""How people type online: no diacritics, teencode, stretched letters, case; emoji and hashtag banks."""

from __future__ import annotations

import random
import re
import unicodedata

_VIETNAMESE_LETTERS = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
DIACRITIC_CHARS = frozenset(_VIETNAMESE_LETTERS + _VIETNAMESE_LETTERS.upper())


def _strip_table() -> dict[int, str]:
    table = {ord("đ"): "d", ord("Đ"): "D"}
    for char in DIACRITIC_CHARS:
        if char not in "đĐ":
            table[ord(char)] = unicodedata.normalize("NFD", char)[0]
    return table


_STRIP = _strip_table()


def strip_diacritics(text: str) -> str:
    """ "Ngập ở Bình Thạnh" -> "Ngap o Binh Thanh" (one character for one, so offsets survive)."""
    return text.translate(_STRIP)


def has_diacritics(text: str) -> bool:
    return any(char in DIACRITIC_CHARS for char in text)


# Standard word -> what people type instead (the first forms are the most common).
TEENCODE: dict[str, tuple[str, ...]] = {
    "không": ("ko", "k", "hông", "hok", "khum", "kh"),
    "được": ("đc", "dc", "đc", "dk"),
    "mọi người": ("mn", "mng", "mn"),
    "gì": ("j", "j", "gì"),
    "vậy": ("v", "z", "zậy", "dzậy"),
    "rồi": ("r", "rùi", "òi"),
    "biết": ("bít", "bik"),
    "quá": ("wá", "qá"),
    "với": ("vs", "zới"),
    "bạn": ("bn", "b"),
    "người": ("ng", "ngừi"),
    "trước": ("trc",),
    "thôi": ("thui",),
    "muốn": ("mún",),
    "nhiều": ("nhìu",),
    "cảm ơn": ("cmon", "thanks", "tks", "c.ơn"),
    "vui": ("zui",),
    "yêu": ("iu",),
    "chồng": ("ck",),
    "vợ": ("vk",),
    "như thế nào": ("ntn",),
    "bây giờ": ("bh", "bi giờ"),
    "hôm nay": ("hnay", "hum nay"),
    "lắm": ("lém",),
    "chưa": ("chx", "chưa"),
    "xong": ("xog",),
    "tin nhắn": ("tn",),
    "facebook": ("fb",),
    "thành phố": ("tp",),
    "anh em": ("ae", "a e"),
    "thương": ("thw",),
}
TEENCODE_TOKENS = frozenset(
    form for forms in TEENCODE.values() for form in forms if form not in ("gì", "chưa")
)
_TEENCODE_PATTERNS = {word: re.escape(word) for word in TEENCODE} | {
    "không": "không(?! khí)"
}  # "không khí" = air
_TEENCODE_RE = re.compile(
    r"(?<!\w)("
    + "|".join(_TEENCODE_PATTERNS[w] for w in sorted(TEENCODE, key=len, reverse=True))
    + r")(?!\w)",
    re.IGNORECASE,
)
_STRETCH_RE = re.compile(r"(?<!\w)(quá|ơi|luôn|nha|nè|ghê|vậy|rồi|thôi|trời|đi|xỉu)(?!\w)", re.IGNORECASE)


def teencode(text: str, rng: random.Random, rate: float = 0.8) -> str:
    """Replace common words by their teencode forms (each occurrence with probability `rate`)."""

    def swap(match: re.Match[str]) -> str:
        word = match.group(1)
        if rng.random() > rate:
            return word
        forms = TEENCODE[word.lower()]
        form = forms[rng.randrange(len(forms))]
        return form.capitalize() if word[0].isupper() and len(form) > 1 else form

    return _TEENCODE_RE.sub(swap, text)


def stretch(text: str, rng: random.Random) -> str:
    """ "quá" -> "quááá", "ơi" -> "ơiiii": the last letter repeated on one emphatic word."""
    matches = list(_STRETCH_RE.finditer(text))
    if not matches:
        return text
    match = matches[rng.randrange(len(matches))]
    word = match.group(1)
    return text[: match.end()] + word[-1] * rng.randint(2, 5) + text[match.end() :]


EMOJI = {
    "positive": ("😍", "🥰", "❤️", "👍", "👏", "😊", "🤩", "💯", "🙌", "😘", "✨", "🥳", "💕"),
    "negative": ("😡", "😤", "🤬", "😠", "😩", "😫", "😒", "👎", "🙄", "💢", "😭", "😢", "🥺", "💔"),
    "neutral": ("🤔", "😐", "👀", "🙂", "😅", "🙏", "🤷"),
    "laugh": ("😂", "🤣", "😆", "😅", "🤭", "😹"),
    "sad": ("😭", "😢", "🥺", "💔", "😞", "🙏"),
}


def emoji_run(rng: random.Random, mood: str) -> str:
    """One emoji repeated 1-4 times, sometimes followed by a second one: "😂😂😂", "😡😡🙄"."""
    pool = EMOJI[mood]
    run = pool[rng.randrange(len(pool))] * rng.choice((1, 1, 2, 3, 4))
    if rng.random() < 0.25:
        run += pool[rng.randrange(len(pool))]
    return run


HASHTAGS = {
    "traffic": ("#kẹtxe", "#ketxe", "#giaothong", "#tainangiaothong"),
    "flooding": ("#ngapnuoc", "#ngập", "#muabao", "#trieucuong"),
    "environment": ("#onhiem", "#moitruong", "#racthai"),
    "online_fraud": ("#canhbao", "#luadao", "#canhgiac"),
    "fire_safety": ("#chay", "#pccc", "#tinnong"),
    "misinformation": ("#tingia", "#fakenews", "#canhbao"),
    "public_security": ("#antoan", "#cuopgiat", "#canhgiac"),
    "food": ("#reviewanngon", "#ancungtiktok", "#foodie", "#angi"),
    "football": ("#bongda", "#vleague", "#mu", "#football"),
    "shopping": ("#sale", "#freeship", "#shopee", "#review"),
    "celebrity": ("#showbiz", "#kpop", "#vpop", "#idol"),
    "general": ("#tinnong", "#xuhuong", "#fyp", "#viral", "#trending", "#cuocsong", "#tamsu"),
}


def hashtags(rng: random.Random, theme: str) -> str:
    pool = HASHTAGS.get(theme, ()) + HASHTAGS["general"]
    count = rng.choice((1, 1, 2, 2, 3, 4))
    chosen: list[str] = []
    while len(chosen) < count:
        tag = pool[rng.randrange(len(pool))]
        if tag not in chosen:
            chosen.append(tag)
    return " ".join(chosen)


_URL_CHARS = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def short_code(rng: random.Random, length: int) -> str:
    return "".join(_URL_CHARS[rng.randrange(len(_URL_CHARS))] for _ in range(length))


def url(rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return f"https://bit.ly/{short_code(rng, 7)}"
    if kind == 1:
        return f"https://tinyurl.com/{short_code(rng, 8).lower()}"
    if kind == 2:
        return f"https://vnexpress.net/{short_code(rng, 6).lower()}-{rng.randint(4_600_000, 4_799_999)}.html"
    if kind == 3:
        return f"https://shopee.vn/product/{rng.randint(10**8, 10**9)}/{rng.randint(10**9, 10**10)}"
    if kind == 4:
        group, post = rng.randint(10**14, 10**15), rng.randint(10**15, 10**16)
        return f"https://www.facebook.com/groups/{group}/posts/{post}"
    return f"https://t.me/{short_code(rng, 9).lower()}"
