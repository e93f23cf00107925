# flink-session: set-up, checks and tests. `make test` is what CI runs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: venv venv-runtime lint typecheck test test-unit test-flink render render-diff clean

STACK ?= dev
BASE ?= main

venv: $(VENV)/.installed .venv-scan/.installed

# Re-install whenever a requirements file changes; pins live in those files only.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Only what the program needs (CI's preview/deploy jobs and the renderer).
venv-runtime:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.txt

.venv-scan/.installed: requirements-scan.txt
	$(PYTHON) -m venv .venv-scan
	.venv-scan/bin/pip install --quiet -r requirements-scan.txt
	touch $@

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(VENV)/bin/mypy

# Pure, mock and scan tiers: no Java, no network.
test-unit: venv
	$(PY) -m pytest -m "not flink" -n 2

# Real Flink on loopback (downloads the Flink jars from PyPI once, into ~/.cache/flink-session).
test-flink: venv
	$(PY) -m pytest -m flink

# Everything CI checks. Real Flink runs on its own so its JVMs do not compete with the other tiers.
test: lint typecheck
	$(PY) -m pytest -m "not flink" -n 2
	$(PY) -m pytest -m flink

# The exact manifests a stack would create, without a cluster, backend or Pulumi CLI.
render: venv
	$(PY) -m tools.render $(STACK)

# Their diff between BASE (a git revision) and the work tree.
render-diff: venv
	$(PY) -m tools.render diff $(STACK) --base $(BASE)

clean:
	rm -rf $(VENV) .venv-scan .pytest_cache .mypy_cache .ruff_cache
