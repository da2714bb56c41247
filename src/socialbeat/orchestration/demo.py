"""`make demo`: simulate crawl hours, run socialbeat_hourly for each through Airflow, summarise.

Each hour is one real DAG run (`airflow dags test socialbeat_hourly <end of the hour>`: Airflow's
own runner, the embedded SQLite metadata database, the SparkSubmitOperator tasks). Progress is
printed per task as it happens; each run's full log is kept in .state/demo/. At the end: the lake's
tables, the gold layer, the HTML briefing's path and where the time went.

    python -m socialbeat.orchestration.demo --start 2024-03-11T10 --hours 6 --rate 2000
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from socialbeat.landing import format_hour, parse_hour
from socialbeat.settings import Settings, load_settings

DAG_ID = "socialbeat_hourly"
_TASK_START = re.compile(r"\[DAG TEST\] starting task_id=(\w+)")
_TASK_END = re.compile(r"\[DAG TEST\] end task task_id=(\w+)")
_NEW_STATE = re.compile(r"new_state=(\w+)")
_FAILURE = re.compile(r"\[error\s*\] ((?:FAILED|will retry) .*?) \[socialbeat\.failures\]")
_JOB_SUMMARY = re.compile(r"\] (\{\"hour\": .*\})")


@dataclass
class HourRun:
    hour: str
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # user + system of the run and every process it waited for (the JVMs)
    ok: bool = False
    task_seconds: dict[str, float] = field(default_factory=dict)
    task_state: dict[str, str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def _say(text: str, out: TextIO = sys.stdout) -> None:
    print(text, file=out, flush=True)


def airflow_command(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("airflow")), *args]


def ensure_metadata_db() -> float:
    """`airflow db migrate` once per AIRFLOW_HOME; the seconds it took."""
    home = Path(os.environ.get("AIRFLOW_HOME", ".state/airflow"))
    home.mkdir(parents=True, exist_ok=True)
    if (home / "airflow.db").exists():
        return 0.0
    started = time.monotonic()
    subprocess.run(airflow_command("db", "migrate"), check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def run_hour(hour: datetime, log_dir: Path) -> HourRun:
    """One DAG run for the crawl hour; prints each task as it starts and ends."""
    label = format_hour(hour)
    run = HourRun(label)
    # Airflow infers a manual run's data interval as the hour that ends at its logical date.
    logical_date = (hour + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    log_path = log_dir / f"{DAG_ID}-{label}.log"
    started = time.monotonic()
    cpu_before = _children_cpu()
    task_started: dict[str, float] = {}
    state = "?"
    with (
        log_path.open("w", encoding="utf-8") as log,
        subprocess.Popen(
            airflow_command("dags", "test", DAG_ID, logical_date),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        ) as process,
    ):
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            if match := _TASK_START.search(line):
                task_started[match.group(1)] = time.monotonic()
                state = "?"
                _say(f"  {label}  {match.group(1):<17} running ...")
            elif match := _NEW_STATE.search(line):
                state = match.group(1)
            elif match := _TASK_END.search(line):
                task = match.group(1)
                seconds = time.monotonic() - task_started.get(task, started)
                run.task_seconds[task] = run.task_seconds.get(task, 0.0) + seconds
                run.task_state[task] = state
                _say(f"  {label}  {task:<17} {state:<13} {seconds:6.1f} s")
            elif match := _FAILURE.search(line):
                run.failures.append(match.group(1))
                _say(f"  {label}  ! {match.group(1)}")
            elif match := _JOB_SUMMARY.search(line):
                _say(f"  {label}    {_compact(match.group(1))}")
        returncode = process.wait()
    run.seconds = time.monotonic() - started
    run.cpu_seconds = _children_cpu() - cpu_before
    run.ok = returncode == 0
    return run


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _compact(summary: str, limit: int = 150) -> str:
    try:
        data = json.loads(summary)
    except ValueError:
        return summary[:limit]
    kept = {k: v for k, v in data.items() if not isinstance(v, dict | list) and k != "hour"}
    text = ", ".join(f"{k}={v}" for k, v in kept.items())
    return text[:limit]


def print_tables(settings: Settings) -> None:
    """Every lake table with its Delta version and rows (delta-rs: no JVM), gold last and in full."""
    from socialbeat.tables import registry, table_state

    _say("\nLake tables")
    for definition in sorted(registry().values(), key=lambda d: (d.layer == "gold", d.name)):
        state = table_state(definition, settings)
        rows = f"{state.rows:>9} rows  v{state.version}" if state.exists else "(not created)"
        _say(f"  {definition.name:<28} {rows}")
    gold = [d for d in registry().values() if d.layer == "gold"]
    if not gold:
        _say("  (no gold tables in this build: the gold layer lands with the gold branch)")


def gold_sample(settings: Settings, rows: int = 5) -> None:
    """The first rows of each gold table, so that the demo shows what the city would read."""
    from deltalake import DeltaTable
    from deltalake.exceptions import TableNotFoundError

    from socialbeat.tables import delta_rs_uri, delta_storage_options, registry

    for definition in sorted((d for d in registry().values() if d.layer == "gold"), key=lambda d: d.name):
        try:
            delta = DeltaTable(
                delta_rs_uri(definition.location(settings.lake_uri)),
                storage_options=delta_storage_options(settings.s3),
            )
        except TableNotFoundError:
            continue
        sample = delta.to_pyarrow_table().slice(0, rows).to_pylist()
        _say(f"\n{definition.name} (first {len(sample)} rows)")
        for row in sample:
            _say("  " + json.dumps(row, ensure_ascii=False, default=str)[:200])


def briefing(settings: Settings, day: str) -> tuple[str | None, float]:
    """Run the daily briefing for `day` (jobs/report.py); its path, or None when it is not built."""
    from socialbeat.orchestration.submit import application_exists, job_path

    if not application_exists(job_path(settings, "report")):
        _say("\nno HTML briefing: jobs/report.py is not in this build (it lands with the gold layer)")
        return None, 0.0
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


def breakdown(steps: dict[str, float], runs: list[HourRun]) -> None:
    by_task: dict[str, list[float]] = defaultdict(list)
    for run in runs:
        for task, seconds in run.task_seconds.items():
            by_task[task].append(seconds)
    _say("\nTime (wall clock)")
    for step, seconds in steps.items():
        _say(f"  {step:<34} {seconds:7.1f} s")
    for task, values in by_task.items():
        _say(f"    task {task:<17} {sum(values):7.1f} s in all, {sum(values) / len(values):6.1f} s per hour")
    _say(f"  {'total':<34} {sum(steps.values()):7.1f} s")


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
    log_dir = settings.state_path / "demo"
    log_dir.mkdir(parents=True, exist_ok=True)

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

    _say(f"2/4 embedded Airflow in {os.environ.get('AIRFLOW_HOME')} (SQLite)")
    steps["airflow db migrate"] = ensure_metadata_db()

    _say(f"3/4 {DAG_ID}: one DAG run per hour (logs in {log_dir})")
    runs = []
    for hour in hours:
        run = run_hour(hour, log_dir)
        runs.append(run)
        verdict = (
            "succeeded" if run.ok else "stopped at jobs not in this build" if _acceptable(run) else "FAILED"
        )
        _say(f"  {run.hour}  DAG run {verdict} in {run.seconds:.1f} s ({run.cpu_seconds:.0f} s of CPU)")
    steps[f"socialbeat_hourly x {len(runs)} hours"] = sum(r.seconds for r in runs)
    _say(f"    CPU of the DAG runs: {sum(r.cpu_seconds for r in runs):.0f} s (2 cores; the wall clock also")
    _say(f"    counts waiting for other processes: load average {os.getloadavg()[0]:.1f} now)")

    _say("4/4 summary")
    began = time.monotonic()
    print_tables(settings)
    gold_sample(settings)
    steps["summary"] = time.monotonic() - began
    path, seconds = briefing(settings, _vietnam_day(hours[-1]))
    if seconds:
        steps["briefing (jobs/report.py)"] = seconds
    if path:
        _say(f"\nHTML briefing: {path}")
    breakdown(steps, runs)
    return 0 if all(_acceptable(run) for run in runs) else 1


def _vietnam_day(hour: datetime) -> str:
    from socialbeat.orchestration.schedule import vietnam_date

    return vietnam_date(hour.replace(tzinfo=UTC))


_MISSING_JOB = re.compile(r"FAILED \w+\.(\w+) .*\(job_missing\)")


def _acceptable(run: HourRun) -> bool:
    """A run is fine when it succeeded, or when the only tasks that failed are jobs not in this build
    yet (their downstream tasks are then upstream_failed and never start)."""
    if run.ok:
        return True
    missing = {m.group(1) for line in run.failures if (m := _MISSING_JOB.search(line))}
    failed = {task for task, state in run.task_state.items() if state == "failed"}
    return bool(failed) and failed <= missing


if __name__ == "__main__":
    sys.exit(main())
