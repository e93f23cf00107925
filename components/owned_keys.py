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
        "high-availability": "set cluster.highAvailability.enabled instead",
        "high-availability.type": "set cluster.highAvailability.enabled instead",
        "high-availability.storageDir": "set cluster.highAvailability.storageDir instead",
        "high-availability.cluster-id": "derived from the cluster's namespace and name, so two clusters never share HA data",
        "kubernetes.cluster-id": "derived from the cluster's name; the HA ConfigMaps and RBAC depend on it",
        "state.backend.type": "set cluster.stateBackend.type instead",
        "state.backend": "set cluster.stateBackend.type instead",
        "state.backend.incremental": "set cluster.stateBackend.incremental instead",
        "execution.checkpointing.incremental": "set cluster.stateBackend.incremental instead",
        "state.checkpoints.dir": "set cluster.checkpoints.dir instead (rendered under the name the Flink version reads)",
        "execution.checkpointing.dir": "set cluster.checkpoints.dir instead (rendered under the name the Flink version reads)",
        "state.backend.fs.checkpointdir": "set cluster.checkpoints.dir instead",
        "state.savepoints.dir": "set cluster.savepoints.dir instead (rendered under the name the Flink version reads)",
        "execution.checkpointing.savepoint-dir": "set cluster.savepoints.dir instead",
        "savepoints.state.backend.fs.dir": "set cluster.savepoints.dir instead",
        "execution.checkpointing.interval": "set cluster.checkpoints.interval instead",
        "execution.checkpointing.mode": "set cluster.checkpoints.mode instead",
        "restart-strategy": "set cluster.restartStrategy.type instead",
        "restart-strategy.type": "set cluster.restartStrategy.type instead",
        "metrics.reporter.prom.factory.class": "set cluster.metrics.prometheus instead",
        "metrics.reporter.prom.port": "fixed at 9249: the named container port, NetworkPolicy and PodMonitor use it",
        "s3.access-key": "credentials never go in the ConfigMap; set cluster.storage.s3.accessKey as a Pulumi secret",
        "s3.secret-key": "credentials never go in the ConfigMap; set cluster.storage.s3.secretKey as a Pulumi secret",
        "s3.access.key": "credentials never go in the ConfigMap; set cluster.storage.s3.accessKey as a Pulumi secret",
        "s3.secret.key": "credentials never go in the ConfigMap; set cluster.storage.s3.secretKey as a Pulumi secret",
        "s3.endpoint": "set cluster.storage.s3.endpoint instead",
        "s3.path.style.access": "set cluster.storage.s3.pathStyleAccess instead",
        "kubernetes.namespace": "set cluster.namespace instead",
    }
)
