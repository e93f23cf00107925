"""The end-to-end tier: the real Pulumi engine against a real kube-apiserver (kwok nodes), started once."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.kube import Kube
from tests.support.localcluster import cluster_env, local_cluster
from tools.engine import Toolchain, Workspace

PODMONITOR_CRD = Path(__file__).parent / "podmonitor-crd.yaml"
TEST_STACKS = Path(__file__).parent / "stacks"


@pytest.fixture(scope="session")
def kube(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kube]:
    """A control plane with simulated (kwok) nodes only: pods are marked Ready without running."""
    with local_cluster(cluster_env("e2e", tmp_path_factory.mktemp("kwok")), kwok_only=True) as cluster:
        # staging and prod create a PodMonitor: the cluster needs its CRD, as one with the Prometheus operator has.
        cluster.run("apply", "-f", str(PODMONITOR_CRD))
        cluster.run("wait", "--for=condition=Established", "crd/podmonitors.monitoring.coreos.com", "--timeout=60s")
        yield cluster


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
