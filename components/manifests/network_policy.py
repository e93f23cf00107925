"""NetworkPolicies: deny all ingress to the cluster's pods, then allow exactly Flink's own traffic.

Allowed: TaskManagers -> JobManager RPC and blob server; JobManager -> TaskManager
RPC; TaskManager -> TaskManager data exchange (and RPC, used for partition
requests); REST only from the configured sources (network.restAccess: an ingress
controller, a CI runner's namespace); the metrics port only from
metrics.scrapers. `kubectl port-forward` and kubelet
probes do not traverse NetworkPolicies, so they keep working.

The SQL Gateway's pods carry the cluster's labels, so the default deny covers them
too; they may reach the JobManagers' REST API (the only way the gateway talks to the
cluster: job submission, status, and the results of a SELECT) and nothing else of the
cluster, which is why the RPC/blob rule names JobManagers and TaskManagers rather than
every pod of the cluster. Only network.sqlGatewayAccess reaches the gateway (8083), and
only network.historyServerAccess the History Server (8082), which reaches nothing of the
cluster either: it reads the archive from storage.
"""

from __future__ import annotations

from typing import Any

from components.manifests.metadata import object_metadata
from components.model import ports
from components.model.cluster import Cluster, Peer
from components.model.naming import HISTORY_SERVER, JOBMANAGER, SQL_GATEWAY, TASKMANAGER, Part


def _policy(cluster: Cluster, part: Part, pod_selector: dict[str, str], ingress: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": object_metadata(cluster, cluster.names.network_policy(part)),
        # No `ingress` key at all when there are no rules: the API server drops an empty
        # list, so sending one would show up as a change on every server-side apply.
        "spec": {
            "podSelector": {"matchLabels": pod_selector},
            "policyTypes": ["Ingress"],
            **({"ingress": ingress} if ingress else {}),
        },
    }


def _tcp(*numbers: int) -> list[dict[str, Any]]:
    return [{"protocol": "TCP", "port": number} for number in numbers]


def _peer(labels: dict[str, str]) -> dict[str, Any]:
    return {"podSelector": {"matchLabels": labels}}


def _configured_peer(peer: Peer) -> dict[str, Any]:
    if peer.cidr is not None:
        return {"ipBlock": {"cidr": peer.cidr}}
    return {
        **({"namespaceSelector": {"matchLabels": dict(peer.namespace_labels)}} if peer.namespace_labels is not None else {}),
        **({"podSelector": {"matchLabels": dict(peer.pod_labels)}} if peer.pod_labels is not None else {}),
    }


def _metrics_rules(cluster: Cluster) -> list[dict[str, Any]]:
    metrics = cluster.metrics
    if not metrics.prometheus or not metrics.scrapers:
        return []
    return [{"from": [_configured_peer(p) for p in metrics.scrapers], "ports": _tcp(ports.PROMETHEUS)}]


def default_deny(cluster: Cluster) -> dict[str, Any]:
    """Selects every pod of this cluster and allows nothing; the policies below add exceptions."""
    return _policy(cluster, Part.DEFAULT_DENY, cluster.names.cluster_selector_labels(), [])


def jobmanager_ingress(cluster: Cluster) -> dict[str, Any]:
    names = cluster.names
    # JobManagers too: with HA a standby's REST handlers call the leader.
    flink_pods = [_peer(names.selector_labels(JOBMANAGER)), _peer(names.selector_labels(TASKMANAGER))]
    rules: list[dict[str, Any]] = [{"from": flink_pods, "ports": _tcp(ports.JOBMANAGER_RPC, ports.BLOB_SERVER)}]
    rest_sources = [_configured_peer(peer) for peer in cluster.network.rest_access]
    if cluster.sql_gateway is not None:
        rest_sources.append(_peer(names.selector_labels(SQL_GATEWAY)))
    if rest_sources:
        rules.append({"from": rest_sources, "ports": _tcp(ports.REST)})
    rules += _metrics_rules(cluster)
    return _policy(cluster, Part.JOBMANAGER_POLICY, names.selector_labels(JOBMANAGER), rules)


def taskmanager_ingress(cluster: Cluster) -> dict[str, Any]:
    names = cluster.names
    rules = [
        {"from": [_peer(names.selector_labels(JOBMANAGER))], "ports": _tcp(ports.TASKMANAGER_RPC)},
        {"from": [_peer(names.selector_labels(TASKMANAGER))], "ports": _tcp(ports.TASKMANAGER_DATA, ports.TASKMANAGER_RPC)},
        *_metrics_rules(cluster),
    ]
    return _policy(cluster, Part.TASKMANAGER_POLICY, names.selector_labels(TASKMANAGER), rules)


def sql_gateway_ingress(cluster: Cluster) -> dict[str, Any] | None:
    """Only network.sqlGatewayAccess reaches the gateway; with no peers, nothing does (port-forward still works)."""
    if cluster.sql_gateway is None:
        return None
    sources = [_configured_peer(peer) for peer in cluster.network.sql_gateway_access]
    rules = [{"from": sources, "ports": _tcp(ports.SQL_GATEWAY)}] if sources else []
    return _policy(cluster, Part.SQL_GATEWAY_POLICY, cluster.names.selector_labels(SQL_GATEWAY), rules)


def history_server_ingress(cluster: Cluster) -> dict[str, Any] | None:
    """Only network.historyServerAccess reaches the History Server; with no peers, nothing does (port-forward still works)."""
    if cluster.history_server is None:
        return None
    sources = [_configured_peer(peer) for peer in cluster.network.history_server_access]
    rules = [{"from": sources, "ports": _tcp(ports.HISTORY_SERVER)}] if sources else []
    return _policy(cluster, Part.HISTORY_SERVER_POLICY, cluster.names.selector_labels(HISTORY_SERVER), rules)


def network_policies(cluster: Cluster) -> list[dict[str, Any]]:
    optional = [sql_gateway_ingress(cluster), history_server_ingress(cluster)]
    return [default_deny(cluster), jobmanager_ingress(cluster), taskmanager_ingress(cluster), *(p for p in optional if p)]
