"""The DAG tests' fixtures: the results of the real Airflow runs (tests/dag_scenarios.py), which run
in the background from the start of the session (tests/conftest.py); these tests run last and wait."""

from __future__ import annotations

from typing import Any

import pytest

from dag_scenarios import ClusterRun, DagRun, DagScenarios, HourlyWorld, TwoHours


@pytest.fixture(scope="session")
def hourly_world(dag_scenarios: DagScenarios) -> HourlyWorld:
    world: HourlyWorld = dag_scenarios.result("world")
    return world


@pytest.fixture(scope="session")
def cluster_run(dag_scenarios: DagScenarios, hourly_world: HourlyWorld) -> ClusterRun:
    run: ClusterRun = dag_scenarios.result("cluster")
    return run


@pytest.fixture(scope="session")
def breach_run(dag_scenarios: DagScenarios, hourly_world: HourlyWorld) -> DagRun:
    run: DagRun = dag_scenarios.result("breach")
    return run


@pytest.fixture(scope="session")
def two_hours(dag_scenarios: DagScenarios, hourly_world: HourlyWorld) -> Any:
    run: TwoHours = dag_scenarios.result("two_hours")
    return run
