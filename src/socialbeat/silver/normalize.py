"""Vietnamese text normalisation: `text_display` for people, `text_norm` for models.

Tone marks follow the old style ("kiểu cũ", the default of Unikey, of most Vietnamese press and of the
ViLexNorm normalised text): in an open syllable with "oa", "oe" or "uy" the mark sits on the first
vowel, so "hoà"/"hòa" -> "hòa", "khoẻ"/"khỏe" -> "khỏe", "thuỷ"/"thủy" -> "thủy", "Uỷ ban" -> "Ủy ban".
Syllables with a final consonant ("hoàng", "thuyền") and "qu" ("quý", "quỳ") are the same in both
styles and stay as they are.

Typed PII placeholders (`<PHONE>`, `<EMAIL>`, ...) left by the masker survive verbatim in both texts.
"""

from __future__ import annotations

import csv
import html
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf
from pyspark.sql.types import StringType

from socialbeat.silver.langid import (
    ENGLISH_WORDS,
    FOLDED_LOWER,
    VIETNAMESE_LETTER,
    VIETNAMESE_LOWER,
    VIETNAMESE_SYLLABLE,
    char_class,
    fold_diacritics,
    word_set,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
VILEXNORM_PAIRS = Path("lexicons") / "vilexnorm" / "teencode_pairs_derived_from_train.tsv"
PLACEHOLDERS = ("PHONE", "EMAIL", "CCCD", "BANK_ACCOUNT", "PLATE", "ID")
CLAUSE_FINAL_PARTICLES = ("a",)
UNIT_PREFIXES = ("q", "quận", "quan", "p", "phường", "phuong", "h", "huyện", "huyen", "tp")
NEW_COLUMNS = ("text_display", "text_norm", "urls", "mentions", "hashtags", "email_domains", "no_diacritics")

# A placeholder crosses text_norm as one token between two private-use characters ("<PHONE>" ->
# "\ue000phone\ue001": nothing to split or squeeze) and the token lookup puts it back.
_OPEN, _CLOSE = "\ue000", "\ue001"
_SENTINEL = f" {_OPEN}$1{_CLOSE} "

# --- Java regular expressions (Spark). Java's \s, \w and \b are ASCII-only: classes are explicit. ---
_WORD = r"\p{L}\p{M}\p{N}"
_TLDS = "com|net|org|edu|gov|vn|ly|me|io|co|info|biz|xyz|top|site|online|shop|store|link|app|asia|tv|gl|gg"
_URL_END = r"[^\s<>\"'.,;:!?)\]}“”…]"
PLACEHOLDER = f"<({'|'.join(PLACEHOLDERS)})>"
HTML_MARKUP = (
    r"(?is)<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->|<![^<>]*>"
    rf"|<(?!(?:{'|'.join(PLACEHOLDERS)})>)/?[a-z][a-z0-9]*(?:\s[^<>]*)?/?>"
)
# Soft hyphen, zero-width and direction marks, BOM and private-use characters (the zero-width joiner of
# emoji sequences stays). Removed inside the Arrow step, by RE2.
INVISIBLE = "[\u00ad\u200b\u200c\u200e\u200f\u2060\ufeff\u202a-\u202e\u2066-\u2069\ue000-\uf8ff]"
SPACES = r"[\s\p{Z}\p{Cc}]+"
EMAIL = r"(?<![\p{L}\p{N}._%+\-])[\p{L}\p{N}._%+\-]+@([\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)*\.\p{L}{2,})"
URL = (
    rf"(?i)(?:https?://|www\.)[^\s<>\"]*{_URL_END}"
    rf"|(?<![{_WORD}@.\-/])(?:[a-z0-9\-]+\.)+(?:{_TLDS})(?![{_WORD}\-])(?:/[^\s<>\"]*{_URL_END})?"
)
# "@handle", or a tagged name of up to four capitalised words ("@Nguyễn Văn An").
MENTION = (
    rf"(?<![{_WORD}_.@])@(\p{{Lu}}[\p{{L}}\p{{M}}]*(?: \p{{Lu}}[\p{{L}}\p{{M}}]*){{0,3}}(?![{_WORD}_])"
    rf"|[\p{{L}}\p{{N}}_](?:[{_WORD}_.]*[{_WORD}_])?)"
)
HASHTAG = rf"(?<![{_WORD}_&#/])#([{_WORD}_]*\p{{L}}[{_WORD}_]*)"
_HASH_SIGN = rf"(?<![{_WORD}_&#/])#(?=[{_WORD}_]*\p{{L}})"

# Emoticons (lower case), replaced before punctuation is touched; laughter before smiles.
_LEFT = r"(?<![\p{N}:;=()\[\]^_\-<>'])"
_RIGHT = rf"(?![{_WORD}])"
EMOTICON_HINT = r"(?=[:;=^<\-otx])(?:[:;=][-']?[()\[\]dpvo3]|\^[_.\-]?\^|<3|[-o][_.][-o]|t_t|;_;|xd)"
EMOTICONS = (
    ("emo_laugh", rf"{_LEFT}(?:[:;=]-?(?:\)\)+|\]\]+|d+|p+|v+)){_RIGHT}|(?<![{_WORD}])x+d+{_RIGHT}"),
    ("emo_happy", rf"{_LEFT}(?:[:;=]-?[)\]]|\^[_.\-]?\^|:3){_RIGHT}"),
    ("emo_sad", rf"{_LEFT}(?:[:;=]'?-?[(\[]+|t_t|;_;){_RIGHT}"),
    ("emo_love", rf"{_LEFT}<3+{_RIGHT}"),
    ("emo_dislike", rf"{_LEFT}(?:-_-|-\.-){_RIGHT}"),
    ("emo_shock", rf"{_LEFT}(?:[:;=]-?o|o_o|o\.o){_RIGHT}"),
)
# Variation selectors, zero-width joiner, keycap, skin tones: dropped from emoji (and emoji.tsv keys).
_EMOJI_PARTS = "\ufe0e\ufe0f\u200d\u20e3\U0001f3fb-\U0001f3ff"
EMOJI_CHAR = (
    "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\u203c\u2049\u3030\u303d\u3297\u3299"
)
# One emoji (a flag is two regional letters) with its modifiers and repeats: "😂😂😂" -> one token.
EMOJI = f"([\U0001f1e6-\U0001f1ff]{{2}}|[{EMOJI_CHAR}])(?:[{_EMOJI_PARTS}]*\\1)*[{_EMOJI_PARTS}]*"

# Letter runs (lower case), one pass: a tone-marked vowel followed by 2+ vowels of its family keeps the
# marked one ("quáaaa", "quááá" -> "quá"); 3+ equal vowels squeeze anywhere ("điiii" -> "đi"), other
# letters only at the end of a word ("ngonnn" -> "ngon"), so "tttm", "cccd" and "pccc" (c is never
# stretched) survive. Only texts with a doubled letter are scanned (about one in six).
_VOWEL_FAMILIES = (
    "aàáảãạ", "ăằắẳẵặ", "âầấẩẫậ", "eèéẻẽẹ", "êềếểễệ", "iìíỉĩị",
    "oòóỏõọ", "ôồốổỗộ", "ơờớởỡợ", "uùúủũụ", "ưừứửữự", "yỳýỷỹỵ",
)  # fmt: skip
_N = len(_VOWEL_FAMILIES)
_FAMILY_RUNS = "|".join(f"([{family[1:]}])[{family}]{{2,}}" for family in _VOWEL_FAMILIES)
# Both cases in the classes: contiguous ranges make Java's class test several times faster.
_TONED = "".join(family[1:] for family in _VOWEL_FAMILIES)
_VOWELS = "".join(_VOWEL_FAMILIES)
LETTER_RUN = (
    f"(?={char_class(_TONED + _TONED.upper())})(?:{_FAMILY_RUNS})"
    rf"|({char_class(_VOWELS + _VOWELS.upper())})\{_N + 1}{{2,}}|([\p{{L}}&&[^c]])\{_N + 2}{{2,}}(?!\p{{L}})"
)
_LETTER_RUN_GROUPS = "".join(f"${index}" for index in range(1, _N + 3))

# Punctuation, one pass: a run collapses to its first mark ("!!!" -> "!", "?!" -> "?"); a mark is split
# off unless it joins two word characters (".", "-", "'", "_", "/": "q.1", "tp.hcm", "e-mail"; "," and
# ":" only between digits: "1,5", "10:30").
_SPLIT_MARK = (
    rf"(?<![{_WORD}])\p{{P}}|\p{{P}}(?![{_WORD}])|(?<!\p{{N}})[,:]|[,:](?!\p{{N}})|[\p{{P}}&&[^.\-'_/,:]]"
)
PUNCTUATION = rf"(?=\p{{P}})(?:([!?.,;:…])[!?.,;:…]+|(\p{{P}})\2+|({_SPLIT_MARK}))"

# --- Python: the display form of a value, the dictionaries. ------------------------------------------

_TONES = "\u0300\u0301\u0303\u0309\u0323"
# RE2 on NFD text: move the tone from the 2nd to the 1st vowel of an open "oa"/"oe"/"uy" (not after q).
_OLD_STYLE_TONES = (
    (rf"([^qQ]|^)([oO])([aAeE])([{_TONES}])([^\pL\pM]|$)", r"\1\2\4\3\5"),
    (rf"([^qQ]|^)([uU])([yY])([{_TONES}])([^\pL\pM]|$)", r"\1\2\4\3\5"),
)


def _unescape(text: str | None) -> str | None:
    """HTML entities decoded; twice at most, for crawls that escaped an already escaped page."""
    for _ in range(2):
        if text is None or "&" not in text:
            break
        text = html.unescape(text)
    return text


def _decode_entities(values: pa.Array) -> pa.Array:
    """html.unescape on the values that contain "&" only (the others skip the Python loop)."""
    mask = pc.fill_null(pc.match_substring(values, "&"), False)
    if not pc.any(mask).as_py():
        return values
    decoded = [_unescape(value) for value in pc.filter(values, mask).to_pylist()]
    return pc.replace_with_mask(values, mask, pa.array(decoded, pa.string()))


def compose_display(values: pa.Array) -> pa.Array:
    """Entities decoded, NFC, old-style tone marks, invisible characters dropped (one Arrow batch)."""
    text = pc.utf8_normalize(_decode_entities(values), "NFD")
    for pattern, rewrite in _OLD_STYLE_TONES:
        text = pc.replace_substring_regex(text, pattern, rewrite)
    return pc.replace_substring_regex(pc.utf8_normalize(text, "NFC"), INVISIBLE, "")


def display_form(text: str) -> str:
    """`compose_display` for one Python string."""
    return str(compose_display(pa.array([text], pa.string()))[0].as_py())


# Spark has no Unicode normaliser and no HTML-entity decoder: this one Arrow-vectorised step does both
# (with the NFD tone placement and invisible characters) a batch at a time; the rest is JVM built-ins.
@pandas_udf(StringType())  # type: ignore[call-overload]
def _compose_display_udf(texts: pd.Series) -> pd.Series:
    return compose_display(pa.Array.from_pandas(texts, type=pa.string())).to_pandas()


def dictionary_forms(texts: list[str]) -> list[str]:
    """Display form, lower case, single spaces: how dictionary entries are compared (one Arrow call)."""
    forms = compose_display(pa.array(texts, pa.string())).to_pylist()
    return [" ".join(form.lower().split()) for form in forms]


def read_pairs(path: Path) -> dict[str, str]:
    """A two-column TSV (written form, expansion); '#' lines are comments; first occurrence wins."""
    rows = [line.split("\t")[:2] for line in path.read_text(encoding="utf-8").splitlines()]
    rows = [row for row in rows if len(row) == 2 and not row[0].startswith("#")]
    keys, values = dictionary_forms([key for key, _ in rows]), dictionary_forms([value for _, value in rows])
    pairs: dict[str, str] = {}
    for key, value in zip(keys, values, strict=True):
        pairs.setdefault(key, value)
    return pairs


def load_emoji() -> dict[str, str]:
    """Emoji (modifiers stripped) -> token, from data/emoji.tsv."""
    strip = {ord(c): None for c in "\ufe0e\ufe0f\u200d\u20e3"} | {c: None for c in range(0x1F3FB, 0x1F400)}
    return {key.translate(strip): value for key, value in read_pairs(DATA_DIR / "emoji.tsv").items()}


# Ambiguous abbreviations the repo dictionary leaves out on purpose (see the top of teencode.tsv), and
# real words that ViLexNorm's normalised text happens not to contain ("bùn" mud, "củng" as in củng cố).
_UNSAFE_KEYS = word_set(
    "ck tk bh tr th ch sp nv vc ca cs cv cn dt dg gd kg ks sk tl ty ta lp ii qq lol cc cl loz"
    " dv bùn chài chái chòi củng gấc koi ló mé nài rầu ăng nhin dà"
)
_UNSAFE_WORDS = word_set("lồn cặc đéo đĩ địt đụ")


def _has_letter_run(text: str) -> bool:
    return any(a == b == c for a, b, c in zip(text, text[1:], text[2:], strict=False))


def is_safe_pair(key: str, value: str, share: float, count: int, words: frozenset[str]) -> bool:
    """Whether a ViLexNorm pair may be expanded context-free (see `load_teencode`)."""
    return (
        count >= 3
        and share >= 0.8
        and len(key) >= 2
        and key.isalpha()
        and key != value
        and len(value.split()) <= 3
        and fold_diacritics(value) != key
        and key not in _UNSAFE_KEYS
        and key not in ENGLISH_WORDS
        and key not in words
        and not _has_letter_run(key)
        and not _UNSAFE_WORDS.intersection(value.split())
    )


def _standard_words(folder: Path) -> frozenset[str]:
    """Every word of ViLexNorm's human-normalised text (`normalized` of train/dev/test.csv)."""
    texts: list[str] = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            texts.extend(row.get("normalized") or "" for row in csv.DictReader(handle))
    return frozenset(word for text in dictionary_forms(texts) for word in text.split())


def _vilexnorm_pairs(path: Path) -> dict[str, str]:
    """Safe single-token pairs of the ViLexNorm-derived table (columns original, normalized, count)."""
    words = _standard_words(path.parent)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    keys = dictionary_forms([row["original"] for row in rows])
    values = dictionary_forms([row["normalized"] for row in rows])
    counts: dict[str, dict[str, int]] = {}
    for key, value, row in zip(keys, values, rows, strict=True):
        if key and " " not in key:
            per_key = counts.setdefault(key, {})
            per_key[value] = per_key.get(value, 0) + int(row["count_in_train"])
    pairs = {}
    for key, expansions in counts.items():
        value, count = max(expansions.items(), key=lambda item: item[1])
        if is_safe_pair(key, value, count / sum(expansions.values()), count, words):
            pairs[key] = value
    return pairs


@lru_cache(maxsize=8)
def _teencode_items(datasets_path: Path | None) -> tuple[tuple[str, str], ...]:
    pairs = read_pairs(DATA_DIR / "teencode.tsv")
    shared = datasets_path / VILEXNORM_PAIRS if datasets_path else None
    if shared is not None and shared.is_file():
        pairs = _vilexnorm_pairs(shared) | pairs  # the repo dictionary wins
    return tuple(sorted(pairs.items()))


def load_teencode(datasets_path: Path | None) -> dict[str, str]:
    """The repo dictionary, extended (never overridden) by safe ViLexNorm pairs when the data is there.

    A ViLexNorm pair is kept when its key is one token of >= 2 letters, seen >= 3 times, that is not a
    word of ViLexNorm's normalised text, not English, not a known ambiguous key, and whose top
    expansion has >= 80% of its uses, <= 3 words, no profanity, and is not a mere diacritic
    restoration ("khong" -> "không": accent-less text stays consistently accent-less).
    """
    return dict(_teencode_items(datasets_path))


def default_teencode() -> dict[str, str]:
    """`load_teencode` on the configured shared data folder (`SOCIALBEAT_DATASETS`)."""
    from socialbeat.settings import load_settings

    return load_teencode(load_settings().datasets_path)


Step = Callable[[Column], Column]

# --- Spark columns -------------------------------------------------------------------------------------
# Each Java regex is a pass over the text: the rarer steps run behind a cheap test (`contains`, or one
# short class), so a plain comment costs about ten passes.


def _sql_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def map_literal(pairs: dict[str, str]) -> Column:
    """A constant map<string,string> column, built by one SQL expression (folded to one literal)."""
    keys = ",".join(_sql_string(key) for key in pairs)
    values = ",".join(_sql_string(value) for value in pairs.values())
    return F.expr(f"map_from_arrays(array({keys}), array({values}))")


def _gated(text: Column, test: Step, step: Step) -> Column:
    """step(text) where test(text), else text, with `text` bound once (a one-element `transform`).

    Written as CASE WHEN the input would appear three times; nested steps would then triple the plan
    at every level, and a filter pushed down through them would inline millions of nodes.
    """
    return F.transform(F.array(text), lambda t: F.when(test(t), step(t)).otherwise(t)).getItem(0)


def display_text(text: Column) -> Column:
    """NFC, one tone convention, entities decoded, tags removed, whitespace squeezed and trimmed."""
    composed = _compose_display_udf(text)
    untagged = _gated(composed, lambda t: t.contains("<"), lambda t: F.regexp_replace(t, HTML_MARKUP, " "))
    return F.trim(F.regexp_replace(untagged, SPACES, " "))


def _extract(text: Column, pattern: str, group: int, needle: str | None = None, lower: bool = True) -> Column:
    """All matches of `pattern` (its group `group`), in order; [] for NULL or when `needle` is absent."""
    found = F.regexp_extract_all(text, F.lit(pattern), F.lit(group))
    found = F.transform(found, F.lower) if lower else found
    empty = F.array().cast("array<string>")
    return F.coalesce(F.when(text.contains(needle), found).otherwise(empty) if needle else found, empty)


def _without_links(display: Column, urls: Column) -> Column:
    """E-mails and URLs replaced by a space (mentions and hashtags are read from what is left)."""
    text = _gated(display, lambda t: t.contains("@"), lambda t: F.regexp_replace(t, EMAIL, " "))
    return _gated(text, lambda _: F.size(urls) > 0, lambda t: F.regexp_replace(t, URL, " "))


def _symbols_to_tokens(text: Column) -> Column:
    """Emoticons to tokens, and each emoji run isolated as one token for the lookup."""
    text = _gated(text, lambda t: t.rlike(EMOTICON_HINT), _emoticons_to_tokens)
    return _gated(text, lambda t: t.rlike(f"[{EMOJI_CHAR}]"), lambda t: F.regexp_replace(t, EMOJI, " $1 "))


def _emoticons_to_tokens(text: Column) -> Column:
    for token, pattern in EMOTICONS:
        text = F.regexp_replace(text, pattern, f" {token} ")
    return text


def _tagged(text: Column) -> Column:
    return text.contains("@") | text.contains("#")


def _clean_text(unlinked: Column) -> Column:
    """text_norm before the dictionary lookup: lower case, no mentions, letter and mark runs squeezed."""
    text = _gated(unlinked, _tagged, lambda t: F.regexp_replace(t, f"{MENTION}|{_HASH_SIGN}", " "))
    text = _gated(text, lambda t: t.contains("<"), lambda t: F.regexp_replace(t, PLACEHOLDER, _SENTINEL))
    text = _symbols_to_tokens(F.lower(text))
    text = _gated(
        text, lambda t: t.rlike(r"(\p{L})\1"), lambda t: F.regexp_replace(t, LETTER_RUN, _LETTER_RUN_GROUPS)
    )
    text = F.regexp_replace(text, PUNCTUATION, " $1$2$3 ")
    return F.trim(F.regexp_replace(text, r"\s+", " "))


def _vietnamese_words(folded_words: Column, teencode: dict[str, str]) -> Column:
    """How many (diacritic-folded) words are teencode or shaped like a Vietnamese syllable, not English."""
    keys = sorted({fold_diacritics(key) for key in teencode if len(key) > 1 and key.isalpha()})
    return F.size(
        F.filter(
            folded_words,
            lambda w: w.isin(*keys) | (~w.isin(*ENGLISH_WORDS) & w.rlike(VIETNAMESE_SYLLABLE)),
        )
    )


def _lookup(token: Column, pairs: dict[str, str]) -> Column:
    """pairs[token] or NULL: a hash-set test first, the (linear) map lookup only on a hit."""
    return F.when(token.isin(*pairs), F.try_element_at(map_literal(pairs), token))


def _expand(tokens: Column, vietnamese: Column, symbols: dict[str, str], teencode: dict[str, str]) -> Column:
    """Token-wise lookup: symbols (emoji, placeholders) always, teencode only in Vietnamese-looking text.

    Teencode is not expanded for a clause-final "a" (the particle à/á: "đi a", "vậy a") nor right after
    an administrative prefix, where letters are a unit's initials ("quận gv" is Gò Vấp, "q bt" Bình
    Thạnh).
    """

    def expand(token: Column, index: Column) -> Column:
        following = F.try_element_at(tokens, index + 2)
        previous = F.when(index > 0, F.element_at(tokens, index))
        particle = token.isin(*CLAUSE_FINAL_PARTICLES) & ~F.coalesce(following.rlike(r"^\p{L}"), F.lit(False))
        initials = F.coalesce(previous.isin(*UNIT_PREFIXES), F.lit(False))
        teen = F.when(vietnamese & ~particle & ~initials, _lookup(token, teencode))
        return F.coalesce(_lookup(token, symbols), teen, token)

    return F.array_join(F.transform(tokens, expand), " ")


def _with_links_and_tags(frame: DataFrame) -> DataFrame:
    """urls, email_domains, mentions, hashtags, and `_norm_unlinked` (text_display without links)."""
    display = F.col("text_display")
    staged = frame.withColumns(
        {"urls": _extract(display, URL, 0, lower=False), "email_domains": _extract(display, EMAIL, 1, "@")}
    )
    staged = staged.withColumn("_norm_unlinked", _without_links(display, F.col("urls")))
    unlinked = F.col("_norm_unlinked")
    return staged.withColumns(
        {"mentions": _extract(unlinked, MENTION, 1, "@"), "hashtags": _extract(unlinked, HASHTAG, 1, "#")}
    )


def _with_word_counts(frame: DataFrame, teencode: dict[str, str]) -> DataFrame:
    """`_norm_words` (letter-only tokens of the clean text) and `_norm_vi_words` (Vietnamese-looking)."""
    folded = F.translate(F.col("_norm_clean"), VIETNAMESE_LOWER, FOLDED_LOWER)
    staged = frame.withColumn(
        "_norm_word_list", F.filter(F.split(folded, " "), lambda w: w.rlike("^[a-z]+$"))
    )
    words = F.col("_norm_word_list")
    return staged.withColumns(
        {"_norm_words": F.size(words), "_norm_vi_words": _vietnamese_words(words, teencode)}
    )


_STAGING = (
    "_norm_unlinked",
    "_norm_clean",
    "_norm_word_list",
    "_norm_words",
    "_norm_vi_words",
    "_norm_tokens",
)


def normalize_text(
    frame: DataFrame, text_col: str = "text", teencode: dict[str, str] | None = None
) -> DataFrame:
    """Add text_display, text_norm, urls, mentions, hashtags, email_domains and no_diacritics.

    `teencode` defaults to `default_teencode()` (repo dictionary plus the shared ViLexNorm pairs).
    """
    teencode = default_teencode() if teencode is None else teencode
    symbols = load_emoji() | {f"{_OPEN}{name.lower()}{_CLOSE}": f"<{name}>" for name in PLACEHOLDERS}
    staged = _with_links_and_tags(frame.withColumn("text_display", display_text(F.col(text_col))))
    staged = staged.withColumn("_norm_clean", _clean_text(F.col("_norm_unlinked")))
    staged = _with_word_counts(staged, teencode).withColumn("_norm_tokens", F.split("_norm_clean", " "))
    vi_words, words = F.col("_norm_vi_words"), F.col("_norm_words")
    vietnamese = (vi_words >= 1) & (vi_words * 2 >= words)
    plain = ~F.col("_norm_clean").rlike(VIETNAMESE_LETTER)
    staged = staged.withColumns(
        {
            "text_norm": _expand(F.col("_norm_tokens"), vietnamese, symbols, teencode),
            "no_diacritics": F.coalesce(plain & (vi_words >= 4) & vietnamese, F.lit(False)),
        }
    )
    return staged.drop(*_STAGING)
