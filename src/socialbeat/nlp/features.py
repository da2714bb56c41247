"""What a model sees of a post: hashed term ids computed with Spark built-ins, one family each.

Both families turn `text_norm` (the silver normaliser's output) into two arrays of hashed term ids,
one per feature *block*:
- `_f_word_ids`: word 1-2-grams, hashed into 2**word_bits slots;
- `_f_char_ids`: character n-grams (char_min..char_max) of the space-padded text, hashed into
  2**char_bits slots; they catch misspellings, missing diacritics and teencode that words miss.

The families differ in their words and in one extra, dense block:
- `tfidf` (the Spark ML baseline): words split with a regular expression;
- `sparknlp`: words from Spark NLP's DocumentAssembler -> Tokenizer -> Normalizer, plus the post's
  vector from a Word2VecApproach trained on our own corpus -> SentenceEmbeddings (average), in
  `_f_post` (array<float>). The Spark NLP stages are the only fitted part of the features.

Term ids are plain SQL expressions (`hash`, `pmod`, `substring` inside `transform`), so training and
scoring compute them identically in the JVM. TF-IDF weighting, normalisation and the classifiers
are applied to the ids by `socialbeat.nlp.linear`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.ml import PipelineModel
    from pyspark.sql import Column, DataFrame

FAMILIES = ("sparknlp", "tfidf")
TEXT_COL = "text_norm"
WORD_IDS, CHAR_IDS, POST_VECTOR = "_f_word_ids", "_f_char_ids", "_f_post"
# Letters (any script: Vietnamese diacritics included), digits and the normaliser's <tag> tokens.
TOKEN_SPLIT = r"[^\p{L}\p{N}<>_:]+"
TOKEN_KEEP = r"[^\p{L}\p{N}<>_:]"


@dataclass(frozen=True)
class FeatureParams:
    word_bits: int = 18  # 2**18 slots for hashed word 1-2-grams
    char_bits: int = 18  # 2**18 slots for hashed character n-grams
    char_min: int = 3
    char_max: int = 5
    max_chars: int = 1000  # longer posts are cut for features: their opening carries the topic
    min_doc_freq: int = 2  # a term in fewer training posts is ignored
    sublinear_tf: bool = True  # 1 + log(count) instead of the raw count
    vector_size: int = 64  # Word2Vec dimensions (sparknlp only)
    w2v_min_count: int = 3
    w2v_iterations: int = 3
    seed: int = 7

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> FeatureParams:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in value.items() if k in known})


def _hashed(terms: Column, bits: int) -> Column:
    from pyspark.sql import functions as F

    return F.transform(terms, lambda term: F.pmod(F.hash(term), F.lit(1 << bits)))


def word_ids(tokens: Column, params: FeatureParams) -> Column:
    """Hashed ids of the tokens and of each pair of neighbouring tokens."""
    from pyspark.sql import functions as F

    rest = F.greatest(F.size(tokens) - 1, F.lit(0))
    pairs = F.arrays_zip(F.slice(tokens, 1, rest).alias("a"), F.slice(tokens, 2, rest).alias("b"))
    # The lambdas see only their element: a lambda that named `tokens` would recompute it per element.
    bigrams = F.transform(pairs, lambda pair: F.concat(pair["a"], F.lit(" "), pair["b"]))
    return _hashed(F.concat(tokens, bigrams), params.word_bits)


def char_ids(text: Column, params: FeatureParams) -> Column:
    """Hashed ids of every character n-gram of ' <text> ' (whitespace collapsed), n in char_min..char_max.

    A zero-width lookahead captures the n characters after every position: overlapping n-grams in
    one regular-expression pass per n."""
    from pyspark.sql import functions as F

    padded = F.concat(F.lit(" "), F.regexp_replace(text, r"\s+", " "), F.lit(" "))
    grams = [
        F.regexp_extract_all(padded, F.lit(f"(?s)(?=(.{{{n}}}))"), F.lit(1))
        for n in range(params.char_min, params.char_max + 1)
    ]
    return _hashed(F.concat(*grams), params.char_bits)


def _cut(params: FeatureParams) -> Column:
    from pyspark.sql import functions as F

    return F.substring(F.coalesce(F.col(TEXT_COL), F.lit("")), 1, params.max_chars)


def spark_nlp_stages(params: FeatureParams) -> list[Any]:
    """The sparknlp family's fittable Spark NLP pipeline: tokens and the Word2Vec post vector."""
    from sparknlp.annotator import Normalizer, SentenceEmbeddings, Tokenizer, Word2VecApproach
    from sparknlp.base import DocumentAssembler, EmbeddingsFinisher, Finisher

    return [
        DocumentAssembler().setInputCol("_f_text").setOutputCol("_f_document").setCleanupMode("shrink"),
        Tokenizer().setInputCols(["_f_document"]).setOutputCol("_f_token"),
        Normalizer()
        .setInputCols(["_f_token"])
        .setOutputCol("_f_normal")
        .setLowercase(True)
        .setCleanupPatterns([TOKEN_KEEP]),
        Word2VecApproach()
        .setInputCols(["_f_normal"])
        .setOutputCol("_f_word_vectors")
        .setVectorSize(params.vector_size)
        .setMinCount(params.w2v_min_count)
        .setMaxIter(params.w2v_iterations)
        .setSeed(params.seed),
        SentenceEmbeddings()
        .setInputCols(["_f_document", "_f_word_vectors"])
        .setOutputCol("_f_sentence")
        .setPoolingStrategy("AVERAGE"),
        EmbeddingsFinisher().setInputCols(["_f_sentence"]).setOutputCols(["_f_sentence_arrays"]),
        Finisher().setInputCols(["_f_normal"]).setOutputCols(["_f_tokens"]).setCleanAnnotations(False),
    ]


def with_text(frame: DataFrame, params: FeatureParams) -> DataFrame:
    """The (cut) text the features read, in `_f_text`."""
    return frame.withColumn("_f_text", _cut(params))


def fit_spark_nlp(frame: DataFrame, params: FeatureParams) -> PipelineModel:
    from pyspark.ml import Pipeline

    return Pipeline(stages=spark_nlp_stages(params)).fit(with_text(frame, params))


def term_ids(
    frame: DataFrame, family: str, params: FeatureParams, spark_nlp: PipelineModel | None = None
) -> DataFrame:
    """Add the family's blocks (`_f_word_ids`, `_f_char_ids`, and `_f_post` for sparknlp) to `frame`."""
    from pyspark.sql import functions as F

    if family not in FAMILIES:
        raise ValueError(f"unknown model family {family!r}; choose from {FAMILIES}")
    frame = with_text(frame, params)
    if family == "tfidf":
        tokens = F.filter(F.split(F.col("_f_text"), TOKEN_SPLIT), lambda t: t != "")
        blocks = {WORD_IDS: word_ids(tokens, params), CHAR_IDS: char_ids(F.col("_f_text"), params)}
        return frame.withColumns(blocks).drop("_f_text")
    if spark_nlp is None:
        raise ValueError("the sparknlp family needs its fitted Spark NLP pipeline")
    annotated = spark_nlp.transform(frame)
    zeros = F.array_repeat(F.lit(0.0).cast("float"), params.vector_size)
    first = F.element_at("_f_sentence_arrays", 1)  # empty when no word of the post has a vector
    blocks = {
        WORD_IDS: word_ids(F.col("_f_tokens"), params),
        CHAR_IDS: char_ids(F.col("_f_text"), params),
        POST_VECTOR: F.when(F.size(first) == params.vector_size, first).otherwise(zeros),
    }
    scratch = [c for c in annotated.columns if c.startswith("_f_") and c not in blocks]
    return annotated.withColumns(blocks).drop(*scratch)


def block_columns(family: str) -> list[str]:
    return [WORD_IDS, CHAR_IDS, POST_VECTOR] if family == "sparknlp" else [WORD_IDS, CHAR_IDS]
