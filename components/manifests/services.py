"""The JobManager's RPC/blob Service and the REST (web UI) Service."""

from __future__ import annotations

from typing import Any

from components import ports
from components.manifests.metadata import object_metadata
from components.naming import JOBMANAGER
from components.settings import ClusterSettings


def _service(
    settings: ClusterSettings, name: str, service_ports: list[dict[str, Any]], service_type: str = "ClusterIP"
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": object_metadata(settings, name, JOBMANAGER),
        "spec": {
            "type": service_type,
            "selector": settings.names.selector_labels(JOBMANAGER),
            "ports": service_ports,
        },
    }


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
