"""Shared fixtures: one real Spark session (with the project's jars) for the whole run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from socialbeat.settings import Settings, load_settings

pytest_plugins = ["fixtures_s3"]

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")


@pytest.fixture(scope="session")
def base_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    state = tmp_path_factory.mktemp("state")
    settings = load_settings(profile="local")
    spark_settings = settings.spark.model_copy(
        update={
            "master": "local[2]",
            "driver_memory": "3g",
            "jars_dir": str(settings.jars_path),
            "conf": {
                **settings.spark.conf,
                "spark.sql.shuffle.partitions": "2",
                "spark.default.parallelism": "2",
            },
        }
    )
    return settings.model_copy(update={"state_dir": str(state), "spark": spark_settings})


@pytest.fixture
def settings(base_settings: Settings, tmp_path: Path) -> Settings:
    """Settings whose landing zone and lake are fresh temp folders."""
    return base_settings.model_copy(
        update={"landing": str(tmp_path / "landing"), "lake": str(tmp_path / "lake")}
    )


# Work that runs beside the in-process tests from the start of the session: the fixture that holds it,
# in the order its tests run, after every other test (they wait for it).
BACKGROUND = ("gold_lake_build", "dag_scenarios")


def _background_of(item: pytest.Item) -> int:
    names = getattr(item, "fixturenames", ())
    return next((rank for rank, name in enumerate(BACKGROUND, 1) if name in names), 0)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests of background work go last, the Airflow runs' (the longest) after the gold day's."""
    items.sort(key=_background_of)


@pytest.fixture(scope="session")
def gold_lake_build(base_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The gold tests' simulated day, built by a subprocess of its own (tests/gold_support.py)."""
    from gold_support import GoldLakeBuild

    build = GoldLakeBuild(base_settings, tmp_path_factory.mktemp("gold_lake"))
    yield build
    build.stop()


@pytest.fixture(scope="session")
def dag_scenarios(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The real Airflow runs of the DAG tests (tests/dag_scenarios.py), started in the background."""
    from dag_scenarios import DagScenarios

    scenarios = DagScenarios(tmp_path_factory.mktemp("hourly")).start()
    yield scenarios
    scenarios.join(timeout_s=60)


@pytest.fixture(scope="session", autouse=True)
def _start_background_work_first(request: pytest.FixtureRequest) -> None:
    """Subprocesses (a Spark session building the gold day, Airflow runs of spark-submit JVMs) leave a
    core idle much of the time: when the session holds tests that need them, they start before the
    first test and run beside the in-process ones."""
    for name in BACKGROUND:
        if any(name in getattr(item, "fixturenames", ()) for item in request.session.items):
            request.getfixturevalue(name)


@pytest.fixture(scope="session")
def spark(base_settings: Settings) -> Iterator[object]:
    from socialbeat.spark import build_spark

    session = build_spark(base_settings, app_name="socialbeat-tests")
    yield session
    session.stop()
