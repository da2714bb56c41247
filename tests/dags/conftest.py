"""The DAG tests' fixtures: the results of the real Airflow runs (tests/dag_scenarios.py), which run
in the background from the start of the session (tests/conftest.py); these tests run last and wait.
A run that raised (or whose first run raised) fails the tests that take its fixture, with its error."""

from __future__ import annotations

import pytest

from dag_scenarios import ClusterRun, DagRun, DagScenarios, HourlyWorld, TwoHours


@pytest.fixture(scope="session")
def hourly_world(dag_scenarios: DagScenarios) -> HourlyWorld:
    return dag_scenarios.result("world")


@pytest.fixture(scope="session")
def cluster_run(dag_scenarios: DagScenarios) -> ClusterRun:
    return dag_scenarios.result("cluster")


@pytest.fixture(scope="session")
def breach_run(dag_scenarios: DagScenarios) -> DagRun:
    return dag_scenarios.result("breach")


@pytest.fixture(scope="session")
def two_hours(dag_scenarios: DagScenarios) -> TwoHours:
    return dag_scenarios.result("two_hours")
