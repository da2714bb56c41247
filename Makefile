# Socialbeat. `make demo` runs the pipeline end to end; `make test` runs lint and every test.
# Both install what is missing first (`make setup`): Python packages, JVM jars, Java 17.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
STATE := .state
JARS := $(STATE)/jars
HOURS ?= 6
START ?= 2024-03-11T10
RATE ?= 2000
REPORT_DATE ?= 2024-03-11
PYTEST_ARGS ?=
LINT_PATHS := src jobs $(if $(wildcard dags/*.py),dags)

export JAVA_HOME = $(shell infra/setup/system.sh --java-home)
export PATH := $(JAVA_HOME)/bin:$(PATH)
export SPARK_LOCAL_IP := 127.0.0.1
export PYSPARK_PYTHON := $(abspath $(BIN)/python)

AIRFLOW_ENV := source infra/airflow/env.sh
PACKAGE := dist/socialbeat.zip
PACKAGE_SOURCES := $(shell find src/socialbeat schemas infra/config data/labelled -type f -not -path '*/__pycache__/*' 2>/dev/null)

.PHONY: help setup system lock jars-lock lint format test test-fast demo bench tables docs clean models models-if-missing \
	package airflow cluster-up cluster-down serve-sql publish report

help:
	@echo "make demo       simulate HOURS=$(HOURS) crawl hours, run socialbeat_hourly for each (embedded Airflow), gold summary, briefing"
	@echo "make airflow    airflow standalone with the project DAGs (UI on http://127.0.0.1:8080)"
	@echo "make cluster-up / cluster-down   a Spark standalone master and 2 workers on 127.0.0.1"
	@echo "make package    the project package that spark-submit ships (--py-files $(PACKAGE))"
	@echo "make serve-sql  publish gold to the metastore, then serve it over JDBC/ODBC (Spark Thrift server)"
	@echo "make report     the HTML briefing of REPORT_DATE=$(REPORT_DATE) (AGENCY=code, DISTRICT=name optional)"
	@echo "make test       lint, then every test (unit, Spark/Delta, S3)"
	@echo "make test-fast  the pure-Python subset (seconds)"
	@echo "make bench      throughput per stage (rows/s per core) and peak memory, as JSON"
	@echo "make models     train sentiment and category models into <lake>/models (promote if not worse)"
	@echo "make setup      .venv from the lock file, jars from Maven (verified), Java 17"
	@echo "make lock       re-resolve infra/python/requirements.lock;  make jars-lock: re-pin jar checksums"

setup: system $(VENV)/.installed $(JARS)/.verified $(STATE)/pii.secret

system:
	@infra/setup/system.sh

$(VENV)/.installed: infra/python/requirements.lock pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 is required"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync -q -p $(BIN)/python --compile-bytecode infra/python/requirements.lock
	$(BIN)/uv pip install -q -p $(BIN)/python --no-deps -e .
	@touch $@

$(JARS)/.verified: infra/jars/pom.xml infra/jars/jars.sha256
	@rm -rf $(JARS).tmp
	mvn -q -B -f infra/jars/pom.xml dependency:copy-dependencies -DincludeScope=runtime \
	  -DexcludeGroupIds=org.apache.spark,org.scala-lang -DoutputDirectory=$(abspath $(JARS)).tmp
	$(PYTHON) infra/jars/verify.py $(JARS).tmp
	@rm -rf $(JARS) && mv $(JARS).tmp $(JARS) && touch $@

# The HMAC key that fingerprints personal data in silver. Local only; a cluster passes
# SOCIALBEAT_PII__SECRET from its secret store. Never commit it.
$(STATE)/pii.secret:
	@mkdir -p $(STATE) && umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_hex(32))" > $@

lock:
	$(BIN)/uv pip compile -q infra/python/requirements.in --excludes infra/python/excludes.txt \
	  -p 3.11 -o infra/python/requirements.lock

jars-lock:
	mvn -q -B -f infra/jars/pom.xml dependency:copy-dependencies -DincludeScope=runtime \
	  -DexcludeGroupIds=org.apache.spark,org.scala-lang -DoutputDirectory=$(abspath $(JARS))
	$(PYTHON) infra/jars/verify.py $(JARS) --update

lint: $(VENV)/.installed
	$(BIN)/ruff check --no-cache $(LINT_PATHS) tests infra
	$(BIN)/ruff format --no-cache --check $(LINT_PATHS) tests infra
	$(BIN)/mypy $(LINT_PATHS)

format: $(VENV)/.installed
	$(BIN)/ruff format $(LINT_PATHS) tests infra
	$(BIN)/ruff check --fix $(LINT_PATHS) tests infra

# Trained models are build outputs in <lake>/models, never committed: demo and test train them
# when the lake has no current version; `make models` retrains and promotes only if not worse.
models: setup
	$(BIN)/socialbeat train

models-if-missing: setup
	$(BIN)/socialbeat train --if-missing

test: setup lint models-if-missing package
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.installed
	$(BIN)/python -m pytest -m fast -q $(PYTEST_ARGS)

# The main job end to end on the embedded default: simulate the hours, run socialbeat_hourly for each
# one through a real Airflow DAG run (`airflow dags test`, SQLite under .state/airflow), then print
# the gold summary and the briefing's path. Progress and a time breakdown are printed as it goes.
demo: setup models-if-missing package
	$(AIRFLOW_ENV) && $(BIN)/python -m socialbeat.orchestration.demo --start $(START) --hours $(HOURS) \
	  --rate $(RATE)

# The project package for spark-submit --py-files (rebuilt when a source changes).
package: $(PACKAGE)

$(PACKAGE): $(PACKAGE_SOURCES) $(VENV)/.installed
	$(BIN)/python -m socialbeat.orchestration.package $@

# `airflow standalone` (scheduler, DAG processor, triggerer, API server and UI) on the project DAGs.
airflow: setup models-if-missing package
	@$(AIRFLOW_ENV) && mkdir -p "$$AIRFLOW_HOME" && $(BIN)/python -m socialbeat.orchestration.standalone

# A Spark standalone cluster on 127.0.0.1: master spark://127.0.0.1:7077 (UI :8090), 2 workers.
# Point the DAGs at it with SPARK_MASTER_URL=spark://127.0.0.1:7077 (see README, "Cluster use").
cluster-up: setup
	@infra/spark/cluster.sh up

cluster-down:
	@infra/spark/cluster.sh down

# Gold over SQL: register the tables and agency views, then run HiveServer2 until Ctrl-C
# (jdbc:hive2://127.0.0.1:10000/gold; README "SQL endpoint"). Another terminal may `make publish`.
serve-sql: setup
	$(BIN)/socialbeat publish
	$(BIN)/socialbeat serve-sql

publish: setup
	$(BIN)/socialbeat publish

report: $(VENV)/.installed
	$(BIN)/socialbeat report --date $(REPORT_DATE) $(if $(AGENCY),--agency "$(AGENCY)") $(if $(DISTRICT),--district "$(DISTRICT)")

bench: setup models-if-missing
	$(BIN)/socialbeat bench --lines $${LINES:-200000}

tables: $(VENV)/.installed
	$(BIN)/socialbeat tables

docs: $(VENV)/.installed
	$(BIN)/socialbeat contracts > docs/contracts.md

clean:
	rm -rf lake landing reports $(STATE)/warehouse $(STATE)/derby $(STATE)/metastore $(STATE)/sql-server \
	  $(STATE)/airflow $(STATE)/demo spark-warehouse dist \
	  .pytest_cache .mypy_cache .ruff_cache
