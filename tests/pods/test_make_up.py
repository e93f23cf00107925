"""`make up` and `make down` as a newcomer runs them: a local cluster with a real node, dev through the real engine.

On a copy of the repository (its own `.pulumi-state/`, so the checkout is never
touched) and with `FLINK_SESSION_LOCAL=1` (a developer's own kube context is never
used): `make up` starts a local cluster of its own, deploys the dev stack with
`pulumi up`, and ends with `GET /overview` through `kubectl port-forward` showing
dev's Flink version and slots, and the command to reach the web UI; the pods ran on the
real node. `make down` destroys the stack, removes it from the local backend without
deleting the committed stack file (`pulumi stack rm` does unless `--preserve-config`),
and stops the cluster.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.config import ROOT, stack_config
from tests.support.kube import Kube
from tools.engine import Toolchain, toolchain_path

STACK = "dev"
NOT_COPIED = (".git", ".venv", ".venv-scan", ".pulumi-state", "__pycache__", ".*_cache", ".hypothesis", "docs")


def _make(checkout: Path, target: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "-C", str(checkout), target], capture_output=True, text=True, env=env, check=False, timeout=1500
    )


def test_make_up_then_make_down(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, toolchain: Toolchain) -> None:
    checkout = tmp_path / "flink-session"
    # copy2 keeps mtimes, so the virtualenvs' install stamps stay newer than the requirements.
    shutil.copytree(ROOT, checkout, ignore=shutil.ignore_patterns(*NOT_COPIED))
    (checkout / ".venv").symlink_to(Path(sys.prefix))
    (checkout / ".venv-scan").symlink_to(ROOT / ".venv-scan")
    stack_file = checkout / "stacks" / f"Pulumi.{STACK}.yaml"
    committed = stack_file.read_bytes()
    name = f"makeup-{os.getpid()}"
    workdir = tmp_path_factory.mktemp("makeup-kwok")
    env = {**os.environ, "FLINK_SESSION_LOCAL": "1", "FLINK_SESSION_CLUSTER": name, "KWOK_WORKDIR": str(workdir)}
    env.pop("KUBECONFIG", None)
    kube = Kube(toolchain_path("kubectl"), workdir / f"{name}.kubeconfig")
    try:
        up = _make(checkout, "up", env)
        assert up.returncode == 0, up.stdout[-4000:] + up.stderr[-4000:]

        overview = json.loads(re.search(r"GET /overview -> (\{.*\})", up.stderr).group(1))  # type: ignore[union-attr]
        assert overview["flink-version"] == stack_config(STACK)["cluster"]["flinkVersion"]
        assert overview["taskmanagers"] >= 1
        assert overview["slots-total"] > 0
        assert re.search(r"web UI: KUBECONFIG=\S+ \S+ -n \S+ port-forward svc/\S+ 8081:8081", up.stderr), up.stderr
        assert "clusters" in up.stdout, up.stdout  # `pulumi stack output`
        real_nodes = {n["metadata"]["name"] for n in kube.get("nodes", "-l", "type=real")["items"]}
        pods = [p for p in kube.get("pods", "-A")["items"] if p["metadata"]["namespace"] not in ("kube-system",)]
        assert pods, "make up ran no pods"
        assert {p["spec"].get("nodeName") for p in pods} <= real_nodes, [p["spec"].get("nodeName") for p in pods]

        down = _make(checkout, "down", env)
        assert down.returncode == 0, down.stdout[-4000:] + down.stderr[-4000:]
        assert stack_file.exists(), "make down deleted the committed stack file"
        assert stack_file.read_bytes() == committed
        listed = subprocess.run(
            [str(toolchain.pulumi), "stack", "ls", "--json", "--non-interactive"],
            cwd=checkout,
            capture_output=True,
            text=True,
            env={**toolchain.environment(), "PULUMI_BACKEND_URL": f"file://{checkout / '.pulumi-state'}"},
            check=True,
        )
        assert json.loads(listed.stdout) == [], listed.stdout
        still_up = kube.run("get", "nodes", "--request-timeout=5s", check=False)
        assert still_up.returncode != 0, "the local cluster is still up"
    finally:
        # After a failure half-way: the stack (if any), then the cluster, whatever state they are in.
        for script in ("up.sh", "cluster.sh"):
            subprocess.run(
                ["bash", str(checkout / "tools" / "localcluster" / script), "down"],
                capture_output=True,
                env=env,
                check=False,
                timeout=600,
            )
