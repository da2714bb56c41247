"""The Airflow pieces the DAGs are wired from: a job task, the landing-hour sensor, task defaults.

- `SparkJobOperator` is the apache-spark provider's `SparkSubmitOperator` for one `jobs/<name>.py`.
  At run time (never at parse time) it fills in what settings say about the submission
  (`socialbeat.orchestration.submit`); the connection `orchestration.spark_conn_id` says where. When
  the job fails it fails the task with the reason: a quality gate breach (no retry, the downstream
  tasks do not run), a missing job file (no retry), or the job's last error line.
- `LandingHourSensor` waits until every expected source has its `_SUCCESS` manifest for the crawl
  hour (the data interval), on local disk or S3.
- `task_defaults` gives every task retries, a retry delay, an execution timeout and the failure
  callbacks.

Nothing here imports Spark or pandas.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk import BaseSensorOperator
from airflow.sdk.exceptions import AirflowFailException

from socialbeat.jobfailure import EXIT_CODES, GATE_BREACH, parse_failure_line
from socialbeat.landing import LandingStore, S3LandingStore, format_hour, open_landing
from socialbeat.orchestration.errors import GateBreached, JobFailed, JobMissing, Misconfigured
from socialbeat.orchestration.failures import on_task_failure, on_task_retry
from socialbeat.orchestration.submit import application_exists, submit_args
from socialbeat.settings import Settings, load_settings
from socialbeat.spark import MissingJarsError

_ERROR_LINE = re.compile(r"^(?:[\w.]+\.)?(\w+(?:Error|Exception|Breach)): (.+)$")
_EXIT_CODE = re.compile(r"Error code is: (-?\d+)")


def task_defaults(settings: Settings) -> dict[str, Any]:
    """default_args of every Socialbeat DAG: retries, delay, timeout and the failure callbacks."""
    orchestration = settings.orchestration
    return {
        "owner": "data-engineering",
        "retries": orchestration.retries,
        "retry_delay": timedelta(seconds=orchestration.retry_delay_seconds),
        "execution_timeout": timedelta(minutes=orchestration.timeout_minutes),
        "on_failure_callback": on_task_failure,
        "on_retry_callback": on_task_retry,
    }


def dag_arguments(settings: Settings) -> dict[str, Any]:
    """What every Socialbeat DAG shares: its start, the task defaults, the template filters."""
    from socialbeat.orchestration.schedule import TEMPLATE_FILTERS, end_date, start_date

    return {
        "start_date": start_date(settings),
        "end_date": end_date(settings),
        "default_args": task_defaults(settings),
        "user_defined_filters": TEMPLATE_FILTERS,
    }


def job_timeout(settings: Settings, job: str) -> timedelta:
    orchestration = settings.orchestration
    return timedelta(minutes=orchestration.timeouts_minutes.get(job, orchestration.timeout_minutes))


def job_failure(job: str, error: BaseException) -> JobFailed:
    """The reason a job's spark-submit failed, read from the provider's error (its output tail)."""
    text = str(error)
    for line in reversed(text.splitlines()):
        record = parse_failure_line(line)
        if record and record["kind"] == GATE_BREACH:
            return GateBreached(GATE_BREACH, str(record.get("message", "")), record.get("table"))
    code = _EXIT_CODE.search(text)
    exit_code = int(code.group(1)) if code else None
    if exit_code == EXIT_CODES[GATE_BREACH]:
        return GateBreached(GATE_BREACH, f"jobs/{job}.py stopped at a quality gate (exit code {exit_code})")
    last_error = next(
        (m.group(0) for line in reversed(text.splitlines()) if (m := _ERROR_LINE.match(line.strip()))), None
    )
    how = "was killed (signal 9)" if exit_code == -9 else f"exited with code {exit_code}"
    reason = f"jobs/{job}.py {how}" + (f": {last_error}" if last_error else "")
    return JobFailed("job_failed", reason)


class SparkJobOperator(SparkSubmitOperator):
    """spark-submit jobs/<job>.py with templated `job_args`, configured from settings at run time."""

    ui_color = "#e8f1fa"

    def __init__(self, *, job: str, job_args: Sequence[str] = (), **kwargs: Any) -> None:
        kwargs.setdefault("conn_id", load_settings().orchestration.spark_conn_id)
        super().__init__(
            application=f"jobs/{job}.py", application_args=list(job_args), name=f"socialbeat-{job}", **kwargs
        )
        self.job = job

    def execute(self, context: Any) -> None:
        settings = load_settings()
        try:
            args = submit_args(settings, self.job, [str(a) for a in self.application_args or []])
        except (MissingJarsError, ValueError) as error:
            raise Misconfigured("misconfigured", str(error)) from error
        if not application_exists(args.application):
            raise JobMissing("job_missing", f"{args.application} is not in this deployment")
        self.application = args.application
        self.conf = {**args.conf, **(self.conf or {})}
        self.jars = args.jars
        self.driver_class_path = args.driver_class_path
        self.py_files = args.py_files
        self._driver_memory = args.driver_memory
        self.env_vars = {**args.env_vars, **(self.env_vars or {})}
        self.name = f"{args.name} {' '.join(args.application_args)}".strip()
        self._hook = None  # built from the attributes above
        try:
            super().execute(context)
        except Exception as error:
            raise job_failure(self.job, error) from error


class LandingHourSensor(BaseSensorOperator):
    """Succeeds when the crawl hour (the data interval) is complete in the landing zone: every
    expected source (`landing_expected_sources`, else any source that has landed) has `_SUCCESS`."""

    ui_color = "#fdf3e1"

    def poke(self, context: Any) -> bool:
        start, end = context["data_interval_start"], context["data_interval_end"]
        if end - start != timedelta(hours=1):
            raise AirflowFailException(f"the data interval {start} - {end} is not one crawl hour")
        settings = load_settings()
        hour = start.astimezone(UTC).replace(tzinfo=None)
        store = landing_store(settings)
        expected = list(settings.landing_expected_sources) or store.sources(hour)
        missing = [source for source in expected if not store.is_complete(source, hour)]
        if not expected:
            self.log.info("nothing has landed for %s in %s yet", format_hour(hour), store)
            return False
        if missing:
            self.log.info("%s in %s: waiting for %s", format_hour(hour), store, ", ".join(missing))
            return False
        self.log.info("%s is complete in %s (%d sources)", format_hour(hour), store, len(expected))
        return True


def landing_store(settings: Settings) -> LandingStore:
    """The landing zone; an s3:// one uses the Airflow AWS connection when one is configured."""
    store = open_landing(settings.landing_uri, settings.s3)
    conn_id = settings.orchestration.landing_aws_conn_id
    if conn_id and isinstance(store, S3LandingStore):
        from airflow.providers.amazon.aws.hooks.s3 import S3Hook

        store._client_obj = S3Hook(aws_conn_id=conn_id).get_conn()
    return store


def landing_sensor(settings: Settings, task_id: str = "wait_for_landing") -> LandingHourSensor:
    orchestration = settings.orchestration
    timeout = timedelta(hours=orchestration.landing_timeout_hours)
    return LandingHourSensor(
        task_id=task_id,
        mode="reschedule",
        poke_interval=orchestration.landing_poke_seconds,
        timeout=timeout,
        execution_timeout=timeout,
    )


def spark_job(settings: Settings, task_id: str, job: str, *job_args: str, **kwargs: Any) -> SparkJobOperator:
    """A task that runs jobs/<job>.py, with that job's execution timeout."""
    kwargs.setdefault("execution_timeout", job_timeout(settings, job))
    return SparkJobOperator(task_id=task_id, job=job, job_args=job_args, **kwargs)


def hourly_logical_dates(logical_date: datetime, **_: Any) -> list[datetime]:
    """The logical dates of the 24 hourly runs (crawl hours) inside a daily run's data interval."""
    return [logical_date + timedelta(hours=offset) for offset in range(24)]
