"""How a job tells its orchestrator why it failed, across the spark-submit process boundary.

A job that stops for a known reason (a quality gate breach) prints one line
`socialbeat-failure: {"kind": ..., ...}` on stderr and exits with that reason's exit code; the
Airflow operator reads the line from spark-submit's output and fails the task with the reason
instead of a bare exit code (and without retrying a deterministic failure).
"""

from __future__ import annotations

import json
from typing import Any

MARKER = "socialbeat-failure: "
GATE_BREACH = "gate_breach"
EXIT_CODES = {GATE_BREACH: 3}


def failure_line(kind: str, message: str, **details: Any) -> str:
    return MARKER + json.dumps({"kind": kind, "message": message, **details}, ensure_ascii=False, default=str)


def parse_failure_line(line: str) -> dict[str, Any] | None:
    """The failure record in a line of job output (a log prefix before the marker is allowed)."""
    start = line.find(MARKER)
    if start < 0:
        return None
    try:
        record = json.loads(line[start + len(MARKER) :])
    except ValueError:
        return None
    return record if isinstance(record, dict) and "kind" in record else None
