"""flink-session: Apache Flink session clusters on Kubernetes as a Pulumi component.

The public API is what this namespace exports (`__all__`; tests/unit/test_public_api.py
pins it). Everything else is internal, laid out by layer (docs/architecture.md):
input -> resolution -> model -> flink, kubernetes, manifests -> resources (the only
layer that imports Pulumi) and jobs. Names resolve on first use, so importing a pure
module (`components.model...`) never imports Pulumi.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from components.errors import ConfigError
    from components.input.schema import (
        CheckpointsArgs,
        FlinkSessionClusterArgs,
        HighAvailabilityArgs,
        IngressArgs,
        JobArgs,
        JobManagerArgs,
        MetricsArgs,
        NetworkArgs,
        PeerArgs,
        RestartStrategyArgs,
        S3Args,
        SavepointsArgs,
        SchedulingArgs,
        SharedVolumeArgs,
        SqlGatewayArgs,
        StateBackendArgs,
        StorageArgs,
        TaskManagerArgs,
        TolerationArgs,
    )
    from components.jobs.resource import FlinkSessionJob, SessionJobArgs
    from components.resources.cluster import FlinkSessionCluster

_SCHEMA = "components.input.schema"
_HOMES = {
    "FlinkSessionCluster": "components.resources.cluster",
    "FlinkSessionJob": "components.jobs.resource",
    "SessionJobArgs": "components.jobs.resource",
    "ConfigError": "components.errors",
    **dict.fromkeys(
        (
            "FlinkSessionClusterArgs",
            "TaskManagerArgs",
            "JobManagerArgs",
            "SqlGatewayArgs",
            "SchedulingArgs",
            "TolerationArgs",
            "NetworkArgs",
            "PeerArgs",
            "HighAvailabilityArgs",
            "CheckpointsArgs",
            "SavepointsArgs",
            "StateBackendArgs",
            "RestartStrategyArgs",
            "StorageArgs",
            "S3Args",
            "SharedVolumeArgs",
            "MetricsArgs",
            "IngressArgs",
            "JobArgs",
        ),
        _SCHEMA,
    ),
}

__all__ = [
    "CheckpointsArgs",
    "ConfigError",
    "FlinkSessionCluster",
    "FlinkSessionClusterArgs",
    "FlinkSessionJob",
    "HighAvailabilityArgs",
    "IngressArgs",
    "JobArgs",
    "JobManagerArgs",
    "MetricsArgs",
    "NetworkArgs",
    "PeerArgs",
    "RestartStrategyArgs",
    "S3Args",
    "SavepointsArgs",
    "SchedulingArgs",
    "SessionJobArgs",
    "SharedVolumeArgs",
    "SqlGatewayArgs",
    "StateBackendArgs",
    "StorageArgs",
    "TaskManagerArgs",
    "TolerationArgs",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'components' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value
