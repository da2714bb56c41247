"""`make demo`: simulate crawl hours, let Airflow's scheduler run socialbeat_hourly over them, summarise.

The hours are a catch-up, as after an outage: an embedded Airflow (SQLite, LocalExecutor, in
`<state_dir>/demo/airflow`, made afresh each time) starts its DAG processor, scheduler and API
server; the hourly DAG's start and end dates are the simulated hours, and unpausing it lets the
scheduler create one DAG run per hour, two at a time (`max_active_runs=2`, each run's gold one at a
time), with the real operators, retries and callbacks. Progress is printed per task as the metadata
database records it. At the end: the lake's tables, the gold summary, the HTML briefing's path and
where the time went.

    python -m socialbeat.orchestration.demo --start 2024-03-11T10 --hours 6 --rate 2000
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from socialbeat.landing import format_hour, parse_hour
from socialbeat.orchestration.services import STARTUP_TIMEOUT_S, airflow_command, api_healthy, stop_groups
from socialbeat.settings import Settings, load_settings

DAG_ID = "socialbeat_hourly"
SERVICES = ("dag-processor", "scheduler", "api-server")
FINISHED = {"success", "failed", "upstream_failed", "skipped", "removed"}
RUN_TIMEOUT_S = 4 * 3600
_JOB_SUMMARY = re.compile(r'(\{"hours?": .*\})')


@dataclass
class TaskRun:
    hour: str
    task: str
    state: str
    seconds: float


@dataclass
class CatchUp:
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # user + system of Airflow and every process it waited for (the JVMs)
    tasks: list[TaskRun] = field(default_factory=list)
    runs: dict[str, str] = field(default_factory=dict)  # crawl hour -> DAG run state

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(state == "success" for state in self.runs.values())


def _say(text: str, out: TextIO = sys.stdout) -> None:
    print(text, file=out, flush=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def airflow_env(home: Path, first: datetime, last: datetime, port: int) -> dict[str, str]:
    """The demo Airflow's environment: its own home and SQLite database, and the hourly DAG bounded
    to the simulated hours (catchup creates exactly their runs)."""
    return {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        # The DAG files do not change during the demo: parse them once, not every 30 s.
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "3600",
        "SOCIALBEAT_ORCHESTRATION__START_DATE": format_hour(first),
        "SOCIALBEAT_ORCHESTRATION__END_DATE": format_hour(last),
    }


def _query(db: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as connection:
            return connection.execute(sql, args).fetchall()
    except sqlite3.OperationalError:  # not created yet, or busy: the next poll sees it
        return []


def _hour_of(value: object) -> str:
    return format_hour(datetime.fromisoformat(str(value)).replace(tzinfo=None))


def _seconds(start: object, end: object) -> float:
    if not start or not end:
        return 0.0
    return (datetime.fromisoformat(str(end)) - datetime.fromisoformat(str(start))).total_seconds()


def _job_summary(home: Path, run_id: str, task: str, attempt: int) -> str | None:
    """The job's one-line JSON report, from the task's log (Airflow writes JSON lines)."""
    folder = home / "logs" / f"dag_id={DAG_ID}" / f"run_id={run_id}" / f"task_id={task}"
    path = folder / f"attempt={attempt}.log"
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        try:
            text = str(json.loads(line).get("event", ""))
        except (ValueError, AttributeError):
            text = line
        if match := _JOB_SUMMARY.search(text):
            return _compact(match.group(1))
    return None


def _compact(summary: str, limit: int = 150) -> str:
    try:
        data = json.loads(summary)
    except ValueError:
        return summary[:limit]
    kept = {k: v for k, v in data.items() if not isinstance(v, dict | list) and k != "hour"}
    text = ", ".join(f"{k}={v}" for k, v in kept.items())
    return text[:limit]


class Airflow:
    """The demo's Airflow services, each in its own process group, logs in the home folder."""

    def __init__(self, home: Path, env: dict[str, str]) -> None:
        self.home, self.env = home, env
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def migrate(self) -> None:
        if self.home.exists():
            shutil.rmtree(self.home)
        self.home.mkdir(parents=True)
        self._run("db", "migrate")

    def _run(self, *args: str) -> None:
        subprocess.run(airflow_command(*args), env=self.env, check=True, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        for service in SERVICES:
            log = (self.home / f"{service}.log").open("wb")
            self.processes[service] = subprocess.Popen(
                airflow_command(service),
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_until_ready(self, port: int) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        db, url = self.home / "airflow.db", f"http://127.0.0.1:{port}"
        while not (api_healthy(url) and _query(db, "SELECT 1 FROM dag WHERE dag_id = ?", DAG_ID)):
            dead = [name for name, p in self.processes.items() if p.poll() is not None]
            if dead or time.monotonic() > deadline:
                why = ", ".join(dead) or "timeout"
                raise RuntimeError(f"Airflow did not come up ({why}); see the logs in {self.home}")
            time.sleep(2)

    def unpause(self) -> None:
        self._run("dags", "unpause", DAG_ID)

    def stop(self) -> None:
        stop_groups(self.processes.values(), timeout_s=60)


def watch(home: Path, hours: list[datetime]) -> CatchUp:
    """Print each task of each hour's DAG run as the scheduler moves it on, until every run ends."""
    db = home / "airflow.db"
    result = CatchUp()
    seen: dict[tuple[str, str], str] = {}
    wanted = {format_hour(h) for h in hours}
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        rows = _query(
            db,
            "SELECT dr.data_interval_start, dr.run_id, dr.state, ti.task_id, ti.state, ti.start_date, "
            "ti.end_date, ti.try_number FROM dag_run dr LEFT JOIN task_instance ti "
            "ON ti.dag_id = dr.dag_id AND ti.run_id = dr.run_id WHERE dr.dag_id = ? "
            "ORDER BY dr.data_interval_start, ti.start_date",
            DAG_ID,
        )
        changes = []
        for interval, run_id, run_state, task, state, start, end, tries in rows:
            hour = _hour_of(interval)
            result.runs[hour] = str(run_state)
            if task is None or state is None or seen.get((hour, str(task))) == state:
                continue
            seen[(hour, str(task))] = str(state)
            when = str(end or start or "")
            changes.append((when, hour, str(run_id), str(task), str(state), start, end, tries))
        for _, hour, run_id, task, state, start, end, tries in sorted(changes):  # in the order they happened
            _report(home, result, hour, run_id, task, state, start, end, int(str(tries or 1)))
        if wanted <= set(result.runs) and all(result.runs[h] in ("success", "failed") for h in wanted):
            return result
        time.sleep(2)
    raise TimeoutError(f"the DAG runs did not finish within {RUN_TIMEOUT_S} s")


def _report(
    home: Path, result: CatchUp, hour: str, run_id: str, task: str, state: str, start: object, end: object,
    attempt: int,
) -> None:  # fmt: skip
    if state == "running":
        _say(f"  {hour}  {task:<17} running ...")
        return
    if state not in FINISHED and state != "up_for_retry":
        return
    seconds = _seconds(start, end)
    result.tasks.append(TaskRun(hour, task, state, seconds))
    _say(f"  {hour}  {task:<17} {state:<15} {seconds:6.1f} s")
    summary = _job_summary(home, run_id, task, attempt) if state == "success" else None
    if summary:
        _say(f"  {hour}    {summary}")


def catch_up(settings: Settings, hours: list[datetime], steps: dict[str, float]) -> CatchUp:
    """Run socialbeat_hourly over `hours` with the scheduler; the services stop whatever happens."""
    import resource

    home = settings.state_path / "demo" / "airflow"
    port = _free_port()
    airflow = Airflow(home, airflow_env(home, hours[0], hours[-1], port))
    began = time.monotonic()
    airflow.migrate()
    steps["airflow db migrate"] = time.monotonic() - began
    cpu_before = sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2])
    began = time.monotonic()
    try:
        airflow.start()
        airflow.wait_until_ready(port)
        steps["airflow start (DAG processor, scheduler, API)"] = time.monotonic() - began
        _say(f"    scheduler up (UI and API on http://127.0.0.1:{port}); unpausing {DAG_ID}")
        began = time.monotonic()
        airflow.unpause()
        result = watch(home, hours)
        result.seconds = time.monotonic() - began
    finally:
        airflow.stop()
    result.cpu_seconds = sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2]) - cpu_before
    return result


def print_tables(settings: Settings) -> None:
    """Every lake table with its Delta version and rows (delta-rs: no JVM)."""
    from socialbeat.tables import registry, table_state

    _say("\nLake tables")
    for definition in sorted(registry().values(), key=lambda d: (d.layer == "gold", d.name)):
        state = table_state(definition, settings)
        rows = f"{state.rows:>9} rows  v{state.version}" if state.exists else "(not created)"
        _say(f"  {definition.name:<28} {rows}")


def briefing(settings: Settings, day: str) -> tuple[str | None, float]:
    """Run the daily briefing for `day` (jobs/report.py's command); its path and seconds."""
    started = time.monotonic()
    result = subprocess.run(
        [str(Path(sys.executable).with_name("socialbeat")), "report", "--date", day],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    if result.returncode != 0:
        _say(f"\nthe briefing failed (exit {result.returncode}):\n{result.stderr[-2000:]}")
        return None, seconds
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    return (lines[-1] if lines else None), seconds


def breakdown(steps: dict[str, float], result: CatchUp) -> None:
    by_task: dict[str, list[float]] = defaultdict(list)
    for run in result.tasks:
        by_task[run.task].append(run.seconds)
    _say("\nTime (wall clock)")
    for step, seconds in steps.items():
        _say(f"  {step:<46} {seconds:7.1f} s")
    for task, values in by_task.items():
        _say(f"    task {task:<17} {sum(values):7.1f} s in all, {sum(values) / len(values):6.1f} s per hour")
    _say(f"  {'total':<46} {sum(steps.values()):7.1f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--start", default="2024-03-11T10", help="first crawl hour (UTC)")
    parser.add_argument("--hours", type=int, default=6)
    parser.add_argument("--rate", type=int, default=2000, help="mentions per hour (simulator average)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    settings = load_settings()
    start = parse_hour(args.start)
    hours = [start + timedelta(hours=i) for i in range(args.hours)]
    steps: dict[str, float] = {}

    _say(f"1/4 simulating {args.hours} crawl hours from {format_hour(start)} at {args.rate} mentions/hour")
    began = time.monotonic()
    from socialbeat.simulator.runner import simulate

    summary = simulate(
        landing=settings.landing_uri,
        start=start,
        hours=args.hours,
        mentions_per_hour=args.rate,
        seed=args.seed,
        s3=settings.s3,
    )
    steps["simulate"] = time.monotonic() - began
    _say(f"    {summary.as_dict().get('total_lines', '?')} landing lines in {settings.landing_uri}")

    _say(f"2/4 embedded Airflow in {settings.state_path / 'demo' / 'airflow'} (SQLite, LocalExecutor)")
    _say(f"3/4 {DAG_ID}: the scheduler catches up {args.hours} hours, two DAG runs at a time")
    result = catch_up(settings, hours, steps)
    steps[f"{DAG_ID} x {len(hours)} hours"] = result.seconds
    verdicts = ", ".join(f"{hour} {state}" for hour, state in sorted(result.runs.items()))
    _say(f"    DAG runs: {verdicts}")
    _say(f"    CPU of Airflow and its jobs: {result.cpu_seconds:.0f} s over {result.seconds:.0f} s (2 cores)")

    _say("4/4 summary")
    began = time.monotonic()
    print_tables(settings)
    from socialbeat.gold.summary import summary_text

    _say("\n" + summary_text(settings))
    steps["summary"] = time.monotonic() - began
    path, seconds = briefing(settings, _vietnam_day(hours[-1]))
    steps["briefing (jobs/report.py)"] = seconds
    if path:
        _say(f"\nHTML briefing: {path}")
    breakdown(steps, result)
    return 0 if result.ok and path else 1


def _vietnam_day(hour: datetime) -> str:
    from socialbeat.orchestration.schedule import vietnam_date

    return vietnam_date(hour.replace(tzinfo=UTC))


if __name__ == "__main__":
    sys.exit(main())
