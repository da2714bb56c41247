"""The simulated Vietnam day of the gold tests: its constants, how it is built, how to read it back.

One simulated Vietnam day through every layer, built once per test session: simulate (default
scenario) -> bronze -> silver -> enrich (the project lake's trained models) -> gold, over the 24
crawl hours of 2024-03-11 in Vietnam time (2024-03-10T17 to 2024-03-11T16 UTC), so that every
scripted incident, the 07:00 one included, has quiet hours before it. The first hours run one by one
as the hourly DAG runs them (gold included: the incremental path on a growing lake), then the rest
of the day as a backfill, one pass per layer; gold then runs once over the whole day
(`run_gold_hours`). test_gold_day re-runs single hours over the result and compares every table.

The build is a subprocess with a Spark session of its own (`python tests/gold_support.py ROOT
MODELS_LAKE`), started in the background before the first test (tests/conftest.py): it is minutes
of work that other tests can overlap. The gold tests run after the others and wait for it.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from simulator.sim_support import read_truth
from socialbeat.settings import PROJECT_ROOT, Settings, load_settings
from socialbeat.tables import table

GOLD_START = datetime(2024, 3, 10, 17)  # 00:00 in Ho Chi Minh City
GOLD_DAY = date(2024, 3, 11)
GOLD_HOURS = 24
GOLD_RATE = 200  # mentions per hour: the incidents' floors (min_per_hour) still stand out
HOURLY_GOLD = 2  # crawl hours whose gold runs hourly before the backfill
PII_SECRET = "gold-tests"
BUILD_TIMEOUT_S = 3600
VN = timedelta(hours=7)


@dataclass
class GoldLake:
    settings: Settings
    landing: Path
    hours: list[datetime]
    timings: dict[str, float] = field(default_factory=dict)

    def incidents(self) -> list[dict[str, Any]]:
        scenario = json.loads((self.landing / "_truth" / "scenario.json").read_text(encoding="utf-8"))
        return list(scenario["incidents"])

    def incident_mentions(self) -> dict[str, set[str]]:
        """Incident id -> mention ids of its items (silver's mention_id of source + platform_item_id)."""
        out: dict[str, set[str]] = {}
        for record in read_truth(self.landing):
            if record.get("incident") and record["kind"] == "original":
                key = f"{record['source']}\x1f{record['platform_item_id']}".encode()
                out.setdefault(record["incident"], set()).add(hashlib.sha256(key).hexdigest()[:32])
        return out

    def truth(self) -> list[dict[str, Any]]:
        return list(read_truth(self.landing))

    def frame(self, spark: Any, name: str) -> Any:
        return spark.read.format("delta").load(table(name).location(self.settings.lake_uri))


def day_hours() -> list[datetime]:
    return [GOLD_START + timedelta(hours=i) for i in range(GOLD_HOURS)]


def lake_settings(base: Settings, root: Path) -> Settings:
    """The day's settings: the test session's, with the day's landing zone, lake and PII key."""
    pii = base.pii.model_copy(update={"secret": SecretStr(PII_SECRET)})
    return base.model_copy(update={"landing": str(root / "landing"), "lake": str(root / "lake"), "pii": pii})


def project_models(spark: Any, settings: Settings, models_lake: str) -> Any:
    """The trained models of the project lake (`make models`)."""
    from socialbeat.nlp import registry
    from socialbeat.nlp.enrich import load_models

    lake = settings.model_copy(update={"lake": models_lake})
    for name in ("sentiment", "categories"):
        if not registry.current_version(spark, lake.lake_uri, name):
            raise RuntimeError(
                f"no current {name} model in {lake.lake_uri}: `make models-if-missing` trains it"
            )
    return load_models(spark, lake)


def build(spark: Any, settings: Settings, models_lake: str) -> dict[str, float]:
    """Simulate the day and run every layer over it; seconds per stage."""
    from simulator.sim_support import run_simulation
    from socialbeat.bronze.ingest import ingest_hours
    from socialbeat.gold.job import run_gold_hour, run_gold_hours
    from socialbeat.nlp.enrich import run_enrich_hours
    from socialbeat.silver.job import run_silver_hours

    hours = day_hours()
    started = time.perf_counter()
    run_simulation(
        Path(settings.landing_uri), start=GOLD_START, hours=GOLD_HOURS, mentions_per_hour=GOLD_RATE
    )
    models = project_models(spark, settings, models_lake)
    stages = {
        "simulate": time.perf_counter() - started,
        "bronze": 0.0,
        "silver": 0.0,
        "enrich": 0.0,
        "gold": 0.0,
    }
    batches = [[hour] for hour in hours[:HOURLY_GOLD]] + [hours[HOURLY_GOLD:]]
    for batch in batches:
        for stage, run in (
            ("bronze", lambda b: ingest_hours(spark, settings, b)),
            ("silver", lambda b: run_silver_hours(spark, settings, b)),
            ("enrich", lambda b: run_enrich_hours(spark, settings, b, models)),
            ("gold", lambda b: run_gold_hour(spark, settings, b[0]) if len(b) == 1 else None),
        ):
            begun = time.perf_counter()
            run(batch)
            stages[stage] += time.perf_counter() - begun
    begun = time.perf_counter()
    run_gold_hours(spark, settings, hours)
    stages["gold"] += time.perf_counter() - begun
    return stages


class GoldLakeBuild:
    """The day's build as a background subprocess; `result()` waits for it."""

    def __init__(self, base: Settings, root: Path) -> None:
        self.settings = lake_settings(base, root)
        self.root = root
        self.log = root / "build.log"
        spark = base.spark
        env = {
            **os.environ,
            "SOCIALBEAT_PROFILE": base.profile,
            "SOCIALBEAT_LANDING": self.settings.landing_uri,
            "SOCIALBEAT_LAKE": self.settings.lake_uri,
            "SOCIALBEAT_STATE_DIR": str(root / "state"),
            "SOCIALBEAT_PII__SECRET": PII_SECRET,
            "SOCIALBEAT_SPARK__MASTER": spark.master,
            "SOCIALBEAT_SPARK__DRIVER_MEMORY": spark.driver_memory,
            "SOCIALBEAT_SPARK__JARS_DIR": str(spark.jars_dir),
            "SOCIALBEAT_SPARK__CONF": json.dumps(spark.conf),
        }
        models_lake = load_settings(profile="local").lake_uri
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, __file__, str(root), models_lake],
                env=env,
                cwd=PROJECT_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def result(self) -> GoldLake:
        code = self.process.wait(timeout=BUILD_TIMEOUT_S)
        if code != 0:
            tail = self.log.read_text(encoding="utf-8", errors="replace")[-4000:]
            raise RuntimeError(f"building the gold day failed (exit {code}):\n{tail}")
        timings = json.loads((self.root / "timings.json").read_text(encoding="utf-8"))
        print(f"\ngold lake built: {json.dumps(timings)}")
        return GoldLake(self.settings, self.root / "landing", day_hours(), timings)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _main(root: Path, models_lake: str) -> None:
    from socialbeat.spark import build_spark

    settings = load_settings()
    spark = build_spark(settings, app_name="socialbeat-tests-gold-day")
    try:
        stages = build(spark, settings, models_lake)
    finally:
        spark.stop()
    (root / "timings.json").write_text(
        json.dumps({k: round(v, 1) for k, v in stages.items()}), encoding="utf-8"
    )


if __name__ == "__main__":
    _main(Path(sys.argv[1]), sys.argv[2])
