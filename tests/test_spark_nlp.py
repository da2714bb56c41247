"""Spark NLP runs here: trainable annotators fit and transform on the shared session."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.spark

POSTS = [
    ("Kẹt xe kinh khủng ở vòng xoay Hàng Xanh, đi làm trễ mất rồi", "negative"),
    ("Đường Nguyễn Hữu Cảnh lại ngập sâu, xe chết máy hàng loạt", "negative"),
    ("Rác thải bốc mùi hôi thối cả tuần không ai dọn", "negative"),
    ("Lừa đảo qua điện thoại ngày càng tinh vi, mất hết tiền", "negative"),
    ("Metro số 1 chạy êm, sạch sẽ, nhân viên thân thiện quá", "positive"),
    ("Công viên mới ở Thủ Đức đẹp lắm, cuối tuần dẫn con đi chơi vui ghê", "positive"),
    ("Phường làm hồ sơ nhanh gọn, cán bộ nhiệt tình, rất hài lòng", "positive"),
    ("Cảm ơn các chiến sĩ cứu hỏa đã dập lửa kịp thời, tuyệt vời", "positive"),
]


def test_trainable_annotators_fit_and_transform(spark: Any) -> None:
    from pyspark.ml import Pipeline
    from sparknlp.annotator import (
        Normalizer,
        SentenceEmbeddings,
        Tokenizer,
        ViveknSentimentApproach,
        Word2VecApproach,
    )
    from sparknlp.base import DocumentAssembler, EmbeddingsFinisher

    frame = spark.createDataFrame(POSTS * 4, ["text", "label"])
    pipeline = Pipeline(
        stages=[
            DocumentAssembler().setInputCol("text").setOutputCol("document"),
            Tokenizer().setInputCols(["document"]).setOutputCol("token"),
            Normalizer().setInputCols(["token"]).setOutputCol("normal").setLowercase(True),
            Word2VecApproach()
            .setInputCols(["normal"])
            .setOutputCol("word_vectors")
            .setVectorSize(16)
            .setMinCount(1)
            .setSeed(7),
            SentenceEmbeddings()
            .setInputCols(["document", "word_vectors"])
            .setOutputCol("post_vector")
            .setPoolingStrategy("AVERAGE"),
            EmbeddingsFinisher().setInputCols(["post_vector"]).setOutputCols(["features"]),
            ViveknSentimentApproach()
            .setInputCols(["document", "normal"])
            .setSentimentCol("label")
            .setOutputCol("sentiment"),
        ]
    )
    model = pipeline.fit(frame)
    scored = model.transform(spark.createDataFrame(POSTS, ["text", "label"])).collect()

    assert all(len(row["features"][0]) == 16 for row in scored)
    predicted = [row["sentiment"][0]["result"] for row in scored]
    assert predicted == [label for _, label in POSTS]
