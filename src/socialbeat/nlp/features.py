"""Feature pipelines over `text_norm` (the silver normaliser's output), one per model family.

- `sparknlp`: Spark NLP annotators: DocumentAssembler -> Tokenizer -> Normalizer -> Word2Vec trained
  on our own corpus -> SentenceEmbeddings (average) -> a dense post vector. The Normalizer's tokens
  also feed hashed TF-IDF of word 1-2-grams, so the classifier sees both the embedding (which
  generalises to words the labelled data lacks) and the exact phrases.
- `tfidf`: the Spark ML baseline: hashed TF-IDF of word 1-2-grams and character 4-grams.

Both end in a `features` vector column; the classifiers (see `socialbeat.nlp.model`) sit on top.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

FAMILIES = ("sparknlp", "tfidf")
TEXT_COL = "text_norm"
# Letters (any script: Vietnamese diacritics included), digits and the normaliser's <tag> tokens.
TOKEN_KEEP = r"[^\p{L}\p{N}<>_]"


@dataclass(frozen=True)
class FeatureParams:
    word_bits: int = 17  # 2**17 hashed word 1-2-grams
    char_bits: int = 17  # 2**17 hashed character 4-grams (tfidf only)
    char_n: int = 4
    min_doc_freq: int = 2
    vector_size: int = 64  # Word2Vec dimensions (sparknlp only)
    w2v_min_count: int = 3
    w2v_iterations: int = 3
    seed: int = 7

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _word_ngrams(tokens_col: str, params: FeatureParams) -> list[Any]:
    from pyspark.ml.feature import IDF, HashingTF, NGram, SQLTransformer

    return [
        NGram(n=2, inputCol=tokens_col, outputCol="_f_bigrams"),
        SQLTransformer(statement=f"SELECT *, concat({tokens_col}, _f_bigrams) AS _f_terms FROM __THIS__"),
        HashingTF(inputCol="_f_terms", outputCol="_f_tf", numFeatures=1 << params.word_bits),
        IDF(inputCol="_f_tf", outputCol="_f_words", minDocFreq=params.min_doc_freq),
    ]


def _sparknlp_stages(params: FeatureParams) -> list[Any]:
    from sparknlp.annotator import Normalizer, SentenceEmbeddings, Tokenizer, Word2VecApproach
    from sparknlp.base import DocumentAssembler, EmbeddingsFinisher, Finisher

    return [
        DocumentAssembler().setInputCol(TEXT_COL).setOutputCol("_f_document").setCleanupMode("shrink"),
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
        .setOutputCol("_f_post")
        .setPoolingStrategy("AVERAGE"),
        EmbeddingsFinisher().setInputCols(["_f_post"]).setOutputCols(["_f_post_arrays"]),
        Finisher().setInputCols(["_f_normal"]).setOutputCols(["_f_tokens"]).setCleanAnnotations(False),
        *_word_ngrams("_f_tokens", params),
    ]


def _tfidf_stages(params: FeatureParams) -> list[Any]:
    from pyspark.ml.feature import IDF, HashingTF, NGram, RegexTokenizer, SQLTransformer

    return [
        RegexTokenizer(inputCol=TEXT_COL, outputCol="_f_tokens", pattern=r"[^\p{L}\p{N}<>_]+"),
        *_word_ngrams("_f_tokens", params),
        SQLTransformer(
            statement=f"SELECT *, split(concat(' ', {TEXT_COL}, ' '), '') AS _f_chars FROM __THIS__"
        ),
        NGram(n=params.char_n, inputCol="_f_chars", outputCol="_f_char_ngrams"),
        HashingTF(inputCol="_f_char_ngrams", outputCol="_f_char_tf", numFeatures=1 << params.char_bits),
        IDF(inputCol="_f_char_tf", outputCol="_f_char_tfidf", minDocFreq=params.min_doc_freq),
    ]


def feature_stages(family: str, params: FeatureParams) -> list[Any]:
    """The fittable stages (IDF, Word2Vec) that turn `text_norm` into the family's feature parts."""
    if family == "sparknlp":
        return _sparknlp_stages(params)
    if family == "tfidf":
        return _tfidf_stages(params)
    raise ValueError(f"unknown model family {family!r}; choose from {FAMILIES}")


def assemble(frame: DataFrame, family: str, params: FeatureParams) -> DataFrame:
    """The fitted stages' output -> one `features` vector; the scratch columns are dropped."""
    from pyspark.ml.feature import VectorAssembler
    from pyspark.ml.functions import array_to_vector
    from pyspark.sql import functions as F

    if family == "sparknlp":
        # One document per row gives one post vector; zeros stand in for an empty or unknown one.
        zeros = F.array_repeat(F.lit(0.0).cast("float"), params.vector_size)
        first = F.element_at("_f_post_arrays", 1)  # empty when no word of the post has a vector
        first = F.when(F.size(first) == params.vector_size, first).otherwise(zeros)
        frame, parts = (
            frame.withColumn("_f_post_vector", array_to_vector(first)),
            ["_f_words", "_f_post_vector"],
        )
    else:
        parts = ["_f_words", "_f_char_tfidf"]
    assembled = VectorAssembler(inputCols=parts, outputCol="features").transform(frame)
    # VectorAssembler describes every one of the ~260k slots in the column's metadata, and Spark
    # ships that schema with every task: it made each optimiser iteration cost about a second.
    slim = {"comment": "socialbeat features (slot metadata dropped)"}  # an empty dict would keep it
    assembled = assembled.withColumn("features", F.col("features").alias("features", metadata=slim))
    return assembled.drop(*[c for c in assembled.columns if c.startswith("_f_")])
