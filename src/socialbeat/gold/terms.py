"""Key phrases of a mention: word 1..n-grams of its masked, normalised text, without stopwords.

The text is silver's `text_norm` (lower case, teencode expanded, PII already replaced by `<PHONE>`
and the like, emoji as `emo_*` tokens). Placeholders, emoji tokens, punctuation, numbers and
one-letter tokens are dropped; an n-gram is kept only when neither its first nor its last word is a
stopword and it is not itself a stopword phrase ("mọi người"), so a stopword may sit inside a phrase
("ngập tới đầu gối") but never at its edge. Stopwords: the repo's list (`gold/data/stopwords.txt`)
plus the shared `lexicons/vi_stopwords` list when present, each also without diacritics.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from socialbeat.silver.locations import strip_diacritics

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

REPO_STOPWORDS = Path(__file__).resolve().parent / "data" / "stopwords.txt"
SHARED_STOPWORDS = Path("lexicons") / "vi_stopwords" / "vietnamese-stopwords.txt"
MAX_TOKENS = 120  # words of a text looked at: a 30,000-character article adds nothing after that
_DROP = r"<[A-Za-z_]+>|\bemo_[a-z_]+\b|https?://\S+|[^\p{L}\p{N}\s]"


def _read_list(path: Path) -> set[str]:
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        word = " ".join(line.strip().lower().split())
        if word and not word.startswith("#"):
            words.add(word)
    return words


@lru_cache(maxsize=4)
def load_stopwords(datasets_path: Path | None) -> frozenset[str]:
    """The repo's stopwords, plus the shared list when present, each also without diacritics."""
    words = _read_list(REPO_STOPWORDS)
    shared = datasets_path / SHARED_STOPWORDS if datasets_path else None
    if shared is not None and shared.is_file():
        words |= _read_list(shared)
    return frozenset(words | {strip_diacritics(w) for w in words})


def stopword_frame(spark: SparkSession, stopwords: frozenset[str]) -> DataFrame:
    return spark.createDataFrame([(w,) for w in sorted(stopwords)], "word string")


def tokens(text: Column) -> Column:
    """Content-bearing tokens of a text_norm value (at most MAX_TOKENS)."""
    from pyspark.sql import functions as F

    cleaned = F.regexp_replace(F.coalesce(text, F.lit("")), _DROP, " ")
    words = F.split(F.trim(cleaned), r"\s+")
    kept = F.filter(words, lambda t: (F.length(t) > 1) & ~t.rlike(r"^\p{N}+$"))
    return F.slice(kept, 1, MAX_TOKENS)


def _ngrams(words: Column, n: int) -> Column:
    from pyspark.sql import functions as F

    grams = F.transform(
        F.sequence(F.lit(1), F.size(words) - n + 1),
        lambda i: F.struct(
            F.array_join(F.slice(words, i, n), " ").alias("term"),
            F.element_at(words, i).alias("first"),
            F.element_at(words, i + n - 1).alias("last"),
            F.lit(n).alias("ngram"),
        ),
    )
    empty = F.array().cast("array<struct<term:string,first:string,last:string,ngram:int>>")
    return F.when(F.size(words) >= n, grams).otherwise(empty)


def mention_terms(mentions: DataFrame, stopwords: DataFrame, text_col: str, max_ngram: int) -> DataFrame:
    """(mention_id, term, ngram): each distinct key phrase of each mention."""
    from pyspark.sql import functions as F

    words = mentions.select("mention_id", tokens(F.col(text_col)).alias("words"))
    grams = words.select(
        "mention_id", F.explode(F.concat(*[_ngrams(F.col("words"), n) for n in range(1, max_ngram + 1)]))
    ).select("mention_id", "col.*")
    stops = F.broadcast(stopwords)
    for column in ("first", "last", "term"):
        grams = grams.join(stops, grams[column] == stops["word"], "left_anti")
    return grams.select("mention_id", "term", "ngram").distinct()


def with_terms(mentions: DataFrame, stopwords: DataFrame, text_col: str, max_ngram: int) -> DataFrame:
    """The mentions plus `terms` (their key phrases, sorted; empty when none)."""
    from pyspark.sql import functions as F

    per_mention = (
        mention_terms(mentions, stopwords, text_col, max_ngram)
        .groupBy("mention_id")
        .agg(F.array_sort(F.collect_list("term")).alias("terms"))
    )
    return mentions.join(per_mention, "mention_id", "left").withColumn(
        "terms", F.coalesce(F.col("terms"), F.array().cast("array<string>"))
    )
