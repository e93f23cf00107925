"""The real-node tier: one local cluster with a real node (cluster.sh up) for the whole tier.

The machine's state is read before the cluster starts; test_machine.py's last test stops
it and checks that the machine is as it was. The tier runs on its own (`pytest -m node`):
under pytest-xdist every worker would start a cluster of its own, and the machine-state
check would see the others', so it is skipped there.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.node.host_state import Snapshot, snapshot
from tests.support.kube import Kube
from tests.support.localcluster import cluster_env, cluster_sh
from tools.engine import toolchain_path

# The test that stops the cluster and checks the machine runs last of all.
LAST = "test_down_leaves_the_machine_as_found"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tier's marker comes from tests/conftest.py; here only the order."""
    node_items = [item for item in items if "tests/node/" in str(item.fspath)]
    # test_machine.py restarts and finally stops the cluster: after every other test.
    lifecycle = [item for item in node_items if item.fspath.basename == "test_machine.py"]
    lifecycle.sort(key=lambda item: item.name == LAST)
    for item in lifecycle:
        items.remove(item)
        items.append(item)


@dataclass
class NodeCluster:
    """The running cluster, and how to stop it and read the machine's state."""

    kube: Kube
    env: dict[str, str]
    workdir: Path
    before: Snapshot

    @property
    def node_dir(self) -> Path:
        return self.workdir / "nodes" / self.env["FLINK_SESSION_CLUSTER"]

    def images(self) -> list[str]:
        """The references of every image the node's registry holds (images.list)."""
        return [line.split("=", 1)[0] for line in (self.node_dir / "images.list").read_text().split()]

    def image(self, repository: str) -> str:
        """The reference of the node's image of `repository` (e.g. localhost:5000/flink-session/toolbox)."""
        for line in (self.node_dir / "images.list").read_text().split():
            reference = line.split("=", 1)[0]
            if reference.rsplit(":", 1)[0] == repository:
                return reference
        raise AssertionError(f"no image of {repository} in {self.node_dir / 'images.list'}")

    def node_env(self) -> dict[str, str]:
        lines = (self.node_dir / "node.env").read_text().splitlines()
        return dict(line.split("=", 1) for line in lines if "=" in line)

    def cluster_sh(self, *args: str) -> subprocess.CompletedProcess[str]:
        return cluster_sh(self.env, *args, timeout=900)

    def process_tokens(self, cgroup_root: str) -> tuple[str, ...]:
        # Its daemons name the state directory; its pods are in the node's cgroup.
        return (str(self.workdir), f"{cgroup_root}/")


@pytest.fixture(scope="session")
def node_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeCluster]:
    if os.geteuid() != 0:
        pytest.skip("the real node needs root (namespaces, mounts, cgroups)")
    workdir = tmp_path_factory.mktemp("kwok")
    env = cluster_env("node", workdir)
    # Before anything of this cluster exists: its state directory is new, and its cgroup
    # (named after the node index, unknown yet) cannot exist without a ledger entry.
    before = snapshot((str(workdir),))
    started = cluster_sh(env, "up")
    cluster = NodeCluster(
        kube=Kube(toolchain_path("kubectl"), workdir / f"{env['FLINK_SESSION_CLUSTER']}.kubeconfig"),
        env=env,
        workdir=workdir,
        before=before,
    )
    try:
        assert started.returncode == 0, started.stderr[-5000:]
        assert started.stdout.strip().splitlines()[-1] == str(cluster.kube.kubeconfig)
        yield cluster
    finally:
        # Idempotent: the last test has usually stopped it already.
        cluster.cluster_sh("down")
