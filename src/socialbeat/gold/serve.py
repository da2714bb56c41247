"""`make serve-sql`: Spark's Thrift JDBC/ODBC server (HiveServer2 protocol) over the lake.

The server is pyspark's own `HiveThriftServer2`, started with spark-submit and the project's jars and
Delta settings, over a Hive metastore kept under the state folder (embedded Derby, or the JDBC URL
of `gold.sql.metastore_url`). While it runs, `<state>/sql-server.json` says where it listens, so that
`socialbeat publish` sends its DDL through it instead of opening the metastore a second time
(embedded Derby admits one process). Clients: beeline (pyspark's bin/), PyHive, Superset, Power BI
(ODBC), Tableau, DBeaver: `jdbc:hive2://<host>:<port>/gold`.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from socialbeat.settings import Settings
from socialbeat.spark import jar_paths, session_conf

SERVER_CLASS = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"
STATE_FILE = "sql-server.json"


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def metastore_conf(settings: Settings) -> dict[str, str]:
    """Spark conf that puts the Hive catalog in the project's metastore (under the state folder)."""
    sql = settings.gold.sql
    folder = Path(sql.metastore_dir) if sql.metastore_dir else settings.state_path / "metastore"
    url = sql.metastore_url or f"jdbc:derby:;databaseName={folder / 'metastore_db'};create=true"
    return {
        "spark.sql.catalogImplementation": "hive",
        "spark.hadoop.javax.jdo.option.ConnectionURL": url,
        "spark.hadoop.hive.metastore.schema.verification": "false",
        "spark.hadoop.datanucleus.schema.autoCreateAll": "true",
        "spark.sql.hive.thriftServer.singleSession": "false",
    }


def hive_settings(settings: Settings) -> Settings:
    """The same settings with the Hive catalog over the project metastore (for `socialbeat publish`)."""
    spark = settings.spark.model_copy(update={"conf": {**settings.spark.conf, **metastore_conf(settings)}})
    return settings.model_copy(update={"spark": spark})


def server_command(settings: Settings, host: str, port: int) -> list[str]:
    """spark-submit ... HiveThriftServer2 spark-internal --hiveconf ... (hiveconf after spark-internal)."""
    conf = {**session_conf(settings, app_name="socialbeat-sql"), **metastore_conf(settings)}
    # The server's sessions load the Delta catalog through the system class loader: the jars must be
    # on the driver's class path too, not only in spark.jars.
    conf["spark.driver.extraClassPath"] = ":".join(jar_paths(settings))
    master = conf.pop("spark.master")
    command = [str(spark_home() / "bin" / "spark-submit"), "--master", master, "--class", SERVER_CLASS]
    for key, value in sorted(conf.items()):
        command += ["--conf", f"{key}={value}"]
    return [
        *command,
        "spark-internal",
        "--hiveconf", f"hive.server2.thrift.bind.host={host}",
        "--hiveconf", f"hive.server2.thrift.port={port}",
        "--hiveconf", "hive.server2.transport.mode=binary",
        "--hiveconf", "hive.server2.enable.doAs=false",
    ]  # fmt: skip


def server_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["SPARK_HOME"] = str(spark_home())
    env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # The server keeps its logs and pid files under the state folder, not in pyspark's folder.
    logs = settings.state_path / "sql-server"
    logs.mkdir(parents=True, exist_ok=True)
    env.setdefault("SPARK_LOG_DIR", str(logs))
    env.setdefault("SPARK_PID_DIR", str(logs))
    return env


def state_file(settings: Settings) -> Path:
    return settings.state_path / STATE_FILE


def listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def running_server(settings: Settings) -> dict[str, Any] | None:
    """The server `serve-sql` started for these settings, if it still answers."""
    path = state_file(settings)
    if not path.exists():
        return None
    info: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return info if listening(info["host"], int(info["port"])) else None


def start_server(
    settings: Settings, host: str, port: int, log_file: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start the server in the background (its own process group) and record it in the state file."""
    settings.state_path.mkdir(parents=True, exist_ok=True)
    output = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115 - owned by the child
    process = subprocess.Popen(
        server_command(settings, host, port), env=server_env(settings), stdout=output,
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    state_file(settings).write_text(
        json.dumps({"host": host, "port": port, "pid": process.pid}), encoding="utf-8"
    )
    return process


def wait_until_ready(process: subprocess.Popen[bytes], host: str, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the SQL server exited with {process.returncode} before listening on {port}")
        if listening(host, port):
            return
        time.sleep(1)
    raise TimeoutError(f"the SQL server did not listen on {host}:{port} within {timeout:.0f} s")


def stop_server(settings: Settings, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """SIGTERM the server's process group, SIGKILL it if it lingers; forget the state file."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout)
    path = state_file(settings)
    if path.exists() and json.loads(path.read_text(encoding="utf-8")).get("pid") == process.pid:
        path.unlink()


def serve(settings: Settings, host: str, port: int) -> int:
    """Run the server in the foreground until interrupted (`make serve-sql`)."""
    process = start_server(settings, host, port)
    print(
        f"Spark Thrift server starting: jdbc:hive2://{host}:{port}/{settings.gold.sql.database}", flush=True
    )
    try:
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        stop_server(settings, process)


def beeline(settings: Settings, host: str, port: int, sql: str, timeout: float = 300) -> str:
    """Run SQL statements through pyspark's beeline (a real JDBC client); CSV output, errors raise."""
    with tempfile.NamedTemporaryFile("w", suffix=".sql", encoding="utf-8", delete=False) as script:
        script.write(sql)
    try:
        result = subprocess.run(
            [str(spark_home() / "bin" / "beeline"), "-u", f"jdbc:hive2://{host}:{port}/default",
             "-n", "socialbeat", "--silent=true", "--outputformat=csv2", "-f", script.name],
            env=server_env(settings), capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
    finally:
        os.unlink(script.name)
    if result.returncode != 0 or "Error:" in result.stderr:
        raise RuntimeError(f"beeline failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
    return result.stdout
