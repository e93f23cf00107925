"""Labels and annotations shared by every object of a cluster."""

from __future__ import annotations

from typing import Any

from components.naming import LABEL_MANAGED_BY, LABEL_PART_OF, LABEL_VERSION
from components.settings import ClusterSettings

MANAGED_BY = "pulumi"
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
    if settings.annotations:
        metadata["annotations"] = dict(settings.annotations)
    return metadata
