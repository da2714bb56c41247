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
PYTEST_ARGS ?=
LINT_PATHS := src jobs $(if $(wildcard dags/*.py),dags)

export JAVA_HOME = $(shell infra/setup/system.sh --java-home)
export PATH := $(JAVA_HOME)/bin:$(PATH)
export SPARK_LOCAL_IP := 127.0.0.1
export PYSPARK_PYTHON := $(abspath $(BIN)/python)

.PHONY: help setup system lock jars-lock lint format test test-fast demo bench tables docs clean models models-if-missing

help:
	@echo "make demo       simulate hours, bronze, silver, model enrichment, list the tables (HOURS=$(HOURS))"
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
	$(BIN)/ruff check $(LINT_PATHS) tests infra
	$(BIN)/ruff format --check $(LINT_PATHS) tests infra
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

test: setup lint models-if-missing
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.installed
	$(BIN)/python -m pytest -m fast -q $(PYTEST_ARGS)

demo: setup models-if-missing
	$(BIN)/socialbeat simulate --start $(START) --hours $(HOURS) --mentions-per-hour $(RATE) --seed 7
	$(BIN)/socialbeat ingest --from $(START) --hours $(HOURS)
	$(BIN)/socialbeat silver --from $(START) --hours $(HOURS)
	$(BIN)/socialbeat enrich --from $(START) --hours $(HOURS)
	$(BIN)/socialbeat tables

bench: setup models-if-missing
	$(BIN)/socialbeat bench --lines $${LINES:-200000}

tables: $(VENV)/.installed
	$(BIN)/socialbeat tables

docs: $(VENV)/.installed
	$(BIN)/socialbeat contracts > docs/contracts.md

clean:
	rm -rf lake landing $(STATE)/warehouse $(STATE)/derby spark-warehouse .pytest_cache .mypy_cache .ruff_cache
