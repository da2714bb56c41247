"""Text classifiers on top of the feature pipelines: fit, save, load, score.

- `sentiment`: one binary logistic regression per label (negative / neutral / positive, one vs the
  rest), scores normalised to sum to 1. Scoring a multinomial regression cost about 1.4 ms per row
  here, against about 0.075 ms for each binary one over the same sparse features.
- `categories`: one binary logistic regression per civic category (multi-label), each with its own
  decision threshold, tuned on the validation split.

Scoring adds columns to a frame that has `text_norm`:
  sentiment (string), sentiment_scores (map label -> probability), or
  categories (array of codes), category_scores (map code -> probability).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import reduce
from typing import TYPE_CHECKING, Any

from socialbeat.nlp import registry
from socialbeat.nlp.features import FeatureParams, assemble, feature_stages
from socialbeat.taxonomy import CATEGORIES, SENTIMENTS

if TYPE_CHECKING:
    from pyspark.ml import PipelineModel
    from pyspark.ml.classification import LogisticRegressionModel
    from pyspark.sql import Column, DataFrame, SparkSession

TASK_LABELS: dict[str, tuple[str, ...]] = {"sentiment": SENTIMENTS, "categories": CATEGORIES}


@dataclass(frozen=True)
class ModelSpec:
    task: str
    family: str
    features: FeatureParams = field(default_factory=FeatureParams)
    reg_param: float = 0.001
    max_iter: int = 60

    def params(self) -> dict[str, Any]:
        return {"features": self.features.as_dict(), "reg_param": self.reg_param, "max_iter": self.max_iter}


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
    features: PipelineModel
    classifiers: list[LogisticRegressionModel]

    @property
    def version(self) -> str:
        return self.manifest.version

    def feature_params(self) -> FeatureParams:
        return FeatureParams(**self.manifest.params["features"])

    def featurize(self, frame: DataFrame) -> DataFrame:
        return assemble(self.features.transform(frame), self.manifest.family, self.feature_params())

    def score(self, frame: DataFrame) -> DataFrame:
        """Add this model's output columns to `frame` (which needs `text_norm`)."""
        scored = self.featurize(frame)
        temps: list[str] = []
        for i, classifier in enumerate(self.classifiers):
            named = classifier.copy()
            named.setProbabilityCol(f"_m_p{i}").setRawPredictionCol(f"_m_r{i}").setPredictionCol(f"_m_y{i}")
            scored = named.transform(scored)
            temps += [f"_m_p{i}", f"_m_r{i}", f"_m_y{i}"]
        scored = scored.withColumns(self._outputs())
        return scored.drop("features", *temps)

    def _outputs(self) -> dict[str, Column]:
        from pyspark.ml.functions import vector_to_array
        from pyspark.sql import functions as F

        labels = self.manifest.labels
        codes = F.array(*[F.lit(label) for label in labels])
        raw = [vector_to_array(F.col(f"_m_p{i}"))[1] for i in range(len(labels))]
        if self.manifest.name == "sentiment":
            total = reduce(lambda a, b: a + b, raw)
            probabilities = [F.round(r / total, 4) for r in raw]
            ranked = F.array(
                *[
                    F.struct(r.alias("score"), F.lit(label).alias("label"))
                    for r, label in zip(raw, labels, strict=True)
                ]
            )
            return {
                "sentiment": F.array_max(ranked)["label"],
                "sentiment_scores": F.map_from_arrays(codes, F.array(*probabilities)),
            }
        scores = [F.round(r, 4) for r in raw]
        chosen = [
            F.when(score >= F.lit(self.manifest.thresholds.get(label, 0.5)), F.lit(label))
            for label, score in zip(labels, scores, strict=True)
        ]
        return {
            "categories": F.filter(F.array(*chosen), lambda c: c.isNotNull()),
            "category_scores": F.map_from_arrays(codes, F.array(*scores)),
        }

    def save(self, spark: SparkSession, lake_uri: str) -> str:
        uri = registry.version_uri(lake_uri, self.manifest.name, self.version)
        self.features.write().overwrite().save(f"{uri}/features")
        for i, classifier in enumerate(self.classifiers):
            classifier.write().overwrite().save(f"{uri}/classifiers/{i}")
        registry.write_json(spark, f"{uri}/manifest.json", asdict(self.manifest))  # last: marks it complete
        return uri


def load_model(spark: SparkSession, lake_uri: str, name: str, version: str | None = None) -> TextModel:
    """A registered model: the given version, else the `current` one."""
    from pyspark.ml import PipelineModel
    from pyspark.ml.classification import LogisticRegressionModel

    chosen = registry.resolve(spark, lake_uri, name, version)
    uri = registry.version_uri(lake_uri, name, chosen)
    manifest = Manifest.from_dict(registry.read_json(spark, f"{uri}/manifest.json") or {})
    classifiers = [
        LogisticRegressionModel.load(f"{uri}/classifiers/{i}") for i in range(len(manifest.labels))
    ]
    return TextModel(manifest, PipelineModel.load(f"{uri}/features"), classifiers)


def _label_column(task: str, label: str) -> Column:
    """1.0 where the row carries `label`, else 0.0."""
    from pyspark.sql import functions as F

    if task == "sentiment":
        return (F.col("sentiment") == label).cast("double")
    return F.array_contains("categories", label).cast("double")


def fit_model(spec: ModelSpec, training: DataFrame, manifest: Manifest) -> TextModel:
    """Fit the feature pipeline and the classifiers on `training` (text_norm plus the task's labels)."""
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import LogisticRegression

    features = Pipeline(stages=feature_stages(spec.family, spec.features)).fit(training)
    labels = TASK_LABELS[spec.task]
    label_cols = {f"y{i}": _label_column(spec.task, label) for i, label in enumerate(labels)}
    # Few partitions, no lineage: Spark ML's optimiser pays a fixed cost per task and per iteration.
    vectors = assemble(features.transform(training), spec.family, spec.features)
    vectors = (
        vectors.select("features", *[c.alias(n) for n, c in label_cols.items()]).coalesce(2).localCheckpoint()
    )

    def fit_one(label_col: str) -> LogisticRegressionModel:
        regression = LogisticRegression(
            labelCol=label_col, regParam=spec.reg_param, maxIter=spec.max_iter, standardization=False
        )
        return regression.fit(vectors)

    try:
        # Small fits are bound by per-iteration latency, so two at a time keep both cores busy.
        with ThreadPoolExecutor(max_workers=2) as pool:
            classifiers = list(pool.map(fit_one, label_cols))
    finally:
        vectors.unpersist()
    return TextModel(manifest, features, classifiers)
