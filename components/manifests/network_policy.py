"""NetworkPolicies: deny all ingress to the cluster's pods, then allow exactly Flink's own traffic.

Allowed: TaskManagers -> JobManager RPC and blob server; JobManager -> TaskManager
RPC; TaskManager -> TaskManager data exchange (and RPC, used for partition
requests); REST only from the configured sources (network.restAccess: an ingress
controller, a CI runner's namespace); the metrics port only from
metrics.scrapers. `kubectl port-forward` and kubelet
probes do not traverse NetworkPolicies, so they keep working.
"""

from __future__ import annotations

from typing import Any

from components import ports
from components.manifests.metadata import object_metadata
from components.naming import JOBMANAGER, TASKMANAGER
from components.settings import ClusterSettings
from components.spec import PeerSpec


def _policy(settings: ClusterSettings, name: str, pod_selector: dict[str, str], ingress: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": object_metadata(settings, name),
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


def _configured_peer(peer: PeerSpec) -> dict[str, Any]:
    if peer.cidr is not None:
        return {"ipBlock": {"cidr": peer.cidr}}
    return {
        **({"namespaceSelector": {"matchLabels": dict(peer.namespace_labels)}} if peer.namespace_labels is not None else {}),
        **({"podSelector": {"matchLabels": dict(peer.pod_labels)}} if peer.pod_labels is not None else {}),
    }


def _metrics_rules(settings: ClusterSettings) -> list[dict[str, Any]]:
    metrics = settings.operations.metrics
    if not metrics.prometheus or not metrics.scrapers:
        return []
    return [{"from": [_configured_peer(p) for p in metrics.scrapers], "ports": _tcp(ports.PROMETHEUS)}]


def default_deny(settings: ClusterSettings) -> dict[str, Any]:
    """Selects every pod of this cluster and allows nothing; the policies below add exceptions."""
    return _policy(settings, f"{settings.name}-default-deny", settings.names.cluster_selector_labels(), [])


def jobmanager_ingress(settings: ClusterSettings) -> dict[str, Any]:
    names = settings.names
    cluster_pods = _peer(names.cluster_selector_labels())
    rules: list[dict[str, Any]] = [{"from": [cluster_pods], "ports": _tcp(ports.JOBMANAGER_RPC, ports.BLOB_SERVER)}]
    rest_sources = [_configured_peer(peer) for peer in settings.network.rest_access]
    if rest_sources:
        rules.append({"from": rest_sources, "ports": _tcp(ports.REST)})
    rules += _metrics_rules(settings)
    return _policy(settings, f"{names.jobmanager}-ingress", names.selector_labels(JOBMANAGER), rules)


def taskmanager_ingress(settings: ClusterSettings) -> dict[str, Any]:
    names = settings.names
    rules = [
        {"from": [_peer(names.selector_labels(JOBMANAGER))], "ports": _tcp(ports.TASKMANAGER_RPC)},
        {"from": [_peer(names.selector_labels(TASKMANAGER))], "ports": _tcp(ports.TASKMANAGER_DATA, ports.TASKMANAGER_RPC)},
        *_metrics_rules(settings),
    ]
    return _policy(settings, f"{names.taskmanager}-ingress", names.selector_labels(TASKMANAGER), rules)


def network_policies(settings: ClusterSettings) -> list[dict[str, Any]]:
    return [default_deny(settings), jobmanager_ingress(settings), taskmanager_ingress(settings)]
