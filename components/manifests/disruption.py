"""PodDisruptionBudget for the TaskManagers: node drains take their slots one pod at a time."""

from __future__ import annotations

from typing import Any

from components.manifests.metadata import object_metadata
from components.naming import TASKMANAGER
from components.settings import ClusterSettings


def taskmanager_disruption_budget(settings: ClusterSettings) -> dict[str, Any] | None:
    """None for a single TaskManager: a budget there could only block drains forever or allow everything."""
    if settings.task_manager.replicas < 2:
        return None
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": object_metadata(settings, settings.names.taskmanager, TASKMANAGER),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": settings.names.selector_labels(TASKMANAGER)}},
    }
