"""socialbeat_hourly end to end, through Airflow's own runner (`airflow dags test`), in local mode.

The session's run of crawl hour H1 (`hourly_world`) had its silver job SIGKILLed in the middle of
its Delta write; Airflow retried it. Its tables must hold every landing line exactly once. Then a
breached quality gate must stop a run and say why, changing nothing, and two different hours must
both commit when their jobs run at the same time. (tests/dags/test_cluster.py reruns the same
interval on a Spark cluster: the tables must not change.)
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from airflow_support import table_rows, uncommitted_files
from dag_scenarios import H1, H2, DagRun, HourlyWorld, TwoHours
from socialbeat.landing import format_hour, open_landing

pytestmark = [pytest.mark.slow]


def _of_hour(rows: list[dict[str, Any]], hour: Any) -> list[dict[str, Any]]:
    return [r for r in rows if str(r["crawl_date"]) == f"{hour:%Y-%m-%d}" and r["crawl_hour"] == hour.hour]


def _declared_lines(landing: Path, hour: Any) -> int:
    """What the crawlers (the simulator) declared in the hour's _SUCCESS manifests."""
    store = open_landing(str(landing))
    return sum(f["lines"] for s in store.sources(hour) for f in (store.manifest(s, hour) or {})["files"])


def test_every_task_ran_and_the_killed_silver_job_was_retried(hourly_world: HourlyWorld) -> None:
    states, log = hourly_world.first_states, hourly_world.home.log("first")[-3000:]
    assert states["wait_for_landing"][0] == "success"
    assert states["bronze"] == ("success", 1) and states["enrich"] == ("success", 1), log
    assert states["silver"] == ("success", 2), log  # attempt 1 was killed, attempt 2 finished
    killed = hourly_world.killed
    assert killed.get("uncommitted"), f"the silver write was never caught in flight: {killed}"
    # What the killed attempt had written was never committed, by it or by anyone after it.
    assert set(killed["uncommitted"]) <= set(uncommitted_files(hourly_world.lake, "silver.mentions"))
    [retry] = [f for f in hourly_world.home.failures() if f["task_id"] == "silver"]
    assert (retry["kind"], retry["final"], retry["try_number"]) == ("job_failed", False, 1)
    assert retry["reason"] == "jobs/silver.py was killed (signal 9)"
    assert hourly_world.first_rc == 0
    assert states["gold"][0] == states["publish"][0] == "success"


def test_every_landing_line_is_in_the_lake_exactly_once(hourly_world: HourlyWorld) -> None:
    rows = hourly_world.rows
    log = _of_hour(rows("bronze.ingest_log"), H1)
    crawl = _of_hour(rows("bronze.crawl_items"), H1)
    quarantine = _of_hour(rows("bronze.quarantine"), H1)
    declared = _declared_lines(hourly_world.landing, H1)
    assert declared == sum(r["lines_read"] for r in log) == len(crawl) + len(quarantine) > 0
    assert quarantine and all(r["hour_complete"] for r in log)

    mentions = rows("silver.mentions")
    keys = Counter((r["source"], r["platform_item_id"]) for r in mentions)
    assert mentions and max(keys.values()) == 1  # one row per item: the retry duplicated nothing
    assert {(r["source"], r["platform_item_id"]) for r in crawl} == set(keys)  # and lost nothing
    enriched = rows("silver.mentions_enriched")
    assert sorted(r["mention_id"] for r in enriched) == sorted(r["mention_id"] for r in mentions)
    assert all(
        r["sentiment"] in ("negative", "neutral", "positive") and r["model_versions"] for r in enriched
    )


def test_gold_tables_of_the_hour(hourly_world: HourlyWorld) -> None:
    """Gold holds the hour and agrees with silver."""
    mentions = hourly_world.rows("gold.mentions")
    enriched = hourly_world.rows("silver.mentions_enriched")
    assert {r["mention_id"] for r in mentions} == {r["mention_id"] for r in enriched}
    assert hourly_world.rows("gold.category_hourly")


def test_a_breached_gate_stops_the_run_and_says_why(hourly_world: HourlyWorld, breach_run: DagRun) -> None:
    """H1's silver ran again with a rule no row can meet (nothing may be created before 2030): the
    gate rejects the batch, the task fails at once without retrying, enrich and everything after it
    never run, the failure sink records which gate and why, and no table changes."""
    run = breach_run
    assert run.rc != 0
    assert run.states["silver"] == ("failed", 1), run.log()[-3000:]
    assert all(run.states[t][0] == "upstream_failed" for t in ("enrich", "gold", "publish"))
    [record] = [f for f in run.home.failures() if f["task_id"] == "silver"]
    assert record["kind"] == "gate_breach" and record["final"] and record["exception"] == "GateBreached"
    assert record["failed_table"] == "silver.mentions"
    assert "quality gate breached" in record["reason"] and "created_at" in record["reason"]
    assert "quality gate breached for silver.mentions" in run.log()  # in the task log too
    assert run.snapshot == hourly_world.first_snapshot


def test_two_hours_at_once_both_commit(hourly_world: HourlyWorld, two_hours: TwoHours) -> None:
    """H2 (landing, bronze, silver) and H1's silver again ran at the same time, as two DAG runs (two
    Airflow homes over one lake, like max_active_runs=2): both MERGEs into the same silver date
    partitions commit; a lost commit race is retried by the write helpers, never surfaced."""
    second, again = two_hours.second, two_hours.again
    assert second.states["silver"][0] == "success", second.log()[-3000:]
    assert again.states["silver"][0] == "success", again.log()[-3000:]
    lake = hourly_world.lake
    mentions = table_rows(lake, "silver.mentions")
    keys = Counter((r["source"], r["platform_item_id"]) for r in mentions)
    assert max(keys.values()) == 1
    bronze_items = {(r["source"], r["platform_item_id"]) for r in table_rows(lake, "bronze.crawl_items")}
    assert set(keys) == bronze_items  # every item of both hours, once
    hours = {format_hour(H1): 0, format_hour(H2): 0}
    for row in mentions:
        hours[f"{row['crawl_date']}T{row['crawl_hour']:02d}"] += 1
    assert all(hours.values()), hours  # rows whose latest crawl is each hour
    retried = sum(run.log().count("from a concurrent commit") for run in (second, again))
    print(json.dumps({"silver rows by latest crawl hour": hours, "commit conflicts retried": retried}))
