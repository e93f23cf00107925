"""An optional Ingress to the REST API and web UI.

The REST API has no authentication and accepts job submission (arbitrary code), so
an Ingress must sit behind the user's own authentication (docs/security.md).
"""

from __future__ import annotations

from typing import Any

from components.manifests.metadata import object_metadata, with_annotations
from components.model import ports
from components.model.cluster import Cluster
from components.model.naming import JOBMANAGER


def ingress(cluster: Cluster) -> dict[str, Any] | None:
    spec = cluster.ingress
    if spec is None:
        return None
    service = cluster.names.rest_service
    metadata = with_annotations(object_metadata(cluster, service, JOBMANAGER), spec.annotations)
    backend = {"service": {"name": service, "port": {"number": ports.REST}}}
    body: dict[str, Any] = {
        "rules": [{"host": spec.host, "http": {"paths": [{"path": spec.path, "pathType": "Prefix", "backend": backend}]}}]
    }
    if spec.class_name is not None:
        body["ingressClassName"] = spec.class_name
    if spec.tls_secret_name is not None:
        body["tls"] = [{"hosts": [spec.host], "secretName": spec.tls_secret_name}]
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": metadata, "spec": body}
