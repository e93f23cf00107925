"""The cluster's Namespace, enforcing the Pod Security "restricted" profile."""

from __future__ import annotations

from typing import Any

from components.manifests.metadata import object_metadata
from components.settings import ClusterSettings

POD_SECURITY_LABELS = {
    f"pod-security.kubernetes.io/{mode}{suffix}": value
    for mode in ("enforce", "audit", "warn")
    for suffix, value in (("", "restricted"), ("-version", "latest"))
}


def namespace(settings: ClusterSettings) -> dict[str, Any]:
    metadata = object_metadata(settings, settings.namespace, namespaced=False)
    metadata["labels"] = {**metadata["labels"], **POD_SECURITY_LABELS}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": metadata}
