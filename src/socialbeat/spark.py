"""The one Spark session factory. Every job, test and notebook builds its session here.

Jars come from the local folder that `make setup` fills with Maven (never spark.jars.packages,
never a download at start); master, memory and extra conf come from settings.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from socialbeat.settings import Settings, get_settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DELTA_CONF = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
}


class MissingJarsError(RuntimeError):
    pass


def jar_paths(settings: Settings) -> list[str]:
    folder = settings.jars_path
    jars = sorted(str(p) for p in Path(folder).glob("*.jar"))
    if not jars:
        raise MissingJarsError(f"no jars in {folder}: run `make setup` (it resolves them with Maven)")
    return jars


def s3a_conf(settings: Settings) -> dict[str, str]:
    s3 = settings.s3
    conf = {"spark.hadoop.fs.s3a.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem"}
    if s3.endpoint_url:
        conf["spark.hadoop.fs.s3a.endpoint"] = s3.endpoint_url
        conf["spark.hadoop.fs.s3a.connection.ssl.enabled"] = str(s3.endpoint_url.startswith("https")).lower()
    conf["spark.hadoop.fs.s3a.path.style.access"] = str(s3.path_style).lower()
    conf["spark.hadoop.fs.s3a.endpoint.region"] = s3.region
    if s3.access_key_id and s3.secret_access_key:
        conf["spark.hadoop.fs.s3a.access.key"] = s3.access_key_id
        conf["spark.hadoop.fs.s3a.secret.key"] = s3.secret_access_key
        conf["spark.hadoop.fs.s3a.aws.credentials.provider"] = (
            "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider"
        )
    return conf


def session_conf(settings: Settings, app_name: str | None = None, with_jars: bool = True) -> dict[str, str]:
    state = settings.state_path
    conf = {
        "spark.master": settings.spark.master,
        "spark.app.name": app_name or settings.spark.app_name,
        "spark.driver.memory": settings.spark.driver_memory,
        **({"spark.jars": ",".join(jar_paths(settings))} if with_jars else {}),
        # Keep Spark's own local state (warehouse, Derby metastore) under the project state folder.
        "spark.sql.warehouse.dir": str(state / "warehouse"),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={state / 'derby'}",
        **DELTA_CONF,
        **s3a_conf(settings),
    }
    conf.update(settings.spark.conf)
    if "-Dderby.system.home" not in conf["spark.driver.extraJavaOptions"]:
        conf["spark.driver.extraJavaOptions"] += f" -Dderby.system.home={state / 'derby'}"
    return conf


def submitted_conf_keys() -> set[str]:
    """The Spark properties that spark-submit already set for this driver (its --master, --jars,
    --conf, ...); empty when the process was not started by spark-submit. They win over settings,
    so that the orchestrator's connection (local[*], spark://, k8s://) decides where a job runs."""
    if "PYSPARK_GATEWAY_PORT" not in os.environ:  # set by spark-submit for the Python driver it starts
        return set()
    from pyspark import SparkConf, SparkContext

    # Connect to spark-submit's JVM first: before that, SparkConf() is an empty Python dict.
    SparkContext._ensure_initialized()
    return {key for key, _ in SparkConf().getAll()}


def build_spark(settings: Settings | None = None, app_name: str | None = None) -> SparkSession:
    """Return the session for these settings (the existing one if a session is already running).

    Under spark-submit, the properties it was given are kept and settings fill in only the rest.
    """
    from pyspark.sql import SparkSession

    settings = settings or get_settings()
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYARROW_IGNORE_TIMEZONE", "1")
    # Python workers must run the interpreter that has this package (the project's .venv) unless the
    # cluster profile names another one in spark.pyspark.python.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    submitted = submitted_conf_keys()
    builder = SparkSession.builder
    # Jars added to a session that spark-submit started never reach the driver's class path: under
    # spark-submit they must come from its --jars (or the image's class path), so none are listed here.
    conf = session_conf(settings, app_name, with_jars=not submitted)
    for key, value in conf.items():
        if key not in submitted:
            builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark
