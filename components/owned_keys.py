"""Flink options that the component sets itself, and why a user may not set them.

Each of these is either derived from a typed setting (so the cluster's sizing,
Services and probes stay consistent) or pinned because a Kubernetes object
(Service, NetworkPolicy, probe, volume) depends on its exact value.
"""

from __future__ import annotations

from types import MappingProxyType

OWNED_FLINK_KEYS: MappingProxyType[str, str] = MappingProxyType(
    {
        "jobmanager.rpc.address": "the component points it at the JobManager Service",
        "jobmanager.rpc.port": "fixed at 6123: the JobManager Service and NetworkPolicy use it",
        "blob.server.port": "fixed at 6124: the JobManager Service and NetworkPolicy use it",
        "query.server.port": "fixed at 6125 by the official image's entrypoint",
        "rest.port": "fixed at 8081: the REST Service and probes use it",
        "rest.bind-port": "fixed at 8081: the REST Service and probes use it",
        "rest.address": "the component points it at the REST Service",
        "rest.bind-address": "must be 0.0.0.0 so the REST Service and probes reach it",
        "taskmanager.rpc.port": "fixed at 6122: TaskManager probes and the NetworkPolicy use it",
        "taskmanager.data.port": "fixed at 6121: the NetworkPolicy allows TaskManager data exchange on it",
        "taskmanager.numberOfTaskSlots": "set cluster.taskManager.slots instead",
        "parallelism.default": "set cluster.parallelism instead",
        "taskmanager.memory.process.size": "set cluster.taskManager.memory (or memoryPerSlot); it equals the container limit",
        "jobmanager.memory.process.size": "set cluster.jobManager.memory; it equals the container limit",
        "taskmanager.memory.flink.size": "derived from cluster.taskManager.memory so the JVM fits the container limit",
        "jobmanager.memory.flink.size": "derived from cluster.jobManager.memory so the JVM fits the container limit",
        "taskmanager.memory.task.heap.size": "derived from cluster.taskManager.memory so the JVM fits the container limit",
        "jobmanager.memory.heap.size": "derived from cluster.jobManager.memory so the JVM fits the container limit",
        "io.tmp.dirs": "points at the pod's scratch volume; the root filesystem is read-only",
        "env.log.dir": "points at the pod's log volume; the root filesystem is read-only",
        "env.java.default-opts.all": "reserved; put JVM options in env.java.opts.all, which is appended to the Java 17 flags",
        "high-availability": "the pods have no ServiceAccount or RBAC for Kubernetes HA; HA is not configurable yet",
        "high-availability.type": "the pods have no ServiceAccount or RBAC for Kubernetes HA; HA is not configurable yet",
        "high-availability.storageDir": "the pods have no ServiceAccount or RBAC for Kubernetes HA; HA is not configurable yet",
        "high-availability.cluster-id": "only meaningful with Kubernetes HA, which is not configurable yet",
        "kubernetes.cluster-id": "only meaningful with Kubernetes HA, which is not configurable yet",
        "kubernetes.namespace": "set cluster.namespace instead",
    }
)
