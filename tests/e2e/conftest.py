"""The end-to-end tier: the real Pulumi engine against a real kube-apiserver (kwok nodes), started once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.kube import Kube
from tests.support.localcluster import cluster_env, local_cluster

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


@pytest.fixture
def test_stacks() -> Path:
    return TEST_STACKS
