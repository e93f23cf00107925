"""The ConfigMap that holds Flink's conf directory."""

from __future__ import annotations

from typing import Any

from components.flink_config import render_config_files
from components.manifests.metadata import object_metadata
from components.settings import ClusterSettings


def config_map(settings: ClusterSettings) -> dict[str, Any]:
    """Without a name: Pulumi auto-names it, so any change creates a new ConfigMap and rolls the pods."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": object_metadata(settings, None),
        "data": render_config_files(settings),
    }
