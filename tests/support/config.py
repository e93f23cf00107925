"""Helpers shared by the pure test tiers: the committed stacks resolved, and a small valid cluster.

Stack files are read by `tools.stack_files` (secrets decrypted as the CLI would) and
the program runs under mocks through `tools.mocks`, the same code the renderer and the
benchmarks use; nothing here imports Pulumi.
"""

from __future__ import annotations

import copy
from typing import Any

from components.model.cluster import Cluster
from components.resolution import Resolution, parse_stack_config
from tools.stack_files import ROOT, STACKS, stack_config

__all__ = ["ROOT", "STACKS", "minimal_cluster", "resolution_of", "resolve", "stack_cluster", "stack_config"]


def stack_cluster(stack: str) -> Cluster:
    """The resolved cluster of a stack file, as the program would see it on that stack."""
    return parse_stack_config(stack_config(stack))[0].cluster


def resolution_of(cluster: dict[str, Any]) -> Resolution:
    """One cluster config (as under flink-session:cluster) resolved, with its warnings; ConfigError if invalid."""
    (resolution,) = parse_stack_config({"cluster": cluster})
    return resolution


def resolve(cluster: dict[str, Any]) -> Cluster:
    return resolution_of(cluster).cluster


def minimal_cluster(**overrides: Any) -> dict[str, Any]:
    """A small valid cluster config; overrides replace top-level keys."""
    cluster: dict[str, Any] = {
        "name": "demo",
        "flinkVersion": "2.2.1",
        "parallelism": 4,
        "taskManager": {"slots": 2, "cpu": "1", "memory": "1728Mi"},
        "jobManager": {"cpu": "500m", "memory": "1024Mi"},
    }
    cluster.update(copy.deepcopy(overrides))
    return cluster
