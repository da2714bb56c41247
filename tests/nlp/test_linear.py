"""The folded linear scorer in plain numpy: TF-IDF blocks, compaction and links, against direct math."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socialbeat.nlp.features import CHAR_IDS, POST_VECTOR, WORD_IDS, FeatureParams
from socialbeat.nlp.linear import (
    SIGMOID,
    SOFTMAX,
    Idf,
    LinearHead,
    ModelScorer,
    Scorer,
    count_matrix,
    design_matrix,
    fit_idf,
    idf_from_counts,
    used_slots,
)

pytestmark = pytest.mark.fast

PARAMS = FeatureParams(word_bits=3, char_bits=4, vector_size=2, min_doc_freq=1)


def _ids(*rows: list[int] | None) -> pd.Series:
    return pd.Series([None if r is None else np.array(r, dtype=np.int32) for r in rows], dtype=object)


def test_counts_and_idf_follow_the_smoothed_formula() -> None:
    counts = count_matrix(_ids([1, 1, 2], [], None, [2, 5]), 8)
    assert counts.toarray()[0].tolist() == [0, 2, 1, 0, 0, 0, 0, 0]
    assert counts.toarray()[1:3].sum() == 0
    idf = idf_from_counts(np.array([0, 1, 4]), documents=4, min_doc_freq=2)
    assert idf[0] == 0 and idf[1] == 0  # unseen, and below min_doc_freq
    assert idf[2] == pytest.approx(np.log(5 / 5) + 1)
    fitted = fit_idf({WORD_IDS: _ids([1, 1], [1, 2]), CHAR_IDS: _ids([3], [3])}, PARAMS)
    assert fitted.word[1] == pytest.approx(1.0) and fitted.word[2] == pytest.approx(np.log(3 / 2) + 1)
    assert fitted.word[0] == 0 and fitted.char[3] == pytest.approx(1.0)


def test_design_rows_are_sublinear_tfidf_normalised_per_block() -> None:
    idf = Idf(word=np.array([0, 1.0, 2.0, 0, 0, 0, 0, 0]), char=np.ones(16))
    blocks = {WORD_IDS: _ids([1, 1, 1, 2, 0]), CHAR_IDS: _ids([4, 5]), POST_VECTOR: pd.Series([[3.0, 4.0]])}
    row = design_matrix(blocks, idf, PARAMS).toarray()[0]
    words = np.array([0, (1 + np.log(3)) * 1.0, 2.0])
    assert row[:3] == pytest.approx(words / np.linalg.norm(words), rel=1e-6)  # slot 0 has no IDF
    assert row[8 + 4] == pytest.approx(1 / np.sqrt(2), rel=1e-6)
    assert row[24:].tolist() == [3.0, 4.0]  # the dense block is taken as it is
    assert np.linalg.norm(row[:8]) == pytest.approx(1.0) and np.linalg.norm(row[8:24]) == pytest.approx(1.0)


def _head(labels: list[str], link: str, rng: np.random.Generator) -> tuple[Idf, LinearHead]:
    idf = Idf(
        word=rng.uniform(0, 2, 8) * (rng.random(8) > 0.3), char=rng.uniform(0, 2, 16) * (rng.random(16) > 0.3)
    )
    weights = rng.normal(size=(8 + 16 + 2, len(labels))).astype(np.float32)
    weights[np.concatenate([idf.word, idf.char, [1, 1]]) == 0] = 0  # a slot without IDF never trains
    return idf, LinearHead(labels, weights, rng.normal(size=len(labels)), link)


def test_the_compacted_scorer_equals_the_full_product_for_every_model() -> None:
    rng = np.random.default_rng(4)
    rows = 50
    blocks = {
        WORD_IDS: _ids(*[list(rng.integers(0, 8, rng.integers(0, 9))) for _ in range(rows)]),
        CHAR_IDS: _ids(*[list(rng.integers(0, 16, rng.integers(1, 30))) for _ in range(rows)]),
        POST_VECTOR: pd.Series([rng.normal(size=2).tolist() for _ in range(rows)]),
    }
    sentiment = _head(["negative", "neutral", "positive"], SOFTMAX, rng)
    categories = _head(["traffic", "flooding"], SIGMOID, rng)
    models = [ModelScorer.of("sentiment", *sentiment), ModelScorer.of("categories", *categories)]
    scorer = Scorer(PARAMS, [WORD_IDS, CHAR_IDS, POST_VECTOR], models)
    scored = scorer.score_batch(blocks[WORD_IDS], blocks[CHAR_IDS], blocks[POST_VECTOR])
    for name, (idf, head) in {"sentiment": sentiment, "categories": categories}.items():
        margins = design_matrix(blocks, idf, PARAMS) @ head.weights.astype(np.float64) + head.intercept
        if head.link == SOFTMAX:
            expected = np.exp(margins) / np.exp(margins).sum(axis=1, keepdims=True)
        else:
            expected = 1 / (1 + np.exp(-margins))
        got = scored[[f"{name}:{label}" for label in head.labels]].to_numpy()
        assert got == pytest.approx(np.asarray(expected), abs=1e-5)
    probabilities = scored[["sentiment:negative", "sentiment:neutral", "sentiment:positive"]].sum(axis=1)
    assert probabilities.to_numpy() == pytest.approx(np.ones(rows))


def test_used_slots_keep_weighted_sparse_slots_and_every_dense_one() -> None:
    idf = Idf(word=np.array([0, 1.0]), char=np.array([2.0, 0, 3.0]))
    assert used_slots(idf, dense=2).tolist() == [1, 2, 4, 5, 6]
