"""socialbeat_retrain: weekly (or by hand) retraining of the NLP models, with an optional re-score.

    train:    both families per task on the labelled data; the better one becomes `current` only if
              the current model does not score higher on the same validation rows
    evaluate: per-class precision, recall, F1 and confusion matrices of what is now current (task log)
    rescore:  only when the run is given `rescore_from` and `rescore_to` (YYYY-MM-DD, UTC crawl
              dates): re-enriches those crawl hours with the current models (a MERGE: idempotent),
              rebuilds their gold and publishes it; gold rows carry the model version

Trigger a re-score from the UI ("Trigger DAG w/ config") or
`airflow dags trigger socialbeat_retrain -c '{"rescore_from": "2024-03-11", "rescore_to": "2024-03-12"}'`.
"""

from __future__ import annotations

from airflow.providers.standard.operators.python import ShortCircuitOperator
from airflow.sdk import DAG, CronTriggerTimetable, Param

from socialbeat.orchestration.assets import gold_assets
from socialbeat.orchestration.operators import dag_arguments, spark_job
from socialbeat.orchestration.schedule import VIETNAM, rescore_requested
from socialbeat.settings import load_settings

settings = load_settings()
FROM_HOUR = "{{ params.rescore_from }}T00"
DATE = r"^(\d{4}-\d{2}-\d{2})?$"  # a UTC crawl date, or empty

with DAG(
    dag_id="socialbeat_retrain",
    description="retrain, evaluate, promote if not worse; optionally re-score a date range",
    schedule=CronTriggerTimetable("0 3 * * 0", timezone=VIETNAM),  # Sunday 03:00 in Ho Chi Minh City
    catchup=False,
    max_active_runs=1,
    **dag_arguments(settings),
    params={
        "rescore_from": Param("", type="string", pattern=DATE, description="first crawl date to re-score"),
        "rescore_to": Param("", type="string", pattern=DATE, description="last crawl date (inclusive)"),
    },
    doc_md=__doc__,
    tags=["socialbeat", "models"],
):
    train = spark_job(
        settings, "train", "train_models", "--trained-at", "{{ dag_run.run_after.isoformat() }}"
    )
    evaluate = spark_job(settings, "evaluate", "evaluate_models")
    wanted = ShortCircuitOperator(
        task_id="rescore_requested",
        python_callable=rescore_requested,
        op_kwargs={"first": "{{ params.rescore_from }}", "last": "{{ params.rescore_to }}"},
    )
    rescore = spark_job(
        settings, "rescore", "enrich", "--from", FROM_HOUR, "--to", "{{ params.rescore_to }}T23", "--backfill"
    )
    hours = "{{ params.rescore_from | day_span_hours(params.rescore_to) }}"
    regold = spark_job(settings, "regold", "gold", "--from", FROM_HOUR, "--hours", hours, "--backfill")
    publish = spark_job(settings, "publish", "publish", outlets=gold_assets(settings))
    train >> evaluate >> wanted >> rescore >> regold >> publish
