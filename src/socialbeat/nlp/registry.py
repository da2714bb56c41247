"""The model registry: `<lake>/models/<name>/<version>/` plus a `current` pointer per model name.

A version folder holds the fitted Spark NLP pipeline (`features/`, sparknlp family only), the
folded classifier weights (`weights/`, Parquet), `manifest.json` (family, labels, thresholds,
parameters, training-data hash, training time, runtime versions) and `metrics.json` (scores per
split). `current` is a one-line file
naming the version that scoring uses by default; `promote` rewrites it. The lake may be a local path or
an s3a:// URI, so files go through Hadoop's FileSystem, the same one Spark and Delta use.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

MODELS_DIR = "models"


class ModelNotFoundError(RuntimeError):
    pass


def models_uri(lake_uri: str) -> str:
    return f"{lake_uri.rstrip('/')}/{MODELS_DIR}"


def version_uri(lake_uri: str, name: str, version: str) -> str:
    return f"{models_uri(lake_uri)}/{name}/{version}"


def _fs(spark: SparkSession, uri: str) -> tuple[Any, Any]:
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), path


def write_text(spark: SparkSession, uri: str, text: str) -> None:
    fs, path = _fs(spark, uri)
    stream = fs.create(path, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()


def read_text(spark: SparkSession, uri: str) -> str | None:
    fs, path = _fs(spark, uri)
    if not fs.exists(path):
        return None
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    stream = fs.open(path)
    try:
        data = jvm.org.apache.commons.io.IOUtils.toByteArray(stream)
    finally:
        stream.close()
    return bytes(data).decode("utf-8")


def write_json(spark: SparkSession, uri: str, value: dict[str, Any]) -> None:
    write_text(spark, uri, json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def read_json(spark: SparkSession, uri: str) -> dict[str, Any] | None:
    text = read_text(spark, uri)
    return json.loads(text) if text is not None else None


def versions(spark: SparkSession, lake_uri: str, name: str) -> list[str]:
    """Versions of `name` that have a manifest, oldest first (version names sort by training time)."""
    fs, path = _fs(spark, f"{models_uri(lake_uri)}/{name}")
    if not fs.exists(path):
        return []
    found = [status.getPath().getName() for status in fs.listStatus(path) if status.isDirectory()]
    return sorted(
        v for v in found if fs.exists(_fs(spark, f"{version_uri(lake_uri, name, v)}/manifest.json")[1])
    )


def current_version(spark: SparkSession, lake_uri: str, name: str) -> str | None:
    text = read_text(spark, f"{models_uri(lake_uri)}/{name}/current")
    return text.strip() if text else None


def set_current(spark: SparkSession, lake_uri: str, name: str, version: str) -> None:
    if version not in versions(spark, lake_uri, name):
        raise ModelNotFoundError(f"no model {name}/{version} in {models_uri(lake_uri)}")
    write_text(spark, f"{models_uri(lake_uri)}/{name}/current", version + "\n")


def resolve(spark: SparkSession, lake_uri: str, name: str, version: str | None = None) -> str:
    """The version to load: the one asked for, else `current`; a clear error when there is none."""
    chosen = version or current_version(spark, lake_uri, name)
    if not chosen:
        raise ModelNotFoundError(
            f"no current {name!r} model under {models_uri(lake_uri)}: run `make models` or `socialbeat train`"
        )
    if chosen not in versions(spark, lake_uri, name):
        raise ModelNotFoundError(f"no model {name}/{chosen} in {models_uri(lake_uri)}")
    return chosen
