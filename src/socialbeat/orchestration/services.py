"""Airflow's own processes, started by `make demo` (its services) and `make airflow` (standalone):
the command, the API server's health check, and stopping them with everything they started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterable
from pathlib import Path

STARTUP_TIMEOUT_S = 300


def airflow_command(*args: str) -> list[str]:
    """The `airflow` of this interpreter's environment, whatever PATH says."""
    return [str(Path(sys.executable).with_name("airflow")), *args]


def api_healthy(url: str) -> bool:
    """Whether the API server at `url` (http://host:port) answers its health check."""
    try:
        with urllib.request.urlopen(f"{url}/api/v2/monitor/health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def stop_groups(processes: Iterable[subprocess.Popen[bytes]], timeout_s: float) -> None:
    """SIGTERM each process's group (each was started with start_new_session=True), all at once; a
    group still running after `timeout_s` is SIGKILLed."""
    running = [p for p in processes if p.poll() is None]
    for process in running:
        os.killpg(process.pid, signal.SIGTERM)
    for process in running:
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
