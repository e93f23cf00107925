"""The real-pod tier: stacks deployed by the real `pulumi up` onto the local cluster's real node.

One cluster with a real node (tools/localcluster/cluster.sh up) for the whole tier; its
simulated nodes are tainted, so the product's pods, unchanged, run on the real node
from the locally built images with the official names. The tier runs on its own
(`pytest -m pods`, no -n): it needs the node's 2 CPUs to itself.
"""

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
TEST_STACKS = Path(__file__).parent / "stacks"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/pods/" in str(item.fspath):
            item.add_marker(pytest.mark.pods)
            # Under pytest-xdist every worker would start a cluster with a real node of its
            # own on the same 2 CPUs; the tier runs on its own (make test-pods).
            if os.environ.get("PYTEST_XDIST_WORKER"):
                item.add_marker(pytest.mark.skip(reason="the real-pod tier runs on its own: pytest -m pods (no -n)"))


@pytest.fixture(scope="session")
def kube(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kube]:
    workdir = tmp_path_factory.mktemp("kwok")
    env = {**os.environ, "FLINK_SESSION_CLUSTER": f"pods-{os.getpid()}", "KWOK_WORKDIR": str(workdir)}
    started = subprocess.run(
        ["bash", str(CLUSTER_SCRIPT), "up"], capture_output=True, text=True, env=env, check=False, timeout=1800
    )
    try:
        assert started.returncode == 0, started.stderr[-5000:]
        yield Kube(toolchain_path("kubectl"), Path(started.stdout.strip().splitlines()[-1]))
    finally:
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "down"], capture_output=True, env=env, check=False, timeout=600)


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
