"""Text classifiers over the feature blocks: fit, save, load, score.

- `sentiment`: one multinomial logistic regression over negative / neutral / positive (softmax
  probabilities).
- `categories`: one binary logistic regression per civic category (multi-label), each with its own
  decision threshold, tuned on the validation split.

Spark ML fits the regressions; scoring uses their folded coefficients (`socialbeat.nlp.linear`), so
all labels of a model are scored in one pass. Scoring adds columns to a frame that has `text_norm`:
  sentiment (string), sentiment_scores (map label -> probability), or
  categories (array of codes), category_scores (map code -> probability).
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from socialbeat.nlp import registry
from socialbeat.nlp.features import FeatureParams, block_columns, fit_spark_nlp, term_ids
from socialbeat.nlp.linear import (
    SIGMOID,
    SOFTMAX,
    Idf,
    LinearHead,
    ModelScorer,
    Scorer,
    design_matrix,
    fit_idf,
    score_column,
    training_rows,
    used_slots,
)
from socialbeat.taxonomy import CATEGORIES, SENTIMENTS

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.ml import PipelineModel
    from pyspark.ml.classification import LogisticRegressionModel
    from pyspark.sql import Column, DataFrame, SparkSession

log = logging.getLogger(__name__)
TASK_LABELS: dict[str, tuple[str, ...]] = {"sentiment": SENTIMENTS, "categories": CATEGORIES}
SCORES = "_m_scores"


@dataclass(frozen=True)
class ModelSpec:
    task: str
    family: str
    features: FeatureParams = field(default_factory=FeatureParams)
    reg_param: float = 1e-4
    max_iter: int = 100
    # Training weight per labelled source; a source missing here weighs 1, one weighing 0 is left out.
    source_weights: dict[str, float] = field(default_factory=dict)

    def params(self) -> dict[str, Any]:
        return {
            "features": self.features.as_dict(),
            "reg_param": self.reg_param,
            "max_iter": self.max_iter,
            "source_weights": dict(sorted(self.source_weights.items())),
        }

    def weight_of(self, source: str) -> float:
        return self.source_weights.get(source, 1.0)


@dataclass
class Manifest:
    name: str
    version: str
    family: str
    labels: list[str]
    params: dict[str, Any]
    data_hash: str
    trained_at: str
    training_rows: int
    thresholds: dict[str, float] = field(default_factory=dict)
    runtime: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> Manifest:
        return cls(**value)


@dataclass
class TextModel:
    manifest: Manifest
    idf: Idf
    head: LinearHead
    spark_nlp: PipelineModel | None = None  # the sparknlp family's fitted annotators
    _udfs: dict[tuple[str, ...], Column] = field(default_factory=dict, repr=False)

    @property
    def version(self) -> str:
        return self.manifest.version

    def feature_params(self) -> FeatureParams:
        return FeatureParams.from_dict(self.manifest.params["features"])

    def shares_blocks_with(self, other: TextModel) -> bool:
        """True when both read the same term-id blocks, so they can be computed once for both."""
        return (
            self.spark_nlp is None
            and other.spark_nlp is None
            and (self.manifest.family, self.feature_params())
            == (other.manifest.family, other.feature_params())
        )

    def with_blocks(self, frame: DataFrame) -> DataFrame:
        return term_ids(frame, self.manifest.family, self.feature_params(), self.spark_nlp)

    def model_scorer(self) -> ModelScorer:
        return ModelScorer.of(self.manifest.name, self.idf, self.head)

    def score(self, frame: DataFrame) -> DataFrame:
        """Add this model's output columns to `frame` (which needs `text_norm`)."""
        return score_together(frame, [self])

    def _outputs(self) -> dict[str, Column]:
        from pyspark.sql import functions as F

        labels = self.manifest.labels
        codes = F.array(*[F.lit(label) for label in labels])
        raw = {label: F.col(SCORES)[f"{self.manifest.name}:{label}"] for label in labels}
        scores = [F.round(raw[label], 4) for label in labels]
        if self.manifest.name == "sentiment":
            ranked = F.array(
                *[F.struct(raw[label].alias("score"), F.lit(label).alias("label")) for label in labels]
            )
            return {
                "sentiment": F.array_max(ranked)["label"],
                "sentiment_scores": F.map_from_arrays(codes, F.array(*scores)),
            }
        chosen = [
            F.when(raw[label] >= F.lit(self.manifest.thresholds.get(label, 0.5)), F.lit(label))
            for label in labels
        ]
        return {
            "categories": F.filter(F.array(*chosen), lambda c: c.isNotNull()),
            "category_scores": F.map_from_arrays(codes, F.array(*scores)),
        }

    def save(self, spark: SparkSession, lake_uri: str) -> str:
        uri = registry.version_uri(lake_uri, self.manifest.name, self.version)
        if self.spark_nlp is not None:
            self.spark_nlp.write().overwrite().save(f"{uri}/features")
        _weights_frame(spark, self.idf, self.head).write.mode("overwrite").parquet(f"{uri}/weights")
        registry.write_json(spark, f"{uri}/manifest.json", asdict(self.manifest))  # last: marks it complete
        return uri


def score_together(frame: DataFrame, models: list[TextModel]) -> DataFrame:
    """Add every model's output columns; models that share blocks are scored in one UDF call."""
    first = models[0]
    if not all(first.shares_blocks_with(m) for m in models[1:]):
        for model in models:
            frame = score_together(frame, [model])
        return frame
    key = tuple(m.version for m in models)
    if key not in first._udfs:
        scorer = Scorer(first.feature_params(), block_columns(first.manifest.family),
                        [m.model_scorer() for m in models])  # fmt: skip
        first._udfs[key] = score_column(frame.sparkSession, scorer)
    scored = first.with_blocks(frame).withColumn(SCORES, first._udfs[key])
    for model in models:
        scored = scored.withColumns(model._outputs())
    return scored.drop(SCORES, *block_columns(first.manifest.family))


def _weights_frame(spark: SparkSession, idf: Idf, head: LinearHead) -> DataFrame:
    """One row per slot that carries weight (slot -1: the intercepts): slot, idf, weights[label]."""
    import pandas as pd

    idf_all = np.concatenate(
        [idf.word, idf.char, np.zeros(head.weights.shape[0] - len(idf.word) - len(idf.char))]
    )
    used = np.flatnonzero((idf_all > 0) | np.any(head.weights != 0, axis=1))
    rows = pd.DataFrame(
        {
            "slot": np.concatenate([[-1], used]).astype(np.int32),
            "idf": np.concatenate([[0.0], idf_all[used]]),
            "weights": [head.intercept.astype(np.float64).tolist()]
            + [w.tolist() for w in head.weights[used].astype(np.float64)],
        }
    )
    return spark.createDataFrame(rows, "slot int, idf double, weights array<double>").coalesce(1)


def _read_weights(
    spark: SparkSession, uri: str, manifest: Manifest, params: FeatureParams
) -> tuple[Idf, LinearHead]:
    rows: pd.DataFrame = spark.read.parquet(f"{uri}/weights").toPandas()
    words, chars = 1 << params.word_bits, 1 << params.char_bits
    dense = params.vector_size if manifest.family == "sparknlp" else 0
    labels = manifest.labels
    weights = np.zeros((words + chars + dense, len(labels)), dtype=np.float32)
    idf_all = np.zeros(words + chars + dense)
    slots = rows["slot"].to_numpy()
    values = np.vstack(rows["weights"].to_numpy()) if len(rows) else np.zeros((0, len(labels)))
    intercept = values[slots < 0][0] if (slots < 0).any() else np.zeros(len(labels))
    used = slots >= 0
    weights[slots[used]], idf_all[slots[used]] = values[used], rows["idf"].to_numpy()[used]
    link = SOFTMAX if manifest.name == "sentiment" else SIGMOID
    return Idf(word=idf_all[:words], char=idf_all[words : words + chars]), LinearHead(
        labels, weights, intercept, link
    )


def load_model(spark: SparkSession, lake_uri: str, name: str, version: str | None = None) -> TextModel:
    """A registered model: the given version, else the `current` one."""
    from pyspark.ml import PipelineModel

    chosen = registry.resolve(spark, lake_uri, name, version)
    uri = registry.version_uri(lake_uri, name, chosen)
    manifest = Manifest.from_dict(registry.read_json(spark, f"{uri}/manifest.json") or {})
    params = FeatureParams.from_dict(manifest.params["features"])
    idf, head = _read_weights(spark, uri, manifest, params)
    spark_nlp = PipelineModel.load(f"{uri}/features") if manifest.family == "sparknlp" else None
    return TextModel(manifest, idf, head, spark_nlp)


def _label_column(task: str, label: str) -> Column:
    """1.0 where the row carries `label`, else 0.0."""
    from pyspark.sql import functions as F

    if task == "sentiment":
        return (F.col("sentiment") == label).cast("double")
    return F.array_contains("categories", label).cast("double")


def _weight_column(spec: ModelSpec) -> Column:
    from pyspark.sql import functions as F

    weights = F.create_map(*[F.lit(x) for kv in spec.source_weights.items() for x in kv])
    return F.coalesce(weights[F.col("source")], F.lit(1.0)) if spec.source_weights else F.lit(1.0)


def training_vectors(
    spec: ModelSpec, training: DataFrame, spark_nlp: PipelineModel | None
) -> tuple[Idf, np.ndarray, DataFrame]:
    """IDF, the design columns that can carry weight, and the Spark ML training frame (features,
    y<i> per label, label = the sentiment's index, weight)."""
    from pyspark.ml.linalg import VectorUDT
    from pyspark.sql import functions as F
    from pyspark.sql.types import DoubleType, StructField, StructType

    params, labels, blocks = spec.features, TASK_LABELS[spec.task], block_columns(spec.family)
    label_cols = {f"y{i}": _label_column(spec.task, label) for i, label in enumerate(labels)}
    index = F.coalesce(*[F.when(F.col("sentiment") == x, F.lit(i)) for i, x in enumerate(labels)])
    targets = [
        *[c.alias(n) for n, c in label_cols.items()],
        (index if spec.task == "sentiment" else F.lit(0)).cast("double").alias("label"),
        _weight_column(spec).alias("weight"),
    ]
    # A labelled set is thousands of rows: its term ids come to the driver once, where IDF and the
    # design matrix are computed with the code scoring uses; Spark ML then fits the regressions.
    rows: pd.DataFrame = (
        term_ids(training, spec.family, params, spark_nlp).select(*blocks, *targets).toPandas()
    )
    idf = fit_idf({b: rows[b] for b in blocks}, params)
    columns = used_slots(idf, params.vector_size if spec.family == "sparknlp" else 0)
    design = design_matrix({b: rows[b] for b in blocks}, idf, params)
    names = [*label_cols, "label", "weight"]
    records = zip(training_rows(design, columns), *[rows[n].astype(float) for n in names], strict=True)
    schema = StructType(
        [StructField("features", VectorUDT()), *[StructField(n, DoubleType()) for n in names]]
    )
    # Few partitions, no lineage: Spark ML's optimiser pays a fixed cost per task and per iteration.
    vectors = training.sparkSession.createDataFrame(list(records), schema).repartition(2).localCheckpoint()
    return idf, columns, vectors


def fit_regressions(spec: ModelSpec, vectors: DataFrame) -> list[LogisticRegressionModel]:
    """Spark ML logistic regressions: one multinomial (sentiment) or one binary per label."""
    from pyspark.ml.classification import LogisticRegression

    def regression(label_col: str, family: str) -> LogisticRegressionModel:
        return LogisticRegression(
            labelCol=label_col,
            weightCol="weight",
            family=family,
            regParam=spec.reg_param,
            maxIter=spec.max_iter,
            standardization=False,
        ).fit(vectors)

    if spec.task == "sentiment":
        return [regression("label", "multinomial")]
    # Small fits are bound by per-iteration latency, so two at a time keep both cores busy.
    label_cols = [f"y{i}" for i in range(len(TASK_LABELS[spec.task]))]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda c: regression(c, "binomial"), label_cols))


def fold(task: str, fitted: list[LogisticRegressionModel]) -> tuple[np.ndarray, np.ndarray, str]:
    """The regressions' coefficients as one matrix (design columns, labels), intercepts and link."""
    labels = TASK_LABELS[task]
    if task == "sentiment":
        (multinomial,) = fitted
        if multinomial.numClasses != len(labels):
            raise ValueError(f"sentiment training data must hold every label of {labels}")
        return multinomial.coefficientMatrix.toArray().T, multinomial.interceptVector.toArray(), SOFTMAX
    weights = np.column_stack([b.coefficients.toArray() for b in fitted])
    return weights, np.array([b.intercept for b in fitted]), SIGMOID


def fit_model(spec: ModelSpec, training: DataFrame, manifest: Manifest) -> TextModel:
    """Fit the features (Spark NLP stages, IDF) and the regressions on `training` (text_norm, labels)."""
    started = time.perf_counter()
    params, labels = spec.features, list(TASK_LABELS[spec.task])
    spark_nlp = fit_spark_nlp(training, params) if spec.family == "sparknlp" else None
    idf, columns, vectors = training_vectors(spec, training, spark_nlp)
    log.info("%s/%s: features over %d columns in %.1f s", spec.task, spec.family, len(columns),
             time.perf_counter() - started)  # fmt: skip
    try:
        weights, intercept, link = fold(spec.task, fit_regressions(spec, vectors))
    finally:
        vectors.unpersist()
    log.info("%s/%s: fitted in %.1f s", spec.task, spec.family, time.perf_counter() - started)
    dense = params.vector_size if spec.family == "sparknlp" else 0
    full = np.zeros((len(idf.word) + len(idf.char) + dense, len(labels)), dtype=np.float32)
    full[columns] = weights
    return TextModel(manifest, idf, LinearHead(labels, full, intercept.astype(np.float64), link), spark_nlp)
