"""Orchestration: what the Airflow DAGs in dags/ are wired from.

- `submit`: the spark-submit arguments of a job (jobs/<name>.py), from settings; no Airflow here.
- `failures`: the pluggable failure sinks that task callbacks write to (log, table, your own).
- `operators`: the Airflow operators (a SparkSubmitOperator that reports why a job failed, the
  landing-hour sensor) and the defaults every task gets (retries, timeout, callbacks).

Importing this package, or any module of it, imports neither Spark nor pandas: DAG files are parsed
often, by processes that never run a job.
"""
