"""Labels and annotations shared by every object of a cluster."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.model.cluster import Cluster
from components.model.naming import LABEL_ENVIRONMENT, LABEL_MANAGED_BY, LABEL_PART_OF, LABEL_VERSION, OWNER_ANNOTATION

MANAGED_BY = "pulumi"
# The stack is the source of truth for every field it sets: when someone changes one
# out of band (`kubectl scale`, `kubectl edit`), server-side apply reports a conflict
# with that field manager and `pulumi up` would fail until the field is handed back.
# Forcing the apply takes back only the fields the stack sets; `pulumi refresh` (or a
# preview after it) shows the drift first. Other managers' fields are left alone.
PATCH_FORCE = {"pulumi.com/patchForce": "true"}
PART_OF = "flink-session"


def common_labels(cluster: Cluster, component: str | None = None) -> dict[str, str]:
    """User labels first, then ours, so that ours (used in selectors and by the policy pack) always win."""
    names = cluster.names
    selector = names.selector_labels(component) if component else names.cluster_selector_labels()
    return {
        **cluster.labels,
        **selector,
        LABEL_PART_OF: PART_OF,
        LABEL_MANAGED_BY: MANAGED_BY,
        LABEL_VERSION: str(cluster.flink_version),
        LABEL_ENVIRONMENT: cluster.environment,
    }


def with_annotations(metadata: dict[str, Any], annotations: Mapping[str, str]) -> dict[str, Any]:
    """The metadata with more annotations on top of its own."""
    return {**metadata, "annotations": {**metadata.get("annotations", {}), **annotations}}


def with_owner(manifest: dict[str, Any], owner: str) -> dict[str, Any]:
    """The manifest marked with the stack that owns it (naming.OWNER_ANNOTATION), as it is registered."""
    metadata = manifest["metadata"]
    annotations = {**metadata.get("annotations", {}), OWNER_ANNOTATION: owner}
    return {**manifest, "metadata": {**metadata, "annotations": annotations}}


def object_metadata(cluster: Cluster, name: str, component: str | None = None, *, namespaced: bool = True) -> dict[str, Any]:
    """Metadata for one object: its name, our labels, the user's annotations and patchForce."""
    metadata: dict[str, Any] = {"name": name, "labels": common_labels(cluster, component)}
    if namespaced:
        metadata["namespace"] = cluster.namespace
    metadata["annotations"] = {**cluster.annotations, **PATCH_FORCE}
    return metadata
