"""The real-pod tier: stacks deployed by the real `pulumi up` onto the local cluster's real node.

One cluster with a real node (tools/localcluster/cluster.sh up) for the whole tier; its
simulated nodes are tainted, so the product's pods, unchanged, run on the real node
from the locally built images with the official names. The tier runs on its own
(`pytest -m pods`, no -n): it needs the node's 2 CPUs to itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.kube import Kube
from tests.support.localcluster import cluster_env, local_cluster

TEST_STACKS = Path(__file__).parent / "stacks"


@pytest.fixture(scope="session")
def kube(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kube]:
    with local_cluster(cluster_env("pods", tmp_path_factory.mktemp("kwok")), kwok_only=False) as cluster:
        yield cluster


@pytest.fixture
def test_stacks() -> Path:
    return TEST_STACKS
