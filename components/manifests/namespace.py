"""The cluster's Namespace, enforcing the Pod Security "restricted" profile."""

from __future__ import annotations

from typing import Any

from components.manifests.metadata import object_metadata
from components.model.cluster import Cluster

POD_SECURITY_LABELS = {
    f"pod-security.kubernetes.io/{mode}{suffix}": value
    for mode in ("enforce", "audit", "warn")
    for suffix, value in (("", "restricted"), ("-version", "latest"))
}


def namespace(cluster: Cluster) -> dict[str, Any]:
    metadata = object_metadata(cluster, cluster.namespace, namespaced=False)
    metadata["labels"] = {**metadata["labels"], **POD_SECURITY_LABELS}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": metadata}
