"""Who reaches the cluster and where its pods run: scheduling, network peers, metrics, the Ingress.

Refused: a toleration the API server would refuse, a peer that is both a CIDR and a
label selector (or neither), an Ingress the default-deny NetworkPolicy would block, a PodMonitor without the reporter, a reporter
list that would switch the Prometheus reporter off. Warned: an exposed REST Service,
metrics nobody may scrape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from components.errors import Problem
from components.flink.options import PROMETHEUS_REPORTER, REPORTERS_KEY
from components.input.schema import PeerArgs, StackCluster, TolerationArgs
from components.model.cluster import Ingress, Metrics, Network, Peer, Scheduling, Toleration


def _frozen(labels: Mapping[str, str] | None) -> Mapping[str, str] | None:
    return None if labels is None else MappingProxyType(dict(labels))


def _peers(peers: Sequence[PeerArgs], path: str, problems: list[Problem]) -> tuple[Peer, ...]:
    for index, peer in enumerate(peers):
        has_labels = peer.namespace_labels is not None or peer.pod_labels is not None
        if peer.cidr is not None and has_labels:
            message = "sets cidr together with labels; a peer is either a CIDR or a label selector"
            problems.append(Problem(f"{path}[{index}]", message, has_value=False))
        elif peer.cidr is None and not has_labels:
            message = "selects nothing: set namespaceLabels and/or podLabels, or cidr"
            problems.append(Problem(f"{path}[{index}]", message, has_value=False))
    return tuple(Peer(_frozen(p.namespace_labels), _frozen(p.pod_labels), p.cidr) for p in peers)


def _check_tolerations(tolerations: Sequence[TolerationArgs], path: str, problems: list[Problem]) -> None:
    """The API server's rules for a toleration (validateTolerations), refused here before anything is applied."""
    for index, toleration in enumerate(tolerations):
        at = f"{path}[{index}]"
        if not toleration.key and toleration.operator != "Exists":
            message = "is needed with operator Equal; a toleration without a key matches every taint only with operator: Exists"
            problems.append(Problem(f"{at}.key", message, toleration.key, has_value=toleration.key is not None))
        if toleration.operator == "Exists" and toleration.value:
            message = "must be empty with operator Exists (it matches any value); use operator Equal to match this one"
            problems.append(Problem(f"{at}.value", message, toleration.value))
        if toleration.toleration_seconds is not None and toleration.effect != "NoExecute":
            message = "applies only to effect NoExecute (how long a pod stays on a node after the taint appears)"
            problems.append(Problem(f"{at}.tolerationSeconds", message, toleration.toleration_seconds))


def resolve_scheduling(spec: StackCluster, prefix: str, problems: list[Problem]) -> Scheduling:
    scheduling = spec.scheduling
    _check_tolerations(scheduling.tolerations, f"{prefix}.scheduling.tolerations", problems)
    return Scheduling(
        node_selector=MappingProxyType(dict(scheduling.node_selector)),
        tolerations=tuple(Toleration(t.key, t.operator, t.value, t.effect, t.toleration_seconds) for t in scheduling.tolerations),
        priority_class_name=scheduling.priority_class_name,
        spread_task_managers=scheduling.spread_task_managers,
    )


def resolve_network(spec: StackCluster, prefix: str, problems: list[Problem], warnings: list[str]) -> Network:
    network = spec.network
    rest_access = _peers(network.rest_access, f"{prefix}.network.restAccess", problems)
    if spec.ingress is not None and not network.rest_access:
        problems.append(
            Problem(
                f"{prefix}.network.restAccess",
                "must name the ingress controller's pods (namespaceLabels/podLabels) when ingress is set; "
                "the default-deny NetworkPolicy would block it",
                has_value=False,
            )
        )
    if network.rest_service_type != "ClusterIP":
        warnings.append(
            f"{prefix}.network.restServiceType is {network.rest_service_type}: the REST API has no authentication and "
            "accepts job submission; restrict network.restAccess to the sources that need it"
        )
    return Network(
        rest_access=rest_access,
        rest_service_type=network.rest_service_type,
        sql_gateway_access=_peers(network.sql_gateway_access, f"{prefix}.network.sqlGatewayAccess", problems),
        history_server_access=_peers(network.history_server_access, f"{prefix}.network.historyServerAccess", problems),
    )


def _names(value: object) -> list[str]:
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(item).strip() for item in items]


def resolve_metrics(spec: StackCluster, prefix: str, problems: list[Problem], warnings: list[str]) -> Metrics:
    metrics = spec.metrics
    if metrics.pod_monitor and not metrics.prometheus:
        problems.append(
            Problem(
                f"{prefix}.metrics.podMonitor",
                "needs metrics.prometheus: true; a PodMonitor would scrape a port nothing listens on",
                metrics.pod_monitor,
            )
        )
    reporters = spec.flink_configuration.get(REPORTERS_KEY)
    if metrics.prometheus and reporters is not None and PROMETHEUS_REPORTER not in _names(reporters):
        problems.append(
            Problem(
                f'{prefix}.flinkConfiguration["{REPORTERS_KEY}"]',
                f"starts only the reporters it names, so the Prometheus reporter ({PROMETHEUS_REPORTER}) that "
                f"metrics.prometheus enables would not start; add {PROMETHEUS_REPORTER} to it or remove it",
                reporters,
            )
        )
    if metrics.prometheus and not metrics.scrapers:
        warnings.append(
            f"{prefix}.metrics.scrapers is empty: the default-deny NetworkPolicy blocks Prometheus from port 9249; "
            "list Prometheus's namespace/pod labels there"
        )
    return Metrics(
        prometheus=metrics.prometheus,
        pod_monitor=metrics.pod_monitor,
        pod_monitor_labels=MappingProxyType(dict(metrics.pod_monitor_labels)),
        scrape_interval=metrics.scrape_interval,
        scrapers=_peers(metrics.scrapers, f"{prefix}.metrics.scrapers", problems),
    )


def resolve_ingress(spec: StackCluster) -> Ingress | None:
    ingress = spec.ingress
    if ingress is None:
        return None
    return Ingress(
        host=ingress.host,
        class_name=ingress.class_name,
        tls_secret_name=ingress.tls_secret_name,
        path=ingress.path,
        annotations=MappingProxyType(dict(ingress.annotations)),
    )
