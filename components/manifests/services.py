"""The JobManager's RPC/blob Service and the REST (web UI) Service."""

from __future__ import annotations

from typing import Any

from components import ports
from components.manifests.metadata import object_metadata, with_annotations
from components.model import Cluster
from components.naming import JOBMANAGER

# pulumi-kubernetes awaits a Service until its endpoints target Ready pods and then
# waits another 10 s for "stragglers" after every endpoints change. Both Services
# select the JobManager pods, whose readiness the JobManager Deployment's own await
# already proves, and nothing in the program depends on a Service: the await only
# added 10 s to every `pulumi up` (13 s -> 4 s for dev on the local control plane).
SKIP_AWAIT = {"pulumi.com/skipAwait": "true"}


def _service(cluster: Cluster, name: str, service_ports: list[dict[str, Any]], service_type: str = "ClusterIP") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": with_annotations(object_metadata(cluster, name, JOBMANAGER), SKIP_AWAIT),
        "spec": {"type": service_type, "selector": cluster.names.selector_labels(JOBMANAGER), "ports": service_ports},
    }


def _port(name: str, number: int) -> dict[str, Any]:
    return {"name": name, "port": number, "targetPort": name, "protocol": "TCP"}


def jobmanager_service(cluster: Cluster) -> dict[str, Any]:
    """How TaskManagers (and `flink run` clients) reach the JobManager's RPC and blob server."""
    rpc_and_blob = [_port("rpc", ports.JOBMANAGER_RPC), _port("blob", ports.BLOB_SERVER)]
    return _service(cluster, cluster.names.jobmanager_service, rpc_and_blob)


def rest_service(cluster: Cluster) -> dict[str, Any]:
    """The REST API and web UI; ClusterIP unless network.restServiceType asks otherwise (no authentication)."""
    return _service(cluster, cluster.names.rest_service, [_port("rest", ports.REST)], cluster.network.rest_service_type)
