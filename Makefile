# Terpadu: every step is a plain command. `make demo` and `make test` work on a fresh clone with
# only Python 3.11 and the package registries: the first call builds .venv from uv.lock.

PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# Airflow's standalone mode starts `airflow` by name: the environment's bin/ must be on PATH.
export PATH := $(BIN):$(PATH)
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)

N ?= 1000000
PORT ?= 8080

.PHONY: env browser demo test lint docs airflow bench clean help

help:
	@echo "make demo    - build the environment, simulate the 41 pilot regions, run the whole pipeline"
	@echo "make test    - the whole test suite (what CI runs)"
	@echo "make airflow - Airflow UI (airflow standalone) on http://127.0.0.1:$(PORT) with the project's DAGs"
	@echo "make docs    - dbt docs (lineage, column descriptions) into dbt_project/target"
	@echo "make bench N=1000000 - per-stage wall time, rows/s and peak RSS at N persons"
	@echo "make lint    - ruff"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

env: $(VENV)/.synced

# The portal test drives Debian's headless Chromium. Installed here (as root, from the Debian
# registry) so that `make test` needs nothing installed by hand.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "Chromium is missing: sudo apt-get install chromium (needed by tests/integration/test_portal_browser.py)" >&2; exit 1; \
		fi; }

# The demo runs the whole pipeline (every region released), then a second run in which one region
# is corrupted on purpose: the quality gate holds it back, its first release stays current, the
# other 40 publish the new run.
DEMO_HELD_REGION ?= 81.71

demo: env
	$(BIN)/terpadu run --simulate
	$(BIN)/terpadu run --dags integrate,quality_gate,publish --corrupt-region $(DEMO_HELD_REGION)

test: env browser
	$(BIN)/python -m pytest

lint: env
	$(BIN)/ruff check plugins dags tests

docs: env
	$(BIN)/terpadu docs

airflow: env
	$(BIN)/terpadu airflow --port $(PORT)

bench: env
	$(BIN)/terpadu bench --persons $(N)

clean:
	rm -rf state .pytest_cache dbt_project/target dbt_project/logs
