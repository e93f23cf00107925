# flink-session: set-up, checks and tests. `make test` is what CI runs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: venv lint typecheck test test-unit test-flink clean

venv: $(VENV)/.installed

# Re-install whenever a requirements file changes; pins live in those files only.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(VENV)/bin/mypy

# Pure and mock tiers: fast, no Java, no network.
test-unit: venv
	$(PY) -m pytest -m "not flink" -n 2

# Real Flink on loopback (downloads the Flink jars from PyPI once, into ~/.cache/flink-session).
test-flink: venv
	$(PY) -m pytest -m flink

# Everything CI checks.
test: lint typecheck
	$(PY) -m pytest -n 2

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
