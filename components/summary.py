"""What a stack reports about each cluster: addresses, sizes, and how to reach the UI."""

from __future__ import annotations

from typing import Any

from components import ports
from components.memory import JobManagerMemory, TaskManagerMemory
from components.model import Cluster
from components.quantities import MIB


def _mib(size: int) -> float:
    return round(size / MIB, 2)


def _in_mib(pools: dict[str, int], jvm_flags: str) -> dict[str, Any]:
    return {**{f"{name}MiB": _mib(size) for name, size in pools.items()}, "jvmFlags": jvm_flags}


def taskmanager_memory_summary(memory: TaskManagerMemory) -> dict[str, Any]:
    """The layout Flink will use, in MiB, and the exact JVM flags (bytes) it passes to the JVM."""
    pools = {
        "process": memory.process,
        "flink": memory.flink,
        "frameworkHeap": memory.framework_heap,
        "taskHeap": memory.task_heap,
        "frameworkOffHeap": memory.framework_off_heap,
        "taskOffHeap": memory.task_off_heap,
        "managed": memory.managed,
        "network": memory.network,
        "jvmMetaspace": memory.jvm_metaspace,
        "jvmOverhead": memory.jvm_overhead,
    }
    return _in_mib(pools, memory.jvm_flags())


def jobmanager_memory_summary(memory: JobManagerMemory) -> dict[str, Any]:
    pools = {
        "process": memory.process,
        "flink": memory.flink,
        "heap": memory.heap,
        "offHeap": memory.off_heap,
        "jvmMetaspace": memory.jvm_metaspace,
        "jvmOverhead": memory.jvm_overhead,
    }
    return _in_mib(pools, memory.jvm_flags())


def cluster_summary(cluster: Cluster) -> dict[str, Any]:
    names = cluster.names
    return {
        "namespace": cluster.namespace,
        "environment": cluster.environment,
        "flinkVersion": str(cluster.flink_version),
        "image": str(cluster.image),
        "jobManagerService": f"{names.jobmanager_service_fqdn}:{ports.JOBMANAGER_RPC}",
        "restEndpoint": f"http://{names.rest_service_fqdn}:{ports.REST}",
        "taskManagers": cluster.task_manager.replicas,
        "slotsPerTaskManager": cluster.task_manager.slots,
        "totalSlots": cluster.total_slots,
        "parallelism": cluster.parallelism,
        "taskManagerMemory": taskmanager_memory_summary(cluster.task_manager.layout),
        "jobManagerMemory": jobmanager_memory_summary(cluster.job_manager.layout),
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
    }
