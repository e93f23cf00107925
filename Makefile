# flink-session: set-up, checks and tests. `make test` is what CI runs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: venv venv-runtime lint typecheck test test-unit test-flink test-e2e test-faults test-node test-pods packages toolchain up down recover render render-diff clean

STACK ?= dev
BASE ?= main

venv: $(VENV)/.installed .venv-scan/.installed

# Re-install whenever the pins change (pyproject.toml; the requirements files are made from
# it by tools/pins.py). With uv on PATH, also uv.lock, so Pulumi uses its uv toolchain.
$(VENV)/.installed: pyproject.toml requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m tools.pins lock
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
	$(VENV)/bin/lint-imports

typecheck: venv
	$(VENV)/bin/mypy

FAST_TIERS := not flink and not e2e and not node and not pods and not faults

# Pure, mock, scan and policy tiers: no Java, no cluster.
test-unit: venv
	$(PY) -m pytest -m "$(FAST_TIERS)" -n 2

# Real Flink on loopback (downloads the Flink jars from PyPI once, into ~/.cache/flink-session).
test-flink: venv
	$(PY) -m pytest -m flink

# The real Pulumi engine against a real kube-apiserver on loopback (kwok nodes).
test-e2e: venv toolchain
	$(PY) -m pytest -m e2e

# The local cluster's real node (containerd, kubelet, kube-proxy, CoreDNS; needs root),
# and leaving the machine as it was found.
test-node: venv toolchain packages
	$(PY) -m pytest -m node

# Flink in real pods on the real node, deployed by the real pulumi up.
test-pods: venv toolchain packages
	$(PY) -m pytest -m pods

# pulumi killed at chosen moments, then the documented recovery (real engine, Flink, API server).
test-faults: venv toolchain
	$(PY) -m pytest -m faults

# The real node's and the image builder's Debian packages (root; a no-op when installed).
packages:
	bash tools/localcluster/packages.sh >/dev/null

# etcd, Kubernetes, kwok, CoreDNS and actionlint from their Go modules, and the Pulumi
# engine (on PATH, or from release archives in $$PULUMI_ARCHIVES), cached by version.
toolchain:
	bash tools/toolchain/build.sh >/dev/null

# The dev stack (or STACK=...) on $$KUBECONFIG, or on a local cluster started for it (whose
# toolchain, packages and images up.sh makes only then).
up: venv
	STACK=$(STACK) bash tools/localcluster/up.sh up

down: venv
	STACK=$(STACK) bash tools/localcluster/up.sh down

# After a killed `pulumi up` of STACK: the one command that makes it converge (docs/recovery.md).
recover: venv
	STACK=$(STACK) bash tools/localcluster/up.sh recover

# Everything CI checks. Each heavy tier runs on its own so its processes do not
# compete with the others' on a 2-core machine.
test: lint typecheck toolchain packages
	$(PY) -m pytest -m "$(FAST_TIERS)" -n 2
	$(PY) -m pytest -m flink
	$(PY) -m pytest -m e2e
	$(PY) -m pytest -m faults
	$(PY) -m pytest -m node
	$(PY) -m pytest -m pods

# The exact manifests a stack would create, without a cluster, backend or Pulumi CLI.
render: venv
	$(PY) -m tools.review $(STACK)

# Their diff between BASE (a git revision) and the work tree.
render-diff: venv
	$(PY) -m tools.review diff $(STACK) --base $(BASE)

clean:
	rm -rf $(VENV) .venv-scan .pytest_cache .mypy_cache .ruff_cache
