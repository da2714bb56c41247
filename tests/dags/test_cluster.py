"""The same DAG on a real Spark standalone cluster: one master and two workers on 127.0.0.1
(infra/spark/cluster.sh, as `make cluster-up` starts them), and only the Airflow connection changed.

Crawl hour H1 ran again through socialbeat_hourly, on the cluster, over the lake that local mode
built for it (the session's first run, tests/dag_scenarios.py): a rerun of the same interval must
leave every table, gold included, holding exactly the rows local mode produced.
"""

from __future__ import annotations

import pytest

from dag_scenarios import ClusterRun, HourlyWorld

pytestmark = [pytest.mark.slow]


def test_rerunning_the_hour_on_a_standalone_cluster_keeps_the_local_tables(
    hourly_world: HourlyWorld, cluster_run: ClusterRun
) -> None:
    run = cluster_run
    for task in ("wait_for_landing", "bronze", "silver", "enrich", "gold", "publish"):
        assert run.states[task] == ("success", 1), (task, run.log()[-3000:])
    assert run.rc == hourly_world.first_rc == 0
    assert f"--master {run.master}" in run.log()  # submitted to the cluster, and its executors ran
    assert len(run.applications) >= 5, run.applications  # on the workers: one application per job
    assert any(name.startswith("gold.") for name in hourly_world.first_snapshot)
    assert run.snapshot == hourly_world.first_snapshot
