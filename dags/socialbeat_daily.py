"""socialbeat_daily: the Vietnam day after its 24 crawl hours are published.

The data interval is one day in Asia/Ho_Chi_Minh (the date reports and gold are kept by). It waits
for the 24 hourly runs inside the day to publish, then:

    model_quality: today's score distribution against the trailing week, into a gold table
    report:        the day's HTML briefing for the city
    maintenance:   retention deletes, OPTIMIZE with Z-ORDER (each table's `zorder_by`), VACUUM
                   (retention.vacuum_hours); it runs after the report whether or not that succeeded
"""

from __future__ import annotations

from datetime import timedelta

from airflow.providers.standard.sensors.external_task import ExternalTaskSensor
from airflow.sdk import DAG, CronDataIntervalTimetable, TriggerRule

from socialbeat.orchestration.operators import dag_arguments, hourly_logical_dates, spark_job
from socialbeat.orchestration.schedule import VIETNAM
from socialbeat.settings import load_settings

settings = load_settings()
DAY = "{{ data_interval_start | vietnam_date }}"
WAIT = timedelta(hours=settings.orchestration.landing_timeout_hours + 6)

with DAG(
    dag_id="socialbeat_daily",
    description="model quality, the HTML briefing and table maintenance for one Vietnam day",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone=VIETNAM),
    catchup=True,
    max_active_runs=1,
    **dag_arguments(settings),
    doc_md=__doc__,
    tags=["socialbeat", "daily"],
):
    hours_published = ExternalTaskSensor(
        task_id="wait_for_hours",
        external_dag_id="socialbeat_hourly",
        external_task_id="publish",
        execution_date_fn=hourly_logical_dates,
        allowed_states=["success"],
        failed_states=["failed", "upstream_failed"],
        mode="reschedule",
        poke_interval=300,
        timeout=WAIT.total_seconds(),
        execution_timeout=WAIT,
    )
    quality = spark_job(settings, "model_quality", "model_quality", "--date", DAY)
    report = spark_job(settings, "report", "report", "--date", DAY)
    maintenance = spark_job(
        settings, "maintenance", "maintenance", "--as-of", DAY, trigger_rule=TriggerRule.ALL_DONE
    )
    hours_published >> quality >> report >> maintenance
