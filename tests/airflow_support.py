"""Real Airflow DAG runs for the DAG tests: an embedded Airflow per test home (SQLite), the project
DAGs, `airflow dags test` as a subprocess, and the lake tables read back with delta-rs.

Each home gets a copy of one migrated metadata database (migrating costs seconds), so two runs can go
at once without sharing SQLite. Task states come from that database.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from socialbeat.landing import format_hour
from socialbeat.settings import PROJECT_ROOT
from socialbeat.tables import delta_rs_uri, registry

VENV_BIN = Path(sys.executable).parent
DAG_RUN_TIMEOUT_S = 900
HOURLY = "socialbeat_hourly"


def java_home() -> str:
    out = subprocess.run(
        [str(PROJECT_ROOT / "infra/setup/system.sh"), "--java-home"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


@dataclass
class AirflowHome:
    """One embedded Airflow: its folder, its environment (a lake and landing zone), its runs."""

    path: Path
    env: dict[str, str]

    @property
    def db(self) -> Path:
        return self.path / "airflow.db"

    def dags_test(
        self,
        dag_id: str,
        logical_date: datetime,
        mark_success: str | None = None,
        extra_env: dict[str, str] | None = None,
        log_name: str = "run",
    ) -> subprocess.Popen[str]:
        """Start `airflow dags test`; its output goes to <home>/<log_name>.log."""
        command = [str(VENV_BIN / "airflow"), "dags", "test", dag_id, logical_date.isoformat()]
        if mark_success:
            command += ["--mark-success-pattern", mark_success]
        log = (self.path / f"{log_name}.log").open("w", encoding="utf-8")
        return subprocess.Popen(
            command,
            env={**self.env, **(extra_env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=self.path,
        )

    def run(self, dag_id: str, logical_date: datetime, **kwargs: Any) -> int:
        process = self.dags_test(dag_id, logical_date, **kwargs)
        return process.wait(timeout=DAG_RUN_TIMEOUT_S)

    def log(self, log_name: str = "run") -> str:
        return (self.path / f"{log_name}.log").read_text(encoding="utf-8", errors="replace")

    def task_states(self, dag_id: str = HOURLY) -> dict[str, tuple[str | None, int]]:
        """task_id -> (state, try_number) of the latest run of the DAG."""
        with sqlite3.connect(self.db) as db:
            rows = db.execute(
                "SELECT task_id, state, try_number FROM task_instance WHERE dag_id = ? AND run_id = "
                "(SELECT run_id FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1)",
                (dag_id, dag_id),
            ).fetchall()
        return {task: (state, tries) for task, state, tries in rows}

    def failures(self) -> list[dict[str, Any]]:
        path = Path(self.env["SOCIALBEAT_ORCHESTRATION__FAILURE_LOG"])
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def migrated_template(folder: Path, env: dict[str, str]) -> Path:
    """An Airflow metadata database migrated once, to be copied into each home."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(VENV_BIN / "airflow"), "db", "migrate"],
        env={**env, **_airflow_vars(folder)},
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    return folder / "airflow.db"


def _airflow_vars(home: Path, spark_master: str = "local[*]") -> dict[str, str]:
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW_CONN_SPARK_DEFAULT": json.dumps({"conn_type": "spark", "host": spark_master}),
    }


def base_env() -> dict[str, str]:
    """The environment of an Airflow worker on this machine (Java, the venv's spark-submit)."""
    java = java_home()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOCIALBEAT_", "AIRFLOW", "PYSPARK_"))}
    env.update(
        {
            "JAVA_HOME": java,
            "PATH": f"{java}/bin:{VENV_BIN}:{env.get('PATH', '')}",
            "SPARK_LOCAL_IP": "127.0.0.1",
            "PYSPARK_PYTHON": sys.executable,
            "GX_ANALYTICS_ENABLED": "false",
        }
    )
    return env


def make_home(
    path: Path,
    template_db: Path,
    lake: Path,
    landing: Path,
    state: Path,
    spark_master: str = "local[*]",
    profile: str = "local",
) -> AirflowHome:
    """A fresh Airflow home whose DAGs read `landing` and write `lake`; tiny-data settings."""
    path.mkdir(parents=True, exist_ok=True)
    shutil.copy(template_db, path / "airflow.db")
    env = {
        **base_env(),
        **_airflow_vars(path, spark_master),
        "SOCIALBEAT_PROFILE": profile,
        "SOCIALBEAT_LANDING": str(landing),
        "SOCIALBEAT_LAKE": str(lake),
        "SOCIALBEAT_STATE_DIR": str(state),
        "SOCIALBEAT_SPARK__JARS_DIR": str(PROJECT_ROOT / ".state" / "jars"),
        "SOCIALBEAT_ORCHESTRATION__PY_FILES": str(path.parent / "socialbeat.zip"),
        "SOCIALBEAT_SPARK__DRIVER_MEMORY": "2g",
        "SOCIALBEAT_SPARK__CONF__SPARK.SQL.SHUFFLE.PARTITIONS": "2",
        "SOCIALBEAT_SPARK__CONF__SPARK.DEFAULT.PARALLELISM": "2",
        "SOCIALBEAT_ORCHESTRATION__RETRY_DELAY_SECONDS": "1",
        "SOCIALBEAT_ORCHESTRATION__FAILURE_LOG": str(path / "failures.jsonl"),
        "SOCIALBEAT_ORCHESTRATION__LANDING_POKE_SECONDS": "1",
    }
    return AirflowHome(path, env)


def hour_end(hour: datetime) -> datetime:
    """The logical date of a manual run whose data interval is the crawl hour `hour` (Airflow infers
    a manual run's interval as the one that ends at its logical date)."""
    from datetime import UTC

    return (hour + timedelta(hours=1)).replace(tzinfo=UTC)


# --- the lake, read back without Spark ------------------------------------------------------------


def lake_tables(lake: Path) -> list[str]:
    """The registered tables that exist in the lake: bronze, silver, gold, ..."""
    return sorted(name for name in registry() if _exists(lake, name))


def _canonical(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, list):
        items = [_canonical(v) for v in value]
        if items and all(isinstance(v, tuple | list) and len(v) == 2 for v in value):
            return sorted(items, key=lambda kv: json.dumps(kv, default=str))  # a map: order is not data
        return items
    if isinstance(value, tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in sorted(value.items())}
    return value


def table_rows(lake: Path, name: str) -> list[dict[str, Any]]:
    from deltalake import DeltaTable

    location = delta_rs_uri(registry()[name].location(str(lake)))
    return [_canonical(row) for row in DeltaTable(location).to_pyarrow_table().to_pylist()]


def snapshot(lake: Path, names: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Every row of each table (default: every table in the lake) as sorted canonical JSON: equal
    snapshots hold exactly the same rows (nothing lost, nothing duplicated), whatever the files and
    commits underneath."""
    return {
        name: sorted(json.dumps(r, default=str, sort_keys=True) for r in table_rows(lake, name))
        for name in (lake_tables(lake) if names is None else names)
    }


def delta_version(lake: Path, name: str) -> int:
    from deltalake import DeltaTable

    return int(DeltaTable(delta_rs_uri(registry()[name].location(str(lake)))).version())


def log_version(lake: Path, name: str) -> int:
    """The latest version in a table's _delta_log, from its file names (cheap enough to poll)."""
    folder = Path(registry()[name].location(str(lake))) / "_delta_log"
    return max((int(p.stem) for p in folder.glob("*.json") if p.stem.isdigit()), default=-1)


def _table_root(lake: Path, name: str) -> Path:
    return Path(registry()[name].location(str(lake)))


def data_files(lake: Path, name: str) -> set[str]:
    """The Parquet files in a table's folder (committed or not), relative to it."""
    root = _table_root(lake, name)
    return {str(p.relative_to(root)) for p in root.rglob("*.parquet") if "_delta_log" not in p.parts}


def _log_text(lake: Path, name: str) -> str:
    # The log is read as text: every version's `add` actions count, not just the live files.
    log = _table_root(lake, name) / "_delta_log"
    return "".join(p.read_text(encoding="utf-8") for p in log.glob("*.json"))


def uncommitted_files(lake: Path, name: str) -> list[str]:
    """Data files in a table's folder that no version of its Delta log adds (a write cut short)."""
    log_text = _log_text(lake, name)
    return sorted(f for f in data_files(lake, name) if f not in log_text)


class MidWriteKiller(threading.Thread):
    """Watch a DAG run (`airflow dags test` with pid `run_pid`); when the spark-submit JVM of
    jobs/<job>.py has written data files into `table` that its Delta log does not name yet (a write in
    flight, before its commit), SIGKILL that JVM. `result` says what was killed and when."""

    def __init__(self, run_pid: int, lake: Path, job: str, table: str) -> None:
        super().__init__(daemon=True)
        self.run_pid, self.lake, self.job, self.table = run_pid, lake, job, table
        self.result: dict[str, Any] = {}
        self.start()

    def _jvm(self) -> Any:
        import psutil

        for child in psutil.Process(self.run_pid).children(recursive=True):
            try:
                command = " ".join(child.cmdline())
            except psutil.Error:
                continue
            if "org.apache.spark.deploy.SparkSubmit" in command and f"jobs/{self.job}.py" in command:
                return child
        return None

    def run(self) -> None:
        import psutil

        try:
            if not wait_until(lambda: self._jvm() is not None, timeout_s=DAG_RUN_TIMEOUT_S, interval_s=0.2):
                return
            jvm = self._jvm()
            before = (
                set(uncommitted_files(self.lake, self.table)) if _exists(self.lake, self.table) else set()
            )
            version = log_version(self.lake, self.table) if _exists(self.lake, self.table) else -1

            known = data_files(self.lake, self.table) if _exists(self.lake, self.table) else set()

            def in_flight() -> bool:
                """A data file the log does not name. The log is read only when a new file appears, so
                that polling costs one directory listing."""
                if not _exists(self.lake, self.table):
                    return False
                fresh = data_files(self.lake, self.table) - known
                if not fresh:
                    return False
                log_text = _log_text(self.lake, self.table)
                known.update(f for f in fresh if f in log_text)  # committed already
                return any(f not in log_text for f in fresh)

            if jvm is not None and wait_until(in_flight, timeout_s=DAG_RUN_TIMEOUT_S, interval_s=0.01):
                os.kill(jvm.pid, signal.SIGKILL)
                self.result = {
                    "pid": jvm.pid,
                    "uncommitted": sorted(set(uncommitted_files(self.lake, self.table)) - before),
                    "version_before": version,
                    "version_at_kill": log_version(self.lake, self.table),
                }
        except psutil.Error:  # the run ended first
            return


def _exists(lake: Path, name: str) -> bool:
    return (_table_root(lake, name) / "_delta_log").is_dir()


def wait_until(predicate: Any, timeout_s: float, interval_s: float = 0.005) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval_s)
    return False


def crawl_hours(hours: Iterable[datetime]) -> list[str]:
    return [format_hour(h) for h in hours]
