"""The end-to-end tier: the real Pulumi engine against a real kube-apiserver (kwok nodes), started once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.node.kube import Kube
from tests.support import ROOT
from tools.engine import Toolchain, Workspace, toolchain_path

CLUSTER_SCRIPT = ROOT / "tools" / "localcluster" / "cluster.sh"
PODMONITOR_CRD = Path(__file__).parent / "podmonitor-crd.yaml"
TEST_STACKS = Path(__file__).parent / "stacks"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def kube(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kube]:
    """A control plane with simulated (kwok) nodes only: pods are marked Ready without running."""
    env = {
        **os.environ,
        "FLINK_SESSION_CLUSTER": f"e2e-{os.getpid()}",
        "KWOK_WORKDIR": str(tmp_path_factory.mktemp("kwok")),
    }
    started = subprocess.run(
        ["bash", str(CLUSTER_SCRIPT), "up", "--kwok-only"], capture_output=True, text=True, env=env, check=False
    )
    assert started.returncode == 0, started.stderr[-3000:]
    cluster = Kube(toolchain_path("kubectl"), Path(started.stdout.strip().splitlines()[-1]))
    try:
        # staging and prod create a PodMonitor: the cluster needs its CRD, as one with the Prometheus operator has.
        cluster.run("apply", "-f", str(PODMONITOR_CRD))
        cluster.run("wait", "--for=condition=Established", "crd/podmonitors.monitoring.coreos.com", "--timeout=60s")
        yield cluster
    finally:
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "down"], capture_output=True, env=env, check=False)


@pytest.fixture(scope="session")
def toolchain() -> Toolchain:
    return Toolchain.load()


@pytest.fixture
def workspace(tmp_path: Path, toolchain: Toolchain, kube: Kube) -> Iterator[Workspace]:
    """A fresh copy of the project with its own backend, plus the test-only stacks' files.

    Whatever a test leaves deployed (it failed half-way) is destroyed afterwards, so
    one failure does not cascade into the next test on the shared control plane.
    """
    workspace = Workspace.copy_of_project(tmp_path / "project", toolchain, kube.kubeconfig, Path(sys.prefix))
    for stack_file in TEST_STACKS.glob("Pulumi.*.yaml"):
        (workspace.directory / "stacks" / stack_file.name).write_text(stack_file.read_text())
    yield workspace
    workspace.remove_everything()
