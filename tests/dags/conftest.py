"""One simulated landing zone and one real run of socialbeat_hourly, shared by the DAG tests.

The run is the expensive part (a spark-submit per job), so it happens once per session: the crawl
hour H1 through `airflow dags test`, in local mode, with its silver job SIGKILLed in the middle of
its Delta write so that Airflow's retry has to finish it. The tests then check the tables, rerun the
interval on a Spark standalone cluster (same tables), breach the gate, and run the next hour beside
it, comparing with the snapshot taken here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from airflow_support import (
    DAG_RUN_TIMEOUT_S,
    HOURLY,
    AirflowHome,
    MidWriteKiller,
    base_env,
    hour_end,
    make_home,
    migrated_template,
    snapshot,
)

from socialbeat.settings import load_settings

H1 = datetime(2024, 3, 11, 10)  # 17:00 in Ho Chi Minh City
H2 = datetime(2024, 3, 11, 11)
MENTIONS_PER_HOUR = 40


@dataclass
class HourlyWorld:
    root: Path
    landing: Path
    lake: Path
    state: Path
    template_db: Path
    home: AirflowHome
    first_rc: int
    first_states: dict[str, tuple[str | None, int]]
    first_snapshot: dict[str, list[str]]
    killed: dict[str, Any]

    def new_home(self, name: str, lake: Path | None = None, **kwargs: object) -> AirflowHome:
        return make_home(
            self.root / name, self.template_db, lake or self.lake, self.landing, self.state, **kwargs
        )  # type: ignore[arg-type]


def link_models(lake: Path) -> None:
    """The trained models of the project lake (`make models`), read-only, in a test lake."""
    models = Path(load_settings(profile="local").lake_uri) / "models"
    if not (models / "sentiment" / "current").exists():
        pytest.fail(f"no trained models in {models}: run `make models-if-missing` (make test does)")
    lake.mkdir(parents=True, exist_ok=True)
    (lake / "models").symlink_to(models)


@pytest.fixture(scope="session")
def hourly_world(tmp_path_factory: pytest.TempPathFactory) -> HourlyWorld:
    from socialbeat.orchestration.package import build
    from socialbeat.simulator.runner import simulate

    root = tmp_path_factory.mktemp("hourly")
    # The jobs' drivers and executors import the shipped zip first: it must be this working tree's.
    build(root / "socialbeat.zip")
    landing, lake, state = root / "landing", root / "lake", root / "state"
    simulate(
        landing=str(landing),
        start=H1,
        hours=2,
        mentions_per_hour=MENTIONS_PER_HOUR,
        seed=7,
        malformed_rate=0.05,
    )
    link_models(lake)
    state.mkdir()
    (state / "pii.secret").write_text(secrets.token_hex(32), encoding="utf-8")
    template = migrated_template(root / "template", base_env())
    home = make_home(root / "home", template, lake, landing, state)
    process = home.dags_test(HOURLY, hour_end(H1), log_name="first")
    killer = MidWriteKiller(process.pid, lake, "silver", "silver.mentions")
    rc = process.wait(timeout=DAG_RUN_TIMEOUT_S)
    killer.join()
    return HourlyWorld(
        root, landing, lake, state, template, home, rc, home.task_states(), snapshot(lake), killer.result
    )
