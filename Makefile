# madoguchi — two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# Two pytest workers (the tests mostly wait on Temporal, browsers and subprocesses); a file's
# tests stay on one worker, so a module's stack starts once. PYTEST_WORKERS=0 runs serially.
PYTEST_WORKERS ?= 2
XDIST := $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadfile)

.PHONY: run test setup system-deps test-deps lint unit lock clean help

help:
	@echo "make run    set up everything and start Temporal, worker, API + UI"
	@echo "make test   the whole suite (lint, types, unit, workflow, api, e2e)"
	@echo "make lint   ruff + mypy only;  make unit: fast tests only;  make lock: re-lock deps"

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

system-deps:
	@bash scripts/install-system-deps.sh

test-deps:
	@bash scripts/install-system-deps.sh test

setup: system-deps $(STAMP)

# The demo runs the RPA simulator and batches every 30 s; set either variable to change it.
run: setup
	MADO_RPA_SIMULATOR=$${MADO_RPA_SIMULATOR:-true} \
	MADO_HANDOFF_INTERVAL_SECONDS=$${MADO_HANDOFF_INTERVAL_SECONDS:-30} $(BIN)/mado run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# pm4py (AGPL-3.0) only checks that exported event logs load; the application never imports it.
$(VENV)/.pm4py: $(STAMP)
	$(BIN)/python -m pip install -q --disable-pip-version-check "pm4py==2.7.23.11"
	touch $@

# The slowest tests are listed after each pass: the suite has 15 minutes on two cores.
test: test-deps $(STAMP) $(VENV)/.pm4py lint
	@bash scripts/ensure-postgres.sh
	$(BIN)/pytest $(XDIST) --durations=15 $(PYTEST_ARGS)
	@echo "== the workflow and API suites again, on PostgreSQL =="
	@# The per-test databases are dropped whether the pass succeeds or not.
	MADO_TEST_DATABASE=postgresql $(BIN)/pytest $(XDIST) tests/workflow tests/api -m "not slow" --durations=10 $(PYTEST_ARGS); \
	  status=$$?; bash scripts/drop-test-databases.sh; exit $$status

unit: $(STAMP)
	$(BIN)/pytest tests/unit -q

lock:
	$(BIN)/pip-compile -q --strip-extras --extra dev --no-emit-index-url --no-emit-find-links \
		--no-emit-trusted-host -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build *.egg-info
