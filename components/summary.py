"""What a stack reports about each cluster: addresses, sizes, and how to reach the UI."""

from __future__ import annotations

from typing import Any

from components import ports
from components.memory import JobManagerMemory, TaskManagerMemory
from components.quantities import MIB
from components.settings import ClusterSettings


def _mib(size: int) -> float:
    return round(size / MIB, 2)


def taskmanager_memory_summary(memory: TaskManagerMemory) -> dict[str, Any]:
    """The layout Flink will use, in MiB, and the exact JVM flags (bytes) it passes to the JVM."""
    return {
        "processMiB": _mib(memory.process),
        "flinkMiB": _mib(memory.flink),
        "frameworkHeapMiB": _mib(memory.framework_heap),
        "taskHeapMiB": _mib(memory.task_heap),
        "frameworkOffHeapMiB": _mib(memory.framework_off_heap),
        "taskOffHeapMiB": _mib(memory.task_off_heap),
        "managedMiB": _mib(memory.managed),
        "networkMiB": _mib(memory.network),
        "jvmMetaspaceMiB": _mib(memory.jvm_metaspace),
        "jvmOverheadMiB": _mib(memory.jvm_overhead),
        "jvmFlags": memory.jvm_flags(),
    }


def jobmanager_memory_summary(memory: JobManagerMemory) -> dict[str, Any]:
    return {
        "processMiB": _mib(memory.process),
        "flinkMiB": _mib(memory.flink),
        "heapMiB": _mib(memory.heap),
        "offHeapMiB": _mib(memory.off_heap),
        "jvmMetaspaceMiB": _mib(memory.jvm_metaspace),
        "jvmOverheadMiB": _mib(memory.jvm_overhead),
        "jvmFlags": memory.jvm_flags(),
    }


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
        "taskManagerMemory": taskmanager_memory_summary(settings.task_manager_memory),
        "jobManagerMemory": jobmanager_memory_summary(settings.job_manager_memory),
        "portForward": f"kubectl -n {settings.namespace} port-forward svc/{names.rest_service} {ports.REST}:{ports.REST}",
        **operations_summary(settings),
    }


def operations_summary(settings: ClusterSettings) -> dict[str, Any]:
    """HA, state and exposure at a glance; never a credential."""
    ops = settings.operations
    return {
        "highAvailability": ops.high_availability.enabled,
        "jobManagers": ops.high_availability.job_manager_replicas,
        "stateBackend": ops.state.backend,
        "checkpointsDir": ops.state.checkpoints_dir,
        "savepointsDir": ops.state.savepoints_dir,
        "filesystemPlugins": list(ops.plugins),
        "metricsPort": ports.PROMETHEUS if ops.metrics.prometheus else None,
        "ingressHost": ops.ingress.host if ops.ingress is not None else None,
        "restServiceType": settings.network.rest_service_type,
    }
