"""`make airflow`: `airflow standalone` on the project DAGs, with the URL and the login printed.

Environment from infra/airflow/env.sh (AIRFLOW_HOME under .state/airflow, SQLite, dags/, no
examples, spark_default = local[*]). The full output goes to $AIRFLOW_HOME/standalone.log; Ctrl-C
stops every Airflow process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from socialbeat.orchestration.services import STARTUP_TIMEOUT_S, airflow_command, api_healthy, stop_groups


def _password(home: Path, user: str = "admin") -> str | None:
    path = home / "simple_auth_manager_passwords.json.generated"
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))[user])
    except (OSError, ValueError, KeyError):
        return None


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)  # unwinds into main's `finally`, which stops every Airflow process


def main() -> int:
    # Ctrl-C (SIGINT, even when the shell started us ignoring it) and SIGTERM both stop Airflow.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    home = Path(os.environ.get("AIRFLOW_HOME", ".state/airflow"))
    home.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{os.environ.get('AIRFLOW__API__PORT', '8080')}"
    log_path = home / "standalone.log"
    print(f"starting airflow standalone (log: {log_path}) ...", flush=True)
    with log_path.open("a", encoding="utf-8") as log:
        process = subprocess.Popen(
            airflow_command("standalone"), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            while not api_healthy(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    print(f"airflow standalone did not come up; see {log_path}", file=sys.stderr)
                    return 1
                time.sleep(2)
            print(f"\nAirflow UI: {url}   login: admin / {_password(home) or '(see ' + str(log_path) + ')'}")
            print("DAGs start paused: unpause socialbeat_hourly to let it catch up from")
            print("orchestration.start_date. Ctrl-C stops Airflow.", flush=True)
            return process.wait()
        except KeyboardInterrupt:
            return 0
        finally:
            stop_groups([process], timeout_s=30)


if __name__ == "__main__":
    sys.exit(main())
