"""The DAG tests' real Airflow runs, in a background thread that starts before the first test.

Every run is `airflow dags test socialbeat_hourly` as a subprocess, whose tasks are spark-submits:
cold JVMs that leave one of the machine's cores idle most of the time. So the runs start as soon as
the session does (tests/conftest.py) and overlap the in-process tests, and the DAG tests, which run
last, wait for the result they check. The runs go one after another, over one simulated landing
zone and one lake:

1. `world`: crawl hour H1 in local mode, with its silver job SIGKILLed in the middle of its Delta
   write, so that Airflow's retry has to finish it; the lake's snapshot is taken after it.
2. `cluster`: H1 again, on a Spark standalone cluster (one master and two workers on 127.0.0.1,
   started with infra/spark/cluster.sh as `make cluster-up` does); only the Airflow connection and
   the profile change.
3. `breach`: H1's silver again with a rule no row can meet: the gate must stop the run.
4. `two_hours`: H2 and H1's silver at the same time, as two DAG runs over the one lake.

Each run's outcome (task states, logs, snapshots of every table) is recorded when it ends, before
the next run changes the lake; a run that raised makes the tests of that run (and of later runs
that need it) fail with its error.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

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
    wait_until,
)
from socialbeat.settings import PROJECT_ROOT, load_settings

H1 = datetime(2024, 3, 11, 10)  # 17:00 in Ho Chi Minh City
H2 = datetime(2024, 3, 11, 11)
MENTIONS_PER_HOUR = 40
CLUSTER = PROJECT_ROOT / "infra" / "spark" / "cluster.sh"
MASTER_PORT, UI_PORT = 17077, 18090  # not the defaults: a developer's own `make cluster-up` may run


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

    def rows(self, name: str) -> list[dict[str, Any]]:
        """A table's rows as the first run left them (the lake itself moves on with later runs)."""
        return [json.loads(row) for row in self.first_snapshot[name]]

    def new_home(self, name: str, **kwargs: Any) -> AirflowHome:
        return make_home(self.root / name, self.template_db, self.lake, self.landing, self.state, **kwargs)


@dataclass
class DagRun:
    """One finished `airflow dags test`: its home (logs, failure records), exit code, task states,
    and every lake table right after it."""

    home: AirflowHome
    rc: int
    states: dict[str, tuple[str | None, int]]
    snapshot: dict[str, list[str]]
    log_name: str

    def log(self) -> str:
        return self.home.log(self.log_name)


@dataclass
class ClusterRun(DagRun):
    master: str = ""
    applications: frozenset[str] = frozenset()  # the applications the workers ran (one per job)


@dataclass
class TwoHours:
    second: DagRun  # H2: landing, bronze, silver
    again: DagRun  # H1: silver again, at the same time


def link_models(lake: Path) -> None:
    """The trained models of the project lake (`make models`), read-only, in a test lake."""
    models = Path(load_settings(profile="local").lake_uri) / "models"
    if not (models / "sentiment" / "current").exists():
        raise RuntimeError(f"no trained models in {models}: run `make models-if-missing` (make test does)")
    lake.mkdir(parents=True, exist_ok=True)
    (lake / "models").symlink_to(models)


def _finished(home: AirflowHome, rc: int, log_name: str, lake: Path) -> DagRun:
    return DagRun(home, rc, home.task_states(), snapshot(lake), log_name)


class DagScenarios:
    """The four runs above, one after another in a daemon thread; `result(name)` waits for one."""

    STEPS = ("world", "cluster", "breach", "two_hours")

    def __init__(self, root: Path) -> None:
        self.root = root
        self._futures: dict[str, Future[Any]] = {name: Future() for name in self.STEPS}
        self._thread = threading.Thread(target=self._run, name="dag-scenarios", daemon=True)

    def start(self) -> DagScenarios:
        self._thread.start()
        return self

    def result(self, name: str, timeout_s: float = 4 * DAG_RUN_TIMEOUT_S) -> Any:
        return self._futures[name].result(timeout=timeout_s)

    def join(self, timeout_s: float) -> None:
        self._thread.join(timeout=timeout_s)

    def _run(self) -> None:
        for name, future in self._futures.items():  # in STEPS order; step `x` is the method `_x`
            future.set_running_or_notify_cancel()
            try:
                future.set_result(getattr(self, f"_{name}")())
            except BaseException as error:  # handed to the tests that wait for it
                future.set_exception(error)

    def _world(self) -> HourlyWorld:
        from socialbeat.orchestration.package import build
        from socialbeat.simulator.runner import simulate

        root = self.root
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

    def _cluster(self) -> ClusterRun:
        world: HourlyWorld = self.result("world")
        cluster_home = self.root / "spark-cluster"
        env = {
            **os.environ,
            "SPARK_CLUSTER_HOME": str(cluster_home),
            "SPARK_MASTER_PORT": str(MASTER_PORT),
            "SPARK_MASTER_WEBUI_PORT": str(UI_PORT),
            "SPARK_WORKER_MEMORY": "1500m",
        }
        master = f"spark://127.0.0.1:{MASTER_PORT}"
        subprocess.run([str(CLUSTER), "up"], env=env, check=True, timeout=300)
        try:
            home = world.new_home("cluster", spark_master=master, profile="standalone")
            rc = home.run(HOURLY, hour_end(H1), log_name="cluster")
            applications = frozenset(p.name for p in cluster_home.glob("worker-*/app-*"))
            run = _finished(home, rc, "cluster", world.lake)
        finally:
            subprocess.run([str(CLUSTER), "down"], env=env, check=False, timeout=120)
        return ClusterRun(**vars(run), master=master, applications=applications)

    def _breach(self) -> DagRun:
        """H1's silver with a rule no row can meet (nothing may be created before 2030)."""
        world: HourlyWorld = self.result("world")
        home = world.new_home("breach")
        rc = home.run(
            HOURLY,
            hour_end(H1),
            mark_success="wait_for_landing|bronze",
            log_name="breach",
            extra_env={"SOCIALBEAT_INGEST__EARLIEST_CREATED_AT": "2030-01-01T00:00:00Z"},
        )
        return _finished(home, rc, "breach", world.lake)

    def _two_hours(self) -> TwoHours:
        """H2 (landing, bronze, silver) and, once H2's bronze is done, H1's silver again: two DAG runs
        in two Airflow homes over one lake, like max_active_runs=2."""
        world: HourlyWorld = self.result("world")
        second, again = world.new_home("second-hour"), world.new_home("first-again")
        h2 = second.dags_test(HOURLY, hour_end(H2), mark_success="enrich|gold|publish", log_name="h2")
        bronze_done = lambda: "end task task_id=bronze" in second.log("h2")  # noqa: E731
        if not wait_until(bronze_done, timeout_s=900, interval_s=0.5):
            h2.kill()
            raise TimeoutError(f"H2's bronze never finished: {second.log('h2')[-3000:]}")
        h1 = again.dags_test(
            HOURLY, hour_end(H1), mark_success="wait_for_landing|bronze|enrich|gold|publish", log_name="h1"
        )
        rc2, rc1 = h2.wait(timeout=DAG_RUN_TIMEOUT_S), h1.wait(timeout=DAG_RUN_TIMEOUT_S)
        return TwoHours(
            DagRun(second, rc2, second.task_states(), {}, "h2"),
            DagRun(again, rc1, again.task_states(), {}, "h1"),
        )
