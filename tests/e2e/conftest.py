"""The real-API-server tier: a local control plane (kwok) started once for the session."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT

CLUSTER_SCRIPT = ROOT / "tools" / "localcluster" / "cluster.sh"
BUILD_SCRIPT = ROOT / "tools" / "toolchain" / "build.sh"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@dataclass
class Kube:
    """kubectl against the local cluster."""

    kubectl: Path
    kubeconfig: Path

    def run(self, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(self.kubectl), "--kubeconfig", str(self.kubeconfig), *args],
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({result.returncode}):\n{result.stderr}{result.stdout}")
        return result

    def get(self, *args: str) -> Any:
        return json.loads(self.run("get", *args, "-o", "json").stdout)


def _tool(name: str) -> Path:
    listing = subprocess.run(["bash", str(BUILD_SCRIPT)], capture_output=True, text=True, check=False).stdout
    paths = dict(line.split("=", 1) for line in listing.split())
    return Path(paths[name])


@pytest.fixture(scope="session")
def kube(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kube]:
    env = {
        **os.environ,
        "FLINK_SESSION_CLUSTER": f"e2e-{os.getpid()}",
        "KWOK_WORKDIR": str(tmp_path_factory.mktemp("kwok")),
    }
    started = subprocess.run(["bash", str(CLUSTER_SCRIPT), "up"], capture_output=True, text=True, env=env, check=False)
    assert started.returncode == 0, started.stderr[-3000:]
    try:
        yield Kube(_tool("kubectl"), Path(started.stdout.strip().splitlines()[-1]))
    finally:
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "down"], capture_output=True, env=env, check=False)
