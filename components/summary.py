"""What a stack reports about each cluster: addresses, sizes, and how to reach the UI."""

from __future__ import annotations

from typing import Any

from components import ports
from components.settings import ClusterSettings


def cluster_summary(settings: ClusterSettings) -> dict[str, Any]:
    names = settings.names
    return {
        "namespace": settings.namespace,
        "flinkVersion": str(settings.flink_version),
        "image": str(settings.image),
        "jobManagerService": f"{names.jobmanager_service_fqdn}:{ports.JOBMANAGER_RPC}",
        "restEndpoint": f"http://{names.rest_service_fqdn}:{ports.REST}",
        "taskManagers": settings.task_manager.replicas,
        "slotsPerTaskManager": settings.task_manager.slots,
        "totalSlots": settings.total_slots,
        "parallelism": settings.parallelism,
        "portForward": f"kubectl -n {settings.namespace} port-forward svc/{names.rest_service} {ports.REST}:{ports.REST}",
    }
