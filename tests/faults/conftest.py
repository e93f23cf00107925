"""The faults tier: a control plane with kwok nodes and a real Flink on loopback, started once; kills of `pulumi`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.kube import Kube
from tests.support.localcluster import cluster_env, local_cluster


@pytest.fixture(scope="session")
def kube(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kube]:
    with local_cluster(cluster_env("faults", tmp_path_factory.mktemp("kwok")), kwok_only=True) as cluster:
        yield cluster
