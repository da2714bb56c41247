# The embedded Airflow of `make demo` / `make airflow` / the DAG tests: source this file.
# SQLite metadata and logs under .state/airflow, the project's dags/, no examples, and the Spark
# connection `spark_default` on local[*] unless SPARK_MASTER_URL (e.g. spark://127.0.0.1:7077) or a
# full AIRFLOW_CONN_SPARK_DEFAULT is set. Pointing that connection at a cluster is the only change
# the DAGs need to run their jobs there.
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$_root/.state/airflow}"
export AIRFLOW__CORE__DAGS_FOLDER="$_root/dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=True
export AIRFLOW__CORE__UNIT_TEST_MODE=False
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="sqlite:///$AIRFLOW_HOME/airflow.db"
export AIRFLOW__LOGGING__BASE_LOG_FOLDER="$AIRFLOW_HOME/logs"
export AIRFLOW__API__PORT="${AIRFLOW_PORT:-8080}"
export AIRFLOW__API__HOST=127.0.0.1
if [ -z "${AIRFLOW_CONN_SPARK_DEFAULT:-}" ]; then
  export AIRFLOW_CONN_SPARK_DEFAULT="{\"conn_type\": \"spark\", \"host\": \"${SPARK_MASTER_URL:-local[*]}\"}"
fi
export PATH="$_root/.venv/bin:$PATH"   # spark-submit (pyspark's) and airflow
unset _root
