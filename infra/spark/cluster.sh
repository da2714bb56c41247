#!/usr/bin/env bash
# A Spark standalone cluster on this machine: one master and two workers, started with pyspark's
# spark-class (the pip package has no sbin/start-*.sh scripts). Pid files and logs live under
# .state/spark-cluster/. Usage: infra/spark/cluster.sh up | down | status
#
# Master: spark://127.0.0.1:7077, UI http://127.0.0.1:8090 (SPARK_MASTER_PORT, SPARK_MASTER_WEBUI_PORT;
# the workers' UIs take the next ports). Each worker offers SPARK_WORKER_CORES cores (default 1) and
# SPARK_WORKER_MEMORY (default 2g). SPARK_CLUSTER_HOME moves the pid files, logs and work folders.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
home="${SPARK_CLUSTER_HOME:-$root/.state/spark-cluster}"
bin="$root/.venv/bin"
export JAVA_HOME="${JAVA_HOME:-$("$root/infra/setup/system.sh" --java-home)}"
export PATH="$JAVA_HOME/bin:$bin:$PATH" SPARK_LOCAL_IP=127.0.0.1 SPARK_LOG_DIR="$home"
export SPARK_NO_DAEMONIZE=1
MASTER_PORT="${SPARK_MASTER_PORT:-7077}"
MASTER_UI="${SPARK_MASTER_WEBUI_PORT:-8090}"
MASTER_URL="spark://127.0.0.1:$MASTER_PORT"
WORKERS=2

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {  # name, then the spark-class arguments
  local name=$1; shift
  if alive "$home/$name.pid"; then echo "$name already running (pid $(cat "$home/$name.pid"))"; return; fi
  nohup "$bin/spark-class" "$@" > "$home/$name.log" 2>&1 &
  echo $! > "$home/$name.pid"
}

workers_registered() {
  "$bin/python" - "$MASTER_UI" <<'PY'
import json, sys, urllib.request
try:
    state = json.load(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/json/", timeout=2))
except OSError:
    print(0)
else:
    print(sum(1 for w in state.get("workers", []) if w.get("state") == "ALIVE"))
PY
}

up() {
  mkdir -p "$home"
  start master org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$MASTER_PORT" \
    --webui-port "$MASTER_UI"
  for i in $(seq 1 $WORKERS); do
    mkdir -p "$home/worker-$i"
    start "worker-$i" org.apache.spark.deploy.worker.Worker "$MASTER_URL" --host 127.0.0.1 \
      --cores "${SPARK_WORKER_CORES:-1}" --memory "${SPARK_WORKER_MEMORY:-2g}" \
      --webui-port $((MASTER_UI + i)) --work-dir "$home/worker-$i"
  done
  for _ in $(seq 1 120); do
    if [ "$(workers_registered)" -ge "$WORKERS" ]; then
      echo "Spark standalone cluster up: $MASTER_URL (UI http://127.0.0.1:$MASTER_UI), $WORKERS workers"
      echo "run the DAGs on it: SPARK_MASTER_URL=$MASTER_URL (see README, Cluster use)"
      return
    fi
    sleep 1
  done
  echo "the cluster did not come up within 120 s; logs in $home" >&2
  down
  exit 1
}

down() {
  for name in worker-2 worker-1 master; do
    local pid_file="$home/$name.pid"
    [ -f "$pid_file" ] || continue
    local pid; pid=$(cat "$pid_file")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pid_file"
    echo "stopped $name"
  done
}

status() {
  for name in master worker-1 worker-2; do
    if alive "$home/$name.pid"; then echo "$name running (pid $(cat "$home/$name.pid"))"; else echo "$name stopped"; fi
  done
  echo "workers registered: $(workers_registered)"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up | down | status" >&2; exit 2 ;;
esac
