"""A Prometheus-operator PodMonitor that scrapes the reporter on every JobManager and TaskManager."""

from __future__ import annotations

from typing import Any

from components.manifests.metadata import object_metadata
from components.model.cluster import Cluster

METRICS_PORT_NAME = "metrics"


def pod_monitor(cluster: Cluster) -> dict[str, Any] | None:
    metrics = cluster.metrics
    if not metrics.pod_monitor:
        return None
    metadata = object_metadata(cluster, cluster.names.pod_monitor)
    # The operator selects PodMonitors by label (e.g. release: prometheus).
    metadata["labels"] = {**metrics.pod_monitor_labels, **metadata["labels"]}
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": metadata,
        "spec": {
            "selector": {"matchLabels": cluster.names.cluster_selector_labels()},
            "podMetricsEndpoints": [{"port": METRICS_PORT_NAME, "interval": metrics.scrape_interval}],
        },
    }
