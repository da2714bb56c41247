"""`make bench`: throughput per stage in rows/s per core, and peak memory, as JSON.

Timing lives here and never in pass/fail tests. Each stage runs once to warm up (JIT, table
creation), then once timed; a stage's rows are its input rows (landing lines, bronze rows).
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from socialbeat.settings import Settings

BENCH_HOUR = datetime(2024, 3, 11, 12)


def _jvm_peak_mb(spark: Any) -> float | None:
    """Peak resident memory of the driver JVM (VmHWM), read from /proc."""
    pid = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        return None
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def cpu_seconds() -> float:
    """CPU time used so far by this process and its children: the driver JVM, and the Python
    workers it forks. On a machine other jobs share, rows per CPU-second is the steadier figure."""
    import psutil

    total = 0.0
    me = psutil.Process()
    for process in [me, *me.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.Error:  # a Python worker that just exited
            continue
        total += times.user + times.system
    return total


def _stage(name: str, rows: Callable[[], int], cores: int) -> dict[str, Any]:
    cpu_before, started = cpu_seconds(), time.perf_counter()
    count = rows()
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_before
    return {
        "stage": name,
        "rows": count,
        "seconds": round(seconds, 2),
        "cores": cores,
        "rows_per_s_per_core": round(count / seconds / cores, 1) if seconds else None,
        "cpu_seconds": round(cpu, 2),
        "rows_per_cpu_second": round(count / cpu, 1) if cpu > 0 else None,
    }


def _silver_components(spark: Any, settings: Settings, cores: int) -> list[dict[str, Any]]:
    """Each silver transform alone over the bench hour's texts (cached first; a no-op write runs it)."""
    from pyspark.sql import functions as F

    from socialbeat.settings import pii_secret
    from socialbeat.silver.langid import identify_language
    from socialbeat.silver.locations import load_gazetteer, tag_locations
    from socialbeat.silver.normalize import load_teencode, normalize_text
    from socialbeat.silver.pii import mask_pii
    from socialbeat.tables import table

    texts = (
        spark.read.format("delta")
        .load(table("bronze.crawl_items").location(settings.lake_uri))
        .select("text", F.lower("text").alias("text_lower"), F.col("text").alias("text_display"))
        .cache()
    )
    rows = texts.count()
    teencode, gazetteer = load_teencode(settings.datasets_path), load_gazetteer(settings.datasets_path)
    components = {
        "silver.pii_mask": lambda: mask_pii(texts, ["text"], pii_secret(settings)),
        "silver.normalize": lambda: normalize_text(texts, "text", teencode),
        "silver.langid": lambda: identify_language(texts, "text_display"),
        "silver.locations": lambda: tag_locations(texts, "text_lower", gazetteer),
    }

    def runner(build: Callable[[], Any]) -> Callable[[], int]:
        def run() -> int:
            build().write.format("noop").mode("overwrite").save()
            return rows

        return run

    stages = [_stage(name, runner(build), cores) for name, build in components.items()]
    texts.unpersist()
    return stages


def _model_stages(spark: Any, settings: Settings, bench: Settings, cores: int) -> list[dict[str, Any]]:
    """Scoring throughput of each registered model over the bench hour's silver texts, then the
    whole enrichment job (models from the project lake; `make models` trains them)."""
    from socialbeat.nlp.enrich import load_models, run_enrich_hour, score_mentions
    from socialbeat.tables import table

    models = load_models(spark, settings)
    texts = (
        spark.read.format("delta").load(table("silver.mentions").location(bench.lake_uri)).select("text_norm")
    )
    texts = texts.cache()
    rows = texts.count()

    def scoring(model: Any) -> Callable[[], int]:
        def run() -> int:
            model.score(texts).write.format("noop").mode("overwrite").save()
            return rows

        return run

    def both() -> int:
        score_mentions(texts, models).write.format("noop").mode("overwrite").save()
        return rows

    stages = []
    for model in (models.sentiment, models.categories):
        scoring(model)()  # warm-up
        stage = _stage(f"model.{model.manifest.name}", scoring(model), cores)
        stages.append({**stage, "model_version": model.version})
    both()  # warm-up
    stages.append({**_stage("model.both", both, cores), "model_versions": models.versions()})
    texts.unpersist()
    run_enrich_hour(spark, bench, BENCH_HOUR, models)  # warm-up: table creation
    stages.append(_stage("enrich", lambda: run_enrich_hour(spark, bench, BENCH_HOUR, models).mentions, cores))
    return stages


def run_bench(settings: Settings, lines: int, workdir: str | None = None) -> dict[str, Any]:
    from socialbeat.bronze.ingest import ingest_hour
    from socialbeat.silver.job import run_silver_hour
    from socialbeat.simulator import simulate
    from socialbeat.spark import build_spark

    root = Path(workdir or tempfile.mkdtemp(prefix="socialbeat-bench-"))
    bench = settings.model_copy(update={"landing": str(root / "landing"), "lake": str(root / "lake")})
    cores = os.cpu_count() or 1
    stages = [
        _stage(
            "simulate",
            lambda: simulate(bench.landing_uri, BENCH_HOUR, 1, lines, seed=7, workers=cores).total_lines,
            cores,
        )
    ]
    spark = build_spark(bench, app_name="socialbeat-bench")
    spark_cores = spark.sparkContext.defaultParallelism
    ingest_hour(spark, bench, BENCH_HOUR)  # warm-up: JIT and Delta table creation are not throughput
    stages.append(
        _stage("bronze_ingest", lambda: ingest_hour(spark, bench, BENCH_HOUR).lines_read, spark_cores)
    )
    run_silver_hour(spark, bench, BENCH_HOUR)  # warm-up; the timed run re-merges the same hour
    stages.append(
        _stage("silver", lambda: run_silver_hour(spark, bench, BENCH_HOUR).bronze_rows, spark_cores)
    )
    stages += _silver_components(spark, bench, spark_cores)
    stages += _model_stages(spark, settings, bench, spark_cores)
    return {
        "mentions_requested": lines,  # the simulator adds re-fetches, edits and malformed lines
        "workdir": str(root),
        "spark_master": bench.spark.master,
        "stages": stages,
        "peak_memory_mb": {
            "python_driver": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "python_children": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
            "jvm_driver": _jvm_peak_mb(spark),
        },
    }
