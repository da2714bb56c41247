"""The session's simulated Vietnam day through every layer (see gold_support for what it is)."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest
from gold_support import GOLD_HOURS, GOLD_RATE, GOLD_START, HOURLY_GOLD, GoldLake, project_models
from pydantic import SecretStr

from simulator.sim_support import run_simulation
from socialbeat.settings import Settings


@pytest.fixture(scope="session")
def gold_lake(spark: Any, base_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> GoldLake:
    from socialbeat.bronze.ingest import ingest_hours
    from socialbeat.gold.job import run_gold_hour, run_gold_hours
    from socialbeat.nlp.enrich import run_enrich_hours
    from socialbeat.silver.job import run_silver_hours

    root = tmp_path_factory.mktemp("gold_lake")
    pii = base_settings.pii.model_copy(update={"secret": SecretStr("gold-tests")})
    settings = base_settings.model_copy(
        update={"landing": str(root / "landing"), "lake": str(root / "lake"), "pii": pii}
    )
    lake = GoldLake(settings, root / "landing", [GOLD_START + timedelta(hours=i) for i in range(GOLD_HOURS)])
    started = time.perf_counter()
    run_simulation(lake.landing, start=GOLD_START, hours=GOLD_HOURS, mentions_per_hour=GOLD_RATE)
    models = project_models(spark, settings)
    stages = {
        "simulate": time.perf_counter() - started,
        "bronze": 0.0,
        "silver": 0.0,
        "enrich": 0.0,
        "gold": 0.0,
    }
    # The first hours as the hourly DAG runs them (gold included: the incremental path), then the
    # rest of the day as a backfill: one pass per layer instead of one per hour.
    batches = [[hour] for hour in lake.hours[:HOURLY_GOLD]] + [lake.hours[HOURLY_GOLD:]]
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
    run_gold_hours(spark, settings, lake.hours)
    stages["gold"] += time.perf_counter() - begun
    lake.timings = stages
    print(f"\ngold lake built: {json.dumps({k: round(v, 1) for k, v in stages.items()})}")
    return lake
