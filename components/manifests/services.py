"""The JobManager's RPC/blob Service and the REST (web UI) Service."""

from __future__ import annotations

from typing import Any

from components import ports
from components.manifests.metadata import object_metadata
from components.naming import JOBMANAGER
from components.settings import ClusterSettings

# pulumi-kubernetes awaits a Service until its endpoints target Ready pods and then
# waits another 10 s for "stragglers" after every endpoints change. Both Services
# select the JobManager pods, whose readiness the JobManager Deployment's own await
# already proves, and nothing in the program depends on a Service: the await only
# added 10 s to every `pulumi up` (13 s -> 4 s for dev on the local control plane).
SKIP_AWAIT = {"pulumi.com/skipAwait": "true"}


def _service(
    settings: ClusterSettings, name: str, service_ports: list[dict[str, Any]], service_type: str = "ClusterIP"
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _with_annotations(object_metadata(settings, name, JOBMANAGER), SKIP_AWAIT),
        "spec": {
            "type": service_type,
            "selector": settings.names.selector_labels(JOBMANAGER),
            "ports": service_ports,
        },
    }


def _with_annotations(metadata: dict[str, Any], annotations: dict[str, str]) -> dict[str, Any]:
    return {**metadata, "annotations": {**metadata.get("annotations", {}), **annotations}}


def jobmanager_service(settings: ClusterSettings) -> dict[str, Any]:
    """How TaskManagers (and `flink run` clients) reach the JobManager's RPC and blob server."""
    return _service(
        settings,
        settings.names.jobmanager_service,
        [
            {"name": "rpc", "port": ports.JOBMANAGER_RPC, "targetPort": "rpc", "protocol": "TCP"},
            {"name": "blob", "port": ports.BLOB_SERVER, "targetPort": "blob", "protocol": "TCP"},
        ],
    )


def rest_service(settings: ClusterSettings) -> dict[str, Any]:
    """The REST API and web UI; ClusterIP unless network.restServiceType asks otherwise (no authentication)."""
    return _service(
        settings,
        settings.names.rest_service,
        [{"name": "rest", "port": ports.REST, "targetPort": "rest", "protocol": "TCP"}],
        settings.network.rest_service_type,
    )
