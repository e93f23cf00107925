"""What a stack reports about each cluster: addresses, sizes, and how to reach the UI."""

from __future__ import annotations

import dataclasses
from typing import Any

from components.kubernetes.quantities import in_mib
from components.model import ports
from components.model.cluster import Cluster
from components.model.memory import JobManagerMemory, JvmMemory, TaskManagerMemory
from components.model.naming import camel_case


def memory_summary(layout: TaskManagerMemory | JobManagerMemory | JvmMemory) -> dict[str, Any]:
    """The layout Flink will use, every pool in MiB (`frameworkHeapMiB`, ...), and the exact JVM flags (bytes)."""
    pools = {f.name: getattr(layout, f.name) for f in dataclasses.fields(layout)}
    sizes = {f"{camel_case(name)}MiB": in_mib(size) for name, size in pools.items() if not isinstance(size, bool)}
    return {**sizes, "jvmFlags": layout.jvm_flags()}


def cluster_summary(cluster: Cluster) -> dict[str, Any]:
    names = cluster.names
    return {
        "namespace": cluster.namespace,
        "environment": cluster.environment,
        "flinkVersion": str(cluster.flink_version),
        "image": str(cluster.image),
        "jobManagerService": f"{names.jobmanager_service_fqdn}:{ports.JOBMANAGER_RPC}",
        "restEndpoint": names.rest_url,
        "taskManagers": cluster.task_manager.replicas,
        "slotsPerTaskManager": cluster.task_manager.slots,
        "totalSlots": cluster.total_slots,
        "parallelism": cluster.parallelism,
        "taskManagerMemory": memory_summary(cluster.task_manager.layout),
        "jobManagerMemory": memory_summary(cluster.job_manager.layout),
        "portForward": f"kubectl -n {cluster.namespace} port-forward svc/{names.rest_service} {ports.REST}:{ports.REST}",
        **operations_summary(cluster),
    }


def operations_summary(cluster: Cluster) -> dict[str, Any]:
    """HA, state and exposure at a glance; never a credential."""
    state = cluster.state
    return {
        "highAvailability": cluster.high_availability is not None,
        "jobManagers": cluster.job_manager.replicas,
        "stateBackend": state.backend,
        "checkpointsDir": state.checkpoints_dir,
        "savepointsDir": state.savepoints_dir,
        "sharedVolume": cluster.storage.shared_volume.claim_name if cluster.storage.shared_volume is not None else None,
        "filesystemPlugins": list(cluster.storage.plugins),
        "metricsPort": ports.PROMETHEUS if cluster.metrics.prometheus else None,
        "ingressHost": cluster.ingress.host if cluster.ingress is not None else None,
        "restServiceType": cluster.network.rest_service_type,
        **sql_gateway_summary(cluster),
        **history_server_summary(cluster),
        # the component adds each job's jobId, state and lastSavepoint (known after `pulumi up`)
        "jobs": {job.name: {"parallelism": job.parallelism, "upgradeMode": job.upgrade_mode} for job in cluster.jobs},
    }


def sql_gateway_summary(cluster: Cluster) -> dict[str, Any]:
    """The SQL Gateway's in-cluster URL, the command to reach it from a workstation, and its JVM (None without one)."""
    gateway = cluster.sql_gateway
    if gateway is None:
        return {"sqlGatewayEndpoint": None, "sqlGatewayPortForward": None, "sqlGatewayMemory": None}
    names = cluster.names
    return {
        "sqlGatewayEndpoint": names.sql_gateway_url,
        "sqlGatewayPortForward": (
            f"kubectl -n {cluster.namespace} port-forward svc/{names.sql_gateway} {ports.SQL_GATEWAY}:{ports.SQL_GATEWAY}"
        ),
        "sqlGatewayMemory": memory_summary(gateway.layout),
    }


def history_server_summary(cluster: Cluster) -> dict[str, Any]:
    """Where the JobManagers archive, the command to reach the History Server, and its JVM (None without one)."""
    history = cluster.history_server
    if history is None:
        return {"historyServerArchiveDir": None, "historyServerPortForward": None, "historyServerMemory": None}
    name = cluster.names.history_server
    return {
        "historyServerArchiveDir": history.archive_dir,
        "historyServerPortForward": (
            f"kubectl -n {cluster.namespace} port-forward svc/{name} {ports.HISTORY_SERVER}:{ports.HISTORY_SERVER}"
        ),
        "historyServerMemory": memory_summary(history.layout),
    }
