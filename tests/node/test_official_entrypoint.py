"""The product's pods run on the official image's entrypoint too: our manifests need nothing our own entrypoint adds.

The local images carry this project's entrypoint (tools/images/entrypoint.sh, the
official contract written here). Where a reference copy of apache/flink-docker is given
(FLINK_DOCKER_DIR, which CI sets), the images are also built with the official
docker-entrypoint.sh and USER (localhost:5000/flink-session/flink-official-entrypoint).
Here the objects the component renders for a small cluster of each line (2.2.1, whose
image runs as USER flink, and 1.20.4, which starts as root and steps down with gosu) are
applied with that image: the Deployments become Available under Pod Security
`restricted`, and `GET /overview` counts the TaskManagers' slots.
"""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from components.manifests.objects import cluster_objects
from components.model.cluster import replace_sensitive
from components.resolution import parse_stack_config
from tests.node.conftest import NodeCluster
from tests.support.kube import http_get_json

OFFICIAL = "localhost:5000/flink-session/flink-official-entrypoint"
VERSIONS = ("2.2.1", "1.20.4")

pytestmark = pytest.mark.skipif(
    not os.environ.get("FLINK_DOCKER_DIR"),
    reason="needs a reference copy of apache/flink-docker (FLINK_DOCKER_DIR, which CI sets) to build the official variant",
)


def _cluster(version: str, image: str) -> dict[str, Any]:
    """A cluster small enough for the node's 2 CPUs beside the other tests' pods."""
    return {
        "name": f"official-{version.replace('.', '-')}",
        "environment": "development",
        "flinkVersion": version,
        "image": image,
        "parallelism": 2,
        "taskManager": {"slots": 2, "cpu": "250m", "memory": "1Gi", "scratchSize": "512Mi"},
        "jobManager": {"cpu": "250m", "memory": "800Mi", "scratchSize": "512Mi"},
    }


@pytest.mark.parametrize("version", VERSIONS)
def test_the_rendered_pods_run_on_the_official_entrypoint(node_cluster: NodeCluster, version: str) -> None:
    kube = node_cluster.kube
    image = f"{OFFICIAL}:{version}-scala_2.12-java17"
    assert image in node_cluster.images(), node_cluster.images()
    (resolution,) = parse_stack_config({"cluster": _cluster(version, image)})
    cluster = resolution.cluster
    manifests = [replace_sensitive(item.manifest, lambda secret: secret.reveal()) for item in cluster_objects(cluster)]
    try:
        kube.apply(*manifests)
        kube.wait(cluster.namespace, "condition=Available", "deployment", "--all", timeout=300)
        with kube.port_forward(cluster.namespace, f"svc/{cluster.names.rest_service}", 8081) as port:
            overview: dict[str, Any] = {}
            for _ in range(60):
                overview = http_get_json(port, "/overview")
                if overview["slots-total"] == cluster.total_slots:
                    break
                time.sleep(2)
        assert overview["flink-version"] == version
        assert (overview["taskmanagers"], overview["slots-total"]) == (1, 2), overview
        pods = kube.get("pods", "-n", cluster.namespace)["items"]
        assert {c["image"] for p in pods for c in p["spec"]["containers"]} == {image}
        jobmanager = next(p["metadata"]["name"] for p in pods if "jobmanager" in p["metadata"]["name"])
        assert kube.exec(cluster.namespace, jobmanager, "id", "-u").stdout.strip() == "9999"
    finally:
        kube.run("delete", "namespace", cluster.namespace, "--wait=true", check=False)
