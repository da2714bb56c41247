"""The same DAG on a real Spark standalone cluster: one master and two workers on 127.0.0.1
(infra/spark/cluster.sh, as `make cluster-up` starts them), and only the Airflow connection changed.

Crawl hour H1 runs again through socialbeat_hourly, on the cluster, over the lake that local mode
built for it (the session's first run): a rerun of the same interval must leave every table holding
exactly the rows local mode produced.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from airflow_support import HOURLY, hour_end, snapshot

from conftest import H1, HourlyWorld
from socialbeat.settings import PROJECT_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

CLUSTER = PROJECT_ROOT / "infra" / "spark" / "cluster.sh"
MASTER_PORT, UI_PORT = 17077, 18090  # not the defaults: a developer's own `make cluster-up` may run


@pytest.fixture(scope="module")
def spark_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    home = tmp_path_factory.mktemp("spark-cluster")
    env = {
        **os.environ,
        "SPARK_CLUSTER_HOME": str(home),
        "SPARK_MASTER_PORT": str(MASTER_PORT),
        "SPARK_MASTER_WEBUI_PORT": str(UI_PORT),
        "SPARK_WORKER_MEMORY": "1500m",
    }
    subprocess.run([str(CLUSTER), "up"], env=env, check=True, timeout=300)
    try:
        yield f"spark://127.0.0.1:{MASTER_PORT}", home
    finally:
        subprocess.run([str(CLUSTER), "down"], env=env, check=False, timeout=120)


def test_rerunning_the_hour_on_a_standalone_cluster_keeps_the_local_tables(
    hourly_world: HourlyWorld, spark_cluster: tuple[str, Path]
) -> None:
    master, cluster_home = spark_cluster
    home = hourly_world.new_home("cluster", spark_master=master, profile="standalone")
    rc = home.run(HOURLY, hour_end(H1), log_name="cluster")
    states = home.task_states()
    for task in ("wait_for_landing", "bronze", "silver", "enrich"):
        assert states[task] == ("success", 1), (task, home.log("cluster")[-3000:])
    assert rc == hourly_world.first_rc
    assert f"--master {master}" in home.log("cluster")  # submitted to the cluster, and its executors ran
    applications = {p.name for p in cluster_home.glob("worker-*/app-*")}  # on the workers, one per job
    assert len(applications) >= 3, applications
    assert snapshot(hourly_world.lake) == hourly_world.first_snapshot
