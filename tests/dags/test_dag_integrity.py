"""DAG integrity: the project DAGs load in Airflow's own DagBag with a 2-second import timeout, have
no cycles, give every task retries and a timeout, import nothing heavy at parse time, and have the
shape, schedule and templates the pipeline relies on.

The DAGs are parsed in a fresh interpreter (this test session has Spark loaded), which reports
what it saw as JSON.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from functools import cache
from typing import Any

import pytest

from socialbeat.settings import PROJECT_ROOT

pytestmark = pytest.mark.fast

DAGS = PROJECT_ROOT / "dags"
HEAVY = ("pyspark", "pandas", "great_expectations", "delta", "sparknlp", "py4j")
HEAVY_PROJECT = (
    "socialbeat.silver",
    "socialbeat.bronze",
    "socialbeat.nlp",
    "socialbeat.gold",
    "socialbeat.quality",
    "socialbeat.simulator",
)

_PROBE = r"""
import json, os, sys, time
os.environ["AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT"] = "2"
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
import airflow.sdk  # loaded before the clock starts: a DAG processor has Airflow imported already
from airflow.dag_processing.dagbag import DagBag
started = time.monotonic()
bag = DagBag(dag_folder=sys.argv[1])
elapsed = time.monotonic() - started
out = {"errors": {k: str(v) for k, v in bag.import_errors.items()}, "seconds": elapsed,
       "file_seconds": {s.file: s.duration.total_seconds() if hasattr(s.duration, "total_seconds")
                        else s.duration for s in bag.dagbag_stats},
       "modules": sorted(m for m in sys.modules), "dags": {}}
import pendulum
interval_start = pendulum.datetime(2024, 3, 11, 10, tz="UTC")
interval_end = pendulum.datetime(2024, 3, 11, 11, tz="UTC")
from airflow.serialization.encoders import coerce_to_core_timetable
for dag_id, dag in bag.dags.items():
    env = dag.get_template_env()
    timetable = coerce_to_core_timetable(dag.timetable)
    tasks = {}
    for task in dag.tasks:
        args = [env.from_string(str(a)).render(data_interval_start=interval_start,
                                               data_interval_end=interval_end,
                                               params={"rescore_from": "2024-03-11",
                                                       "rescore_to": "2024-03-12"},
                                               dag_run=None)
                for a in getattr(task, "application_args", None) or []
                if "dag_run" not in str(a)]
        tasks[task.task_id] = {
            "type": type(task).__name__,
            "retries": task.retries,
            "timeout_s": task.execution_timeout.total_seconds() if task.execution_timeout else None,
            "downstream": sorted(task.downstream_task_ids),
            "job": getattr(task, "job", None),
            "args": args,
            "on_failure": [getattr(c, "__name__", str(c)) for c in (task.on_failure_callback or [])]
                if isinstance(task.on_failure_callback, list) else
                [getattr(task.on_failure_callback, "__name__", str(task.on_failure_callback))],
            "outlets": [getattr(o, "name", str(o)) for o in task.outlets],
            "trigger_rule": getattr(task.trigger_rule, "value", str(task.trigger_rule)),
            "max_active_tis_per_dag": task.max_active_tis_per_dag,
        }
    out["dags"][dag_id] = {
        "tasks": tasks,
        "catchup": dag.catchup,
        "max_active_runs": dag.max_active_runs,
        "timetable": type(dag.timetable).__name__,
        "summary": timetable.summary,
        "interval": [str(timetable.infer_manual_data_interval(run_after=interval_end).start)],
    }
print("PROBE" + json.dumps(out, default=str))
"""


@cache
def probe() -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, str(DAGS)], capture_output=True, text=True, timeout=300, check=False
    )
    line = next((x for x in result.stdout.splitlines() if x.startswith("PROBE")), None)
    assert line, result.stderr[-3000:]
    return json.loads(line[len("PROBE") :])  # type: ignore[no-any-return]


def test_the_three_dags_import_within_airflows_2_second_timeout() -> None:
    facts = probe()
    assert facts["errors"] == {}  # a file over the timeout (or with a cycle) is an import error here
    assert set(facts["dags"]) == {"socialbeat_hourly", "socialbeat_daily", "socialbeat_retrain"}
    print(json.dumps({"dagbag_seconds": round(facts["seconds"], 2), "per_file": facts["file_seconds"]}))


def test_nothing_heavy_is_imported_at_parse_time() -> None:
    modules = probe()["modules"]
    assert not [m for m in modules if m.split(".")[0] in HEAVY]
    assert not [m for m in modules if m.startswith(HEAVY_PROJECT)]
    for path in DAGS.glob("*.py"):  # and no DAG file imports them itself, even lazily
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [n for n in names if n.split(".")[0] in HEAVY or n.startswith(HEAVY_PROJECT)], path


def _has_cycle(tasks: dict[str, Any]) -> bool:
    state: dict[str, int] = {}

    def visit(task: str) -> bool:
        if state.get(task) == 1:
            return True
        if state.get(task) == 2:
            return False
        state[task] = 1
        if any(visit(d) for d in tasks[task]["downstream"]):
            return True
        state[task] = 2
        return False

    return any(visit(t) for t in tasks)


def test_no_cycles_and_every_task_has_retries_a_timeout_and_the_failure_callback() -> None:
    for dag_id, dag in probe()["dags"].items():
        assert not _has_cycle(dag["tasks"]), dag_id
        for task_id, task in dag["tasks"].items():
            assert task["retries"] >= 1, (dag_id, task_id)
            assert task["timeout_s"] and task["timeout_s"] > 0, (dag_id, task_id)
            assert "on_task_failure" in task["on_failure"], (dag_id, task_id)


def _chain(tasks: dict[str, Any]) -> list[str]:
    roots = [t for t in tasks if not any(t in other["downstream"] for other in tasks.values())]
    assert len(roots) == 1, roots
    order = [roots[0]]
    while tasks[order[-1]]["downstream"]:
        [following] = tasks[order[-1]]["downstream"]
        order.append(following)
    return order


def test_hourly_dag_is_the_crawl_hour_pipeline() -> None:
    dag = probe()["dags"]["socialbeat_hourly"]
    tasks = dag["tasks"]
    assert _chain(tasks) == ["wait_for_landing", "bronze", "silver", "enrich", "gold", "publish"]
    assert dag["catchup"] is True and dag["max_active_runs"] == 2
    assert dag["timetable"] == "CronDataIntervalTimetable" and dag["summary"] == "0 * * * *"
    assert dag["interval"] == ["2024-03-11 10:00:00+00:00"]  # the run ending at 11:00 is crawl hour 10
    assert tasks["wait_for_landing"]["type"] == "LandingHourSensor"
    jobs = {t: (v["job"], v["args"]) for t, v in tasks.items() if v["type"] == "SparkJobOperator"}
    assert jobs == {
        "bronze": ("bronze_ingest", ["--hour", "2024-03-11T10"]),
        "silver": ("silver", ["--hour", "2024-03-11T10"]),
        "enrich": ("enrich", ["--hour", "2024-03-11T10"]),
        "gold": ("gold", ["--hour", "2024-03-11T10"]),
        "publish": ("publish", []),
    }
    assert "socialbeat.gold" in tasks["publish"]["outlets"]  # downstream DAGs can wait for gold
    # Two hours run at once, but one gold (the same dates, from all of silver) and one publish at a time.
    assert {t for t, v in tasks.items() if v["max_active_tis_per_dag"] == 1} == {"gold", "publish"}


def test_daily_and_retrain_dags() -> None:
    dags = probe()["dags"]
    daily = dags["socialbeat_daily"]["tasks"]
    assert _chain(daily) == ["wait_for_hours", "model_quality", "report", "maintenance"]
    assert daily["report"]["args"] == ["--date", "2024-03-11"]  # 10:00 UTC is 17:00 in Vietnam
    assert daily["maintenance"]["args"] == ["--as-of", "2024-03-11"]
    assert daily["maintenance"]["trigger_rule"] == "all_done"  # maintenance runs even if the report failed
    assert dags["socialbeat_daily"]["summary"] == "0 0 * * *"
    retrain = dags["socialbeat_retrain"]["tasks"]
    assert _chain(retrain) == ["train", "evaluate", "rescore_requested", "rescore", "regold", "publish"]
    assert retrain["rescore"]["args"] == ["--from", "2024-03-11T00", "--to", "2024-03-12T23", "--backfill"]
    assert retrain["regold"]["args"] == ["--from", "2024-03-11T00", "--hours", "48", "--backfill"]
    assert dags["socialbeat_retrain"]["catchup"] is False
