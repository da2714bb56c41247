"""The simulated Vietnam day of the gold tests: its constants, and how to read it back.

One simulated Vietnam day through every layer, built once per test session (conftest.py).

simulate (default scenario) -> bronze -> silver -> enrich (the project lake's trained models), hour by
hour as the hourly DAG runs them, over the 24 crawl hours of 2024-03-11 in Vietnam time (2024-03-10T17
to 2024-03-11T16 UTC), so that every scripted incident, the 07:00 one included, has quiet hours
before it. Gold runs hourly for the first hours (the incremental path on a growing lake), then once
over the whole day (`run_gold_hours`, a backfill): one gold pass costs as much as an hour's, and
test_gold_day re-runs single hours over the result and compares every table.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from simulator.sim_support import read_truth
from socialbeat.settings import Settings, load_settings
from socialbeat.tables import table

GOLD_START = datetime(2024, 3, 10, 17)  # 00:00 in Ho Chi Minh City
GOLD_DAY = date(2024, 3, 11)
GOLD_HOURS = 24
GOLD_RATE = 200  # mentions per hour: the incidents' floors (min_per_hour) still stand out
HOURLY_GOLD = 2  # crawl hours whose gold runs hourly before the backfill
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


def project_models(spark: Any, settings: Settings) -> Any:
    from socialbeat.nlp import registry
    from socialbeat.nlp.enrich import load_models

    lake = settings.model_copy(update={"lake": load_settings().lake})
    for name in ("sentiment", "categories"):
        if not registry.current_version(spark, lake.lake_uri, name):
            pytest.fail(f"no current {name} model in {lake.lake_uri}: `make models-if-missing` trains it")
    return load_models(spark, lake)
