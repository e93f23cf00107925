"""The real-pod tier: stacks deployed by the real `pulumi up` onto the local cluster's real node.

One cluster with a real node (tools/localcluster/cluster.sh up) for the whole tier; its
simulated nodes are tainted, so the product's pods, unchanged, run on the real node
from the locally built images with the official names. The tier runs on its own
(`pytest -m pods`, no -n): it needs the node's 2 CPUs to itself.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.kube import Kube
from tests.support.localcluster import cluster_env, local_cluster
from tools.engine import Toolchain, Workspace

TEST_STACKS = Path(__file__).parent / "stacks"


@pytest.fixture(scope="session")
def kube(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kube]:
    with local_cluster(cluster_env("pods", tmp_path_factory.mktemp("kwok")), kwok_only=False) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def toolchain() -> Toolchain:
    return Toolchain.load()


@pytest.fixture
def workspace(tmp_path: Path, toolchain: Toolchain, kube: Kube) -> Iterator[Workspace]:
    """A copy of the project (plus this tier's test stacks) whose stacks are destroyed afterwards."""
    workspace = Workspace.copy_of_project(tmp_path / "project", toolchain, kube.kubeconfig, Path(sys.prefix))
    for stack_file in TEST_STACKS.glob("Pulumi.*.yaml"):
        (workspace.directory / "stacks" / stack_file.name).write_text(stack_file.read_text())
    yield workspace
    workspace.remove_everything()
