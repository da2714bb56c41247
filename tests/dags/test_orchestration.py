"""The orchestration pieces without a DAG run: submission arguments, why a job failed, the failure
sinks, the landing sensor's check, the package zip, the CLI's gate-breach exit."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from socialbeat.jobfailure import EXIT_CODES, GATE_BREACH, failure_line, parse_failure_line
from socialbeat.orchestration import failures
from socialbeat.orchestration.errors import GateBreached, JobFailed
from socialbeat.orchestration.operators import job_failure
from socialbeat.orchestration.package import build
from socialbeat.orchestration.schedule import day_span_hours, rescore_requested, vietnam_date
from socialbeat.orchestration.submit import application_exists, forwarded_env, submit_args
from socialbeat.settings import PROJECT_ROOT, Settings

pytestmark = pytest.mark.fast


def _settings(settings: Settings, **orchestration: Any) -> Settings:
    return settings.model_copy(
        update={"orchestration": settings.orchestration.model_copy(update=orchestration)}
    )


def test_submit_args_leave_the_master_to_the_connection(settings: Settings) -> None:
    args = submit_args(
        _settings(settings, jars="submit", driver_java_options="-XX:TieredStopAtLevel=1"),
        "silver",
        ["--hour", "2024-03-11T10"],
    )
    assert args.application == str(PROJECT_ROOT / "jobs" / "silver.py")
    assert args.application_args == ["--hour", "2024-03-11T10"]
    assert not {"spark.master", "spark.jars", "spark.app.name", "spark.driver.memory"} & set(args.conf)
    assert args.conf["spark.sql.extensions"] == "io.delta.sql.DeltaSparkSessionExtension"
    options = args.conf["spark.driver.extraJavaOptions"]
    assert "-Dderby.system.home=" in options and "-XX:TieredStopAtLevel=1" in options
    assert f"-Dlog4j2.configurationFile={PROJECT_ROOT}/infra/spark/log4j2.properties" in options
    assert args.jars and all(j.endswith(".jar") for j in args.jars.split(","))
    assert args.driver_class_path is None
    assert args.py_files == str(PROJECT_ROOT / "dist" / "socialbeat.zip")
    assert args.env_vars["SOCIALBEAT_LAKE"] == settings.lake_uri  # resolved where the DAGs run


def test_jar_modes(settings: Settings) -> None:
    on_classpath = submit_args(_settings(settings, jars="classpath"), "enrich", [])
    assert on_classpath.jars is None and on_classpath.driver_class_path
    assert on_classpath.conf["spark.executor.extraClassPath"] == on_classpath.driver_class_path
    image = submit_args(
        _settings(
            settings, jars="image", jobs_dir="local:///opt/socialbeat/jobs", py_files="", log4j_config=""
        ),
        "enrich",
        [],
    )
    assert image.jars is None and image.driver_class_path is None and image.py_files is None
    assert image.application == "local:///opt/socialbeat/jobs/enrich.py" and application_exists(
        image.application
    )
    with pytest.raises(ValueError, match=r"orchestration\.jars"):
        submit_args(_settings(settings, jars="maven"), "enrich", [])


def test_only_non_secret_socialbeat_variables_are_forwarded() -> None:
    env = {
        "SOCIALBEAT_LAKE": "/l",
        "SOCIALBEAT_PII__SECRET": "k",
        "SOCIALBEAT_S3__SECRET_ACCESS_KEY": "s",
        "SOCIALBEAT_S3__ACCESS_KEY_ID": "a",
        "HOME": "/root",
    }
    assert forwarded_env(env) == {"SOCIALBEAT_LAKE": "/l"}


def test_the_reason_of_a_failed_job_is_read_from_its_output() -> None:
    line = failure_line(
        GATE_BREACH, "quality gate breached for silver.mentions: 9/9 rows failed", table="silver.mentions"
    )
    assert parse_failure_line(f"2026-12-04 INFO hook: {line}")["table"] == "silver.mentions"  # type: ignore[index]
    breach = job_failure(
        "silver", RuntimeError(f"Cannot execute: spark-submit ... Error code is: 3.\n{line}")
    )
    assert isinstance(breach, GateBreached) and breach.failed_table == "silver.mentions"
    assert breach.kind == GATE_BREACH and "9/9 rows failed" in breach.reason
    bare = job_failure("silver", RuntimeError(f"Error code is: {EXIT_CODES[GATE_BREACH]}."))
    assert isinstance(bare, GateBreached)
    killed = job_failure("silver", RuntimeError("Cannot execute: x. Error code is: -9.\nLast output:\nok"))
    assert type(killed) is JobFailed and killed.reason == "jobs/silver.py was killed (signal 9)"
    crashed = job_failure(
        "enrich",
        RuntimeError(
            "Error code is: 1.\nTraceback (most recent call last):\n  File x\n"
            "socialbeat.nlp.registry.ModelNotFoundError: no current 'sentiment' model"
        ),
    )
    assert crashed.reason == (
        "jobs/enrich.py exited with code 1: socialbeat.nlp.registry.ModelNotFoundError: "
        "no current 'sentiment' model"
    )


class _Task:
    retries = 2


class _TaskInstance:
    dag_id, task_id, run_id, try_number, log_url = "socialbeat_hourly", "silver", "manual__x", 3, None
    task = _Task()


def _context(error: BaseException) -> dict[str, Any]:
    import pendulum  # what Airflow puts in a task's context (its deep copy used to drop the zone)

    return {
        "ti": _TaskInstance(),
        "exception": error,
        "data_interval_start": pendulum.datetime(2024, 3, 11, 10, tz="UTC"),
        "data_interval_end": pendulum.datetime(2024, 3, 11, 11, tz="UTC"),
    }


def test_log_and_table_sinks_record_why(settings: Settings, tmp_path: Path) -> None:
    chosen = _settings(settings, failure_sink="log,table", failure_log=str(tmp_path / "f.jsonl"))
    error = GateBreached(GATE_BREACH, "quality gate breached for silver.mentions: ...", "silver.mentions")
    failures.report_failure(_context(error), final=True, settings=chosen)
    failures.report_failure(_context(TimeoutError("took too long")), final=False, settings=chosen)

    logged = [json.loads(x) for x in (tmp_path / "f.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["kind"], r["final"], r["failed_table"]) for r in logged] == [
        ("gate_breach", True, "silver.mentions"),
        ("timeout", False, None),
    ]
    assert logged[0]["max_tries"] == 3 and logged[0]["data_interval_start"] == "2024-03-11T10:00:00+00:00"

    from deltalake import DeltaTable

    from socialbeat.tables import table

    rows = DeltaTable(table("ops.task_failures").location(chosen.lake_uri)).to_pyarrow_table().to_pylist()
    assert sorted(r["kind"] for r in rows) == ["gate_breach", "timeout"]
    assert all(str(r["failed_date"]) == r["failed_at"].date().isoformat() for r in rows)


def broken_sink(record: failures.FailureRecord) -> None:
    raise RuntimeError("the pager is down")


collected: list[failures.FailureRecord] = []


def collecting_sink(record: failures.FailureRecord) -> None:
    collected.append(record)


def test_custom_sinks_and_a_broken_sink_never_raise(settings: Settings) -> None:
    module = __name__
    chosen = _settings(settings, failure_sink=f"{module}:broken_sink,{module}:collecting_sink")
    failures.report_failure(_context(JobFailed("job_failed", "boom")), final=True, settings=chosen)
    assert [r.reason for r in collected] == ["boom"]
    with pytest.raises(ValueError, match="unknown failure sink"):
        failures.sinks(_settings(settings, failure_sink="pager"))


def test_calendar_helpers() -> None:
    assert vietnam_date(datetime(2024, 3, 11, 16, 59, tzinfo=UTC)) == "2024-03-11"
    assert vietnam_date(datetime(2024, 3, 11, 17, 0, tzinfo=UTC)) == "2024-03-12"
    assert day_span_hours("2024-03-11", "2024-03-12") == 48
    assert rescore_requested("", "") is False and rescore_requested("2024-03-11", "2024-03-11") is True
    with pytest.raises(ValueError, match="both"):
        rescore_requested("2024-03-11", "")
    with pytest.raises(ValueError, match="before"):
        rescore_requested("2024-03-12", "2024-03-11")


def test_the_package_zip_runs_the_jobs_code_from_an_extracted_copy(tmp_path: Path) -> None:
    """Imported from the zip (as with --py-files), the package finds its settings, table definitions
    and dictionaries; the same sources give the same bytes."""
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    assert build(first) == build(second)
    names = zipfile.ZipFile(first).namelist()
    assert "socialbeat/cli.py" in names and "socialbeat/_schemas/tables/silver.mentions.yaml" in names
    assert "_project/infra/config/socialbeat.yaml" in names and not [n for n in names if "__pycache__" in n]
    probe = (
        "import socialbeat, socialbeat.settings as s, socialbeat.tables as t;"
        "from socialbeat.silver.normalize import load_teencode;"
        "print(socialbeat.__file__, s.DEFAULT_CONFIG.is_file(), len(t.registry()) > 5,"
        " len(load_teencode(None)) > 0)"
    )
    out = subprocess.run(
        [sys.executable, "-S", "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": f"{first}:{_site_packages()}"},
        check=True,
    )
    origin, config, tables, teencode = out.stdout.split()
    assert origin.startswith(str(first)) and (config, tables, teencode) == ("True", "True", "True")


def _site_packages() -> str:
    """The venv's third-party packages without the editable install of this checkout."""
    import yaml

    return str(Path(yaml.__file__).parents[1])


def test_failure_lines_are_parsed_strictly() -> None:
    """(A real breach, from the silver job through spark-submit to the task, is in test_hourly_dag.)"""
    assert parse_failure_line("no marker here") is None
    assert parse_failure_line("socialbeat-failure: not json") is None
    assert parse_failure_line('socialbeat-failure: {"message": "no kind"}') is None
