"""The JobManager's RPC/blob Service, the REST (web UI) Service, and the SQL Gateway's and History Server's Services."""

from __future__ import annotations

from typing import Any

from components.manifests.metadata import object_metadata, with_annotations
from components.model import ports
from components.model.cluster import Cluster
from components.model.naming import HISTORY_SERVER, JOBMANAGER, SQL_GATEWAY

HISTORY_SERVER_PORT_NAME = "http"

# pulumi-kubernetes awaits a Service's endpoints and then 10 s more for stragglers. Each
# Service selects pods whose Deployment's own await proves them Ready, and nothing in the
# program depends on a Service, so the await is skipped.
SKIP_AWAIT = {"pulumi.com/skipAwait": "true"}


def _service(
    cluster: Cluster,
    name: str,
    service_ports: list[dict[str, Any]],
    service_type: str = "ClusterIP",
    *,
    component: str = JOBMANAGER,
    extra_spec: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": with_annotations(object_metadata(cluster, name, component), SKIP_AWAIT),
        "spec": {
            "type": service_type,
            "selector": cluster.names.selector_labels(component),
            "ports": service_ports,
            **(extra_spec or {}),
        },
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


def sql_gateway_service(cluster: Cluster) -> dict[str, Any] | None:
    """The SQL Gateway's REST endpoint (8083, ClusterIP); also what the Flink JDBC driver connects to.

    A session lives in the gateway that opened it, so with several replicas a client must
    keep reaching the same one: ClientIP affinity does that for clients inside the cluster
    (a `kubectl port-forward` reaches one pod anyway). Set whatever the replica count, so
    scaling never changes the Service.
    """
    if cluster.sql_gateway is None:
        return None
    rest = [_port("rest", ports.SQL_GATEWAY)]
    return _service(cluster, cluster.names.sql_gateway, rest, component=SQL_GATEWAY, extra_spec={"sessionAffinity": "ClientIP"})


def history_server_service(cluster: Cluster) -> dict[str, Any] | None:
    """The History Server's web UI and REST API (8082, ClusterIP: it has no authentication)."""
    if cluster.history_server is None:
        return None
    web = [_port(HISTORY_SERVER_PORT_NAME, ports.HISTORY_SERVER)]
    return _service(cluster, cluster.names.history_server, web, component=HISTORY_SERVER)
