"""`make bench`: throughput per stage in rows/s per core, and peak memory, as JSON.

Timing lives here and never in pass/fail tests. Each later stage (silver, enrichment, gold) adds
itself to STAGES' caller below.
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


def _stage(name: str, rows: Callable[[], int], cores: int) -> dict[str, Any]:
    started = time.perf_counter()
    count = rows()
    seconds = time.perf_counter() - started
    return {
        "stage": name,
        "rows": count,
        "seconds": round(seconds, 2),
        "cores": cores,
        "rows_per_s_per_core": round(count / seconds / cores, 1) if seconds else None,
    }


def run_bench(settings: Settings, lines: int, workdir: str | None = None) -> dict[str, Any]:
    from socialbeat.bronze.ingest import ingest_hour
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
