"""PodDisruptionBudgets: node drains take TaskManagers (and HA JobManagers, SQL Gateways) one pod at a time."""

from __future__ import annotations

from typing import Any

from components.manifests.metadata import object_metadata
from components.model.cluster import Cluster
from components.model.naming import JOBMANAGER, SQL_GATEWAY, TASKMANAGER


def _one_at_a_time(cluster: Cluster, name: str, component: str) -> dict[str, Any]:
    """A budget that lets voluntary disruptions take one pod of `component` at a time."""
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": object_metadata(cluster, name, component),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": cluster.names.selector_labels(component)}},
    }


def taskmanager_disruption_budget(cluster: Cluster) -> dict[str, Any] | None:
    """None for a single TaskManager: a budget there could only block drains forever or allow everything."""
    if cluster.task_manager.replicas < 2:
        return None
    return _one_at_a_time(cluster, cluster.names.taskmanager, TASKMANAGER)


def jobmanager_disruption_budget(cluster: Cluster) -> dict[str, Any] | None:
    """Only with several (HA) JobManagers: a drain must leave the leader or a standby running."""
    if cluster.job_manager.replicas < 2:
        return None
    return _one_at_a_time(cluster, cluster.names.jobmanager, JOBMANAGER)


def sql_gateway_disruption_budget(cluster: Cluster) -> dict[str, Any] | None:
    """As for TaskManagers: only with two or more gateways, so a drain always leaves one serving."""
    gateway = cluster.sql_gateway
    if gateway is None or gateway.replicas < 2:
        return None
    return _one_at_a_time(cluster, cluster.names.sql_gateway, SQL_GATEWAY)
