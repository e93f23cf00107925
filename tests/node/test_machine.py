"""The node's life cycle: `up` again is a no-op, `up` repairs a node whose kubelet died,
`down` undoes a partial `up`, and `down` leaves the machine exactly as it was found
(mounts, interfaces, addresses, routes, namespaces, iptables/ip6tables/nftables rules,
sysctls, cgroups, the files the kubelet and containerd write outside their directories,
and processes). These tests restart or stop the cluster, so they run after all others
(conftest.py), the last one last.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

from tests.node.conftest import NodeCluster
from tests.node.host_state import differences, snapshot
from tests.support.localcluster import CLUSTER_SCRIPT

NODE_SCRIPT = CLUSTER_SCRIPT.parent / "node.sh"


def _coredns_pod(cluster: NodeCluster) -> tuple[str, str]:
    pods = cluster.kube.get("-n", "kube-system", "pods", "-l", "k8s-app=kube-dns")["items"]
    running = [p for p in pods if p["status"].get("phase") == "Running"]
    assert len(running) == 1, pods
    return running[0]["metadata"]["uid"], running[0]["status"]["containerStatuses"][0]["containerID"]


def test_up_again_is_a_no_op(node_cluster: NodeCluster) -> None:
    kubelet = (node_cluster.node_dir / "run" / "kubelet.pid").read_text()
    coredns = _coredns_pod(node_cluster)
    started = time.monotonic()
    again = node_cluster.cluster_sh("up")
    assert again.returncode == 0, again.stderr[-3000:]
    assert again.stdout.strip().splitlines()[-1] == str(node_cluster.kube.kubeconfig)
    assert time.monotonic() - started < 60
    assert (node_cluster.node_dir / "run" / "kubelet.pid").read_text() == kubelet
    assert _coredns_pod(node_cluster) == coredns


def test_up_restarts_a_node_whose_kubelet_died(node_cluster: NodeCluster) -> None:
    kubelet = int((node_cluster.node_dir / "run" / "kubelet.pid").read_text())
    os.kill(kubelet, signal.SIGKILL)
    repaired = node_cluster.cluster_sh("up")
    assert repaired.returncode == 0, repaired.stderr[-3000:]
    assert int((node_cluster.node_dir / "run" / "kubelet.pid").read_text()) != kubelet
    node_cluster.kube.wait("kube-system", "condition=Available", "deployment/coredns")


def test_down_undoes_a_partial_up(node_cluster: NodeCluster) -> None:
    """A node whose `up` stopped half-way (here: after its namespaces, veth, registry and
    containerd, at an unreadable kubeconfig) is removed whole by `down`."""
    env = {**node_cluster.env, "FLINK_SESSION_CLUSTER": "partial"}
    node_dir = node_cluster.workdir / "nodes" / "partial"

    def node_sh(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", str(NODE_SCRIPT), *args], capture_output=True, text=True, env=env, check=False)

    prepared = node_sh("prepare")
    assert prepared.returncode == 0, prepared.stderr
    index = dict(line.split("=", 1) for line in prepared.stdout.split())["NODE_INDEX"]
    failed = node_sh("up", str(node_cluster.workdir / "missing.kubeconfig"))
    assert failed.returncode != 0
    assert (node_dir / "ns" / "net").exists()
    assert subprocess.run(["ip", "link", "show", f"fsn{index}"], capture_output=True, check=False).returncode == 0
    down = node_sh("down")
    assert down.returncode == 0, down.stderr
    assert not node_dir.exists()
    assert subprocess.run(["ip", "link", "show", f"fsn{index}"], capture_output=True, check=False).returncode != 0
    assert not any(str(node_dir) in line for line in snapshot((str(node_dir),)).categories["processes"])


def test_down_leaves_the_machine_as_found(node_cluster: NodeCluster) -> None:
    cgroup_root = node_cluster.node_env()["CGROUP_ROOT"]
    down = node_cluster.cluster_sh("down")
    assert down.returncode == 0, down.stderr[-3000:]
    after = snapshot(node_cluster.process_tokens(cgroup_root))
    changed = differences(node_cluster.before, after, mine=str(node_cluster.node_dir))
    report = "\n".join(
        f"{category}:\n" + "".join(f"  - {line}\n" for line in gone) + "".join(f"  + {line}\n" for line in new)
        for category, (gone, new) in changed.items()
    )
    assert not changed, f"the machine is not as it was before `cluster.sh up`:\n{report}"
