"""socialbeat_hourly: one crawl hour from the landing zone to gold, every hour.

The data interval is the crawl hour (UTC): the run for [10:00, 11:00) starts after 11:00 and every
task is keyed by that hour, so a rerun or a catch-up of an old hour does the same as the first run.

    wait_for_landing >> bronze >> silver >> enrich >> gold >> publish

`silver` and `enrich` stop at their quality gates: a breach fails the task at once (no retry) with
the gate's summary, and nothing downstream runs. `publish` marks the gold assets as updated. Two
hours may run at once; their `gold` (and `publish`) tasks take turns.
Wiring only: the jobs live in jobs/, the wiring in socialbeat.orchestration.
"""

from __future__ import annotations

from airflow.sdk import DAG, CronDataIntervalTimetable

from socialbeat.orchestration.assets import gold_assets
from socialbeat.orchestration.operators import dag_arguments, landing_sensor, spark_job
from socialbeat.settings import load_settings

settings = load_settings()
HOUR = "{{ data_interval_start | crawl_hour }}"

with DAG(
    dag_id="socialbeat_hourly",
    description="landing hour -> bronze -> silver -> enrichment -> gold -> publish",
    schedule=CronDataIntervalTimetable("0 * * * *", timezone="UTC"),
    catchup=True,
    max_active_runs=2,
    **dag_arguments(settings),
    doc_md=__doc__,
    tags=["socialbeat", "hourly"],
):
    wait = landing_sensor(settings)
    bronze = spark_job(settings, "bronze", "bronze_ingest", "--hour", HOUR)
    silver = spark_job(settings, "silver", "silver", "--hour", HOUR)
    enrich = spark_job(settings, "enrich", "enrich", "--hour", HOUR)
    # Two hours' runs overlap (max_active_runs=2), but not their gold: each recomputes the same
    # Vietnam dates from all of silver. Publish writes to the one SQL metastore.
    gold = spark_job(settings, "gold", "gold", "--hour", HOUR, max_active_tis_per_dag=1)
    publish = spark_job(
        settings, "publish", "publish", outlets=gold_assets(settings), max_active_tis_per_dag=1
    )
    wait >> bronze >> silver >> enrich >> gold >> publish
