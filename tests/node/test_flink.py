"""A Flink session cluster in plain pods on the real node, for each image: a JobManager and
a TaskManager that finds it through the JobManager Service's DNS name, as in Flink's own
standalone Kubernetes example (JOB_MANAGER_RPC_ADDRESS = the Service name). Both run as
UID 9999 under Pod Security `restricted`; `GET /overview` through `kubectl port-forward`
must count the TaskManager and its slots. Both versions start together, so the JVMs'
start-up overlaps.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.node.conftest import NodeCluster
from tests.support.kube import Kube, http_get_json, namespace, pod, service

VERSIONS = {"2.2.1": "flink:2.2.1-scala_2.12-java17", "1.20.4": "flink:1.20.4-scala_2.12-java17"}
# Small processes: the node has 2 CPUs and other tests' pods beside these.
JOBMANAGER_PROPERTIES = "jobmanager.memory.process.size: 1024m"
TASKMANAGER_PROPERTIES = "taskmanager.memory.process.size: 1024m\ntaskmanager.numberOfTaskSlots: 2"


def _namespace(version: str) -> str:
    return f"flink-{version.replace('.', '-')}"


def _session_cluster(version: str) -> list[dict[str, Any]]:
    ns = _namespace(version)
    address = {"JOB_MANAGER_RPC_ADDRESS": "jobmanager"}
    return [
        namespace(ns),
        service("jobmanager", ns, {"app": "jobmanager"}, {"rpc": 6123, "blob": 6124, "rest": 8081}),
        pod(
            "jobmanager",
            ns,
            VERSIONS[version],
            args=["jobmanager"],
            env={**address, "FLINK_PROPERTIES": JOBMANAGER_PROPERTIES},
            read_only_root=False,
            ready_when_listening=8081,
        ),
        pod(
            "taskmanager",
            ns,
            VERSIONS[version],
            args=["taskmanager"],
            env={**address, "FLINK_PROPERTIES": TASKMANAGER_PROPERTIES},
            read_only_root=False,
        ),
    ]


@pytest.fixture(scope="module")
def sessions(node_cluster: NodeCluster) -> Kube:
    kube = node_cluster.kube
    kube.apply(*(obj for version in VERSIONS for obj in _session_cluster(version)))
    return kube


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_taskmanager_registers_through_the_jobmanager_service(sessions: Kube, version: str) -> None:
    ns = _namespace(version)
    sessions.wait(ns, "condition=Ready", "pod/jobmanager", "pod/taskmanager", timeout=300)
    with sessions.port_forward(ns, "service/jobmanager", 8081) as port:
        overview: dict[str, Any] = {}
        for _ in range(60):
            overview = http_get_json(port, "/overview")
            # A TaskManager registers, then reports its slots in a second call: wait for both.
            if overview["taskmanagers"] == 1 and overview["slots-total"] > 0:
                break
            time.sleep(2)
        assert overview["flink-version"] == version
        assert overview["taskmanagers"] == 1, overview
        assert overview["slots-total"] == 2, overview
    registered = sessions.logs(ns, "taskmanager")
    assert "Successful registration at resource manager" in registered
    assert "@jobmanager:6123" in registered  # by the Service's name, not an IP
    for role in ("jobmanager", "taskmanager"):
        assert sessions.exec(ns, role, "id", "-u").stdout.strip() == "9999"
