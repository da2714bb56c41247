"""Failure callbacks of the DAGs' tasks and the sinks they write to (`orchestration.failure_sink`).

Every task gets `on_failure_callback=on_task_failure` (no retry left) and
`on_retry_callback=on_task_retry` (a failed attempt that Airflow will retry). Both turn the Airflow
context into one `FailureRecord` and hand it to each configured sink, comma-separated:

- `log`: one JSON line appended to `orchestration.failure_log` (default
  `<state_dir>/airflow/failures.jsonl`) and an ERROR line in the task log;
- `table`: a row appended to the Delta table `ops.task_failures` with delta-rs (no Spark);
- `package.module:callable`: your own function, called with the record (page someone, post to chat).

A sink that fails is logged and skipped: a callback must never hide the failure it reports.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from socialbeat.settings import Settings, load_settings, resolve_location

log = logging.getLogger("socialbeat.failures")

FAILURES_TABLE = "ops.task_failures"
_MAX_REASON = 4000


@dataclass(frozen=True)
class FailureRecord:
    dag_id: str
    task_id: str
    run_id: str
    try_number: int
    max_tries: int
    final: bool
    kind: str
    reason: str
    failed_table: str | None
    exception: str
    data_interval_start: datetime | None
    data_interval_end: datetime | None
    log_url: str | None
    failed_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in asdict(self).items()}


Sink = Callable[[FailureRecord], None]


def classify(exception: BaseException | None) -> tuple[str, str, str | None]:
    """(kind, reason, failed table) of the error a task raised."""
    from socialbeat.orchestration.errors import JobFailed

    if isinstance(exception, JobFailed):
        return exception.kind, exception.reason, exception.failed_table
    name = type(exception).__name__ if exception is not None else "unknown"
    text = str(exception) if exception is not None else "the task failed without an exception"
    kind = "timeout" if "Timeout" in name else "error"
    return kind, text, None


def _utc(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    # A plain datetime: Airflow's are pendulum's, whose deep copy (dataclasses.asdict) drops the zone.
    return datetime.fromtimestamp(value.timestamp(), tz=UTC)


def failure_record(context: Mapping[str, Any], final: bool, now: datetime | None = None) -> FailureRecord:
    """The record of a failed attempt, from an Airflow task context."""
    ti = context.get("ti") or context.get("task_instance")
    exception = context.get("exception")
    exception = exception if isinstance(exception, BaseException) else None
    kind, reason, failed_table = classify(exception)
    task = getattr(ti, "task", None)
    retries = int(getattr(task, "retries", 0) or 0)
    return FailureRecord(
        dag_id=str(getattr(ti, "dag_id", context.get("dag_id", ""))),
        task_id=str(getattr(ti, "task_id", "")),
        run_id=str(getattr(ti, "run_id", context.get("run_id", ""))),
        try_number=int(getattr(ti, "try_number", 0) or 0),
        max_tries=retries + 1,
        final=final,
        kind=kind,
        reason=reason[-_MAX_REASON:],
        failed_table=failed_table,
        exception=type(exception).__name__ if exception is not None else "unknown",
        data_interval_start=_utc(context.get("data_interval_start")),
        data_interval_end=_utc(context.get("data_interval_end")),
        log_url=getattr(ti, "log_url", None),
        failed_at=now or datetime.now(UTC),
    )


def failure_log_path(settings: Settings) -> Path:
    configured = settings.orchestration.failure_log
    return (
        Path(resolve_location(configured))
        if configured
        else settings.state_path / "airflow" / "failures.jsonl"
    )


def log_sink(settings: Settings) -> Sink:
    path = failure_log_path(settings)

    def write(record: FailureRecord) -> None:
        line = json.dumps(record.as_json(), ensure_ascii=False) + "\n"
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))  # one write per record: concurrent tasks never interleave
        finally:
            os.close(fd)
        log.error(
            "%s %s.%s try %d/%d (%s): %s",
            "FAILED" if record.final else "will retry",
            record.dag_id,
            record.task_id,
            record.try_number,
            record.max_tries,
            record.kind,
            record.reason,
        )

    return write


def table_sink(settings: Settings) -> Sink:
    def write(record: FailureRecord) -> None:
        from socialbeat.orchestration.opstable import append_rows

        row = asdict(record)
        row["failed_date"] = record.failed_at.date()
        append_rows(settings, FAILURES_TABLE, [row])

    return write


def custom_sink(spec: str) -> Sink:
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"a custom failure sink is package.module:callable, got {spec!r}")
    sink = getattr(importlib.import_module(module_name), attribute)
    if not callable(sink):
        raise ValueError(f"failure sink {spec!r} is not callable")
    return sink


def sinks(settings: Settings) -> list[Sink]:
    """The sinks `orchestration.failure_sink` names (comma-separated)."""
    chosen: list[Sink] = []
    for name in (part.strip() for part in settings.orchestration.failure_sink.split(",")):
        if not name:
            continue
        if name == "log":
            chosen.append(log_sink(settings))
        elif name == "table":
            chosen.append(table_sink(settings))
        elif ":" in name:
            chosen.append(custom_sink(name))
        else:
            raise ValueError(f"unknown failure sink {name!r}: log, table or package.module:callable")
    return chosen


def report_failure(context: Mapping[str, Any], final: bool, settings: Settings | None = None) -> None:
    """Write the failed attempt to every configured sink; never raise."""
    try:
        settings = settings or load_settings()
        record = failure_record(context, final)
        targets = sinks(settings)
    except Exception:
        log.exception("could not build the failure record of this task")
        return
    for sink in targets:
        try:
            sink(record)
        except Exception:
            log.exception("failure sink %r could not record %s.%s", sink, record.dag_id, record.task_id)


def on_task_failure(context: Mapping[str, Any]) -> None:
    """on_failure_callback: the task failed and has no retry left."""
    report_failure(context, final=True)


def on_task_retry(context: Mapping[str, Any]) -> None:
    """on_retry_callback: the attempt failed; Airflow will run the task again."""
    report_failure(context, final=False)
