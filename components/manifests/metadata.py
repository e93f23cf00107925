"""Labels and annotations shared by every object of a cluster."""

from __future__ import annotations

from typing import Any

from components.naming import LABEL_MANAGED_BY, LABEL_PART_OF, LABEL_VERSION
from components.settings import ClusterSettings

MANAGED_BY = "pulumi"
# The stack is the source of truth for every field it sets: when someone changes one
# out of band (`kubectl scale`, `kubectl edit`), server-side apply reports a conflict
# with that field manager and `pulumi up` would fail until the field is handed back.
# Forcing the apply takes back only the fields the stack sets; `pulumi refresh` (or a
# preview after it) shows the drift first. Other managers' fields are left alone.
PATCH_FORCE = {"pulumi.com/patchForce": "true"}
PART_OF = "flink-session"


def common_labels(settings: ClusterSettings, component: str | None = None) -> dict[str, str]:
    """User labels first, then ours, so that ours (used in selectors) always win."""
    names = settings.names
    selector = names.selector_labels(component) if component else names.cluster_selector_labels()
    return {
        **settings.labels,
        **selector,
        LABEL_PART_OF: PART_OF,
        LABEL_MANAGED_BY: MANAGED_BY,
        LABEL_VERSION: str(settings.flink_version),
    }


def object_metadata(
    settings: ClusterSettings,
    name: str | None,
    component: str | None = None,
    *,
    namespaced: bool = True,
) -> dict[str, Any]:
    """Metadata for one object; `name=None` leaves naming to Pulumi (auto-name with a suffix)."""
    metadata: dict[str, Any] = {"labels": common_labels(settings, component)}
    if name is not None:
        metadata["name"] = name
    if namespaced:
        metadata["namespace"] = settings.namespace
    metadata["annotations"] = {**settings.annotations, **PATCH_FORCE}
    return metadata
