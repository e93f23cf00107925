"""Pod templates of the JobManager and TaskManagers: security, volumes, probes, resources.

The root filesystem is read-only. An init container copies the ConfigMap (mounted at
/flink-config) into an emptyDir at /opt/flink/conf, and every container sets
JOB_MANAGER_RPC_ADDRESS to the address config.yaml already names, so the entrypoint's
config rewrite succeeds and changes nothing (a read-only conf would silently drop it,
and a writable one without the address would point each TaskManager at itself).
plugins/ is an emptyDir seeded by the same init container when ENABLE_BUILT_IN_PLUGINS
links filesystem plugins. storage.sharedVolume is mounted read-write into every
JobManager and TaskManager; fsGroup lets the flink user write to it.
"""

from __future__ import annotations

from typing import Any

from components.flink.config_files import CONFIG_FILE, LOG4J_CLI_FILE, LOG4J_CONSOLE_FILE
from components.kubernetes.quantities import MIB, format_cpu, format_memory
from components.model.cluster import Cluster, PodGroup, Toleration
from components.model.paths import CONF_DIR, CONFIG_SOURCE_DIR, LOG_DIR, PLUGINS_DIR, PLUGINS_SEED_DIR, TMP_DIR

FLINK_UID = 9999  # the flink user and group of the official image
PLUGINS_VOLUME_SIZE = 64 * MIB
CONF_VOLUME_SIZE = 16 * MIB
LOG_VOLUME_SIZE = 128 * MIB
# Headroom for what is written outside the volumes (container stdout logs kept by the kubelet).
CONTAINER_LOG_ALLOWANCE = 256 * MIB
INIT_CPU = 100
INIT_MEMORY = 64 * MIB
SHARED_VOLUME_NAME = "shared-state"

# A JVM can take a while to start on a busy node; the startup probe allows 5 minutes
# before liveness takes over, instead of a long initialDelay on every restart.
STARTUP_PERIOD_SECONDS = 5
STARTUP_FAILURE_THRESHOLD = 60


def pod_security_context() -> dict[str, Any]:
    """Pod-level settings of the "restricted" Pod Security profile, as the flink user."""
    return {
        "runAsNonRoot": True,
        "runAsUser": FLINK_UID,
        "runAsGroup": FLINK_UID,
        "fsGroup": FLINK_UID,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security_context() -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": FLINK_UID,
        "runAsGroup": FLINK_UID,
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "privileged": False,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def needs_plugins_volume(cluster: Cluster) -> bool:
    return bool(cluster.storage.plugins)


def volumes(cluster: Cluster, config_map_name: str, scratch_bytes: int) -> list[dict[str, Any]]:
    plugins = [{"name": "plugins", "emptyDir": {"sizeLimit": format_memory(PLUGINS_VOLUME_SIZE)}}]
    shared = cluster.storage.shared_volume
    claim = [] if shared is None else [{"name": SHARED_VOLUME_NAME, "persistentVolumeClaim": {"claimName": shared.claim_name}}]
    return [
        {
            "name": "flink-config",
            "configMap": {
                "name": config_map_name,
                "items": [{"key": f, "path": f} for f in (CONFIG_FILE, LOG4J_CONSOLE_FILE, LOG4J_CLI_FILE)],
            },
        },
        {"name": "conf", "emptyDir": {"sizeLimit": format_memory(CONF_VOLUME_SIZE)}},
        {"name": "log", "emptyDir": {"sizeLimit": format_memory(LOG_VOLUME_SIZE)}},
        {"name": "tmp", "emptyDir": {"sizeLimit": format_memory(scratch_bytes)}},
        *(plugins if needs_plugins_volume(cluster) else []),
        *claim,
    ]


def ephemeral_storage(cluster: Cluster, scratch_bytes: int) -> str:
    """All the container may write on the node: its emptyDir volumes plus the kubelet-kept stdout log."""
    plugins = PLUGINS_VOLUME_SIZE if needs_plugins_volume(cluster) else 0
    return format_memory(CONF_VOLUME_SIZE + LOG_VOLUME_SIZE + plugins + scratch_bytes + CONTAINER_LOG_ALLOWANCE)


def flink_volume_mounts(cluster: Cluster) -> list[dict[str, Any]]:
    mounts = [
        {"name": "conf", "mountPath": CONF_DIR},
        {"name": "log", "mountPath": LOG_DIR},
        {"name": "tmp", "mountPath": TMP_DIR},
    ]
    if needs_plugins_volume(cluster):
        mounts.append({"name": "plugins", "mountPath": PLUGINS_DIR})
    if cluster.storage.shared_volume is not None:
        mounts.append({"name": SHARED_VOLUME_NAME, "mountPath": cluster.storage.shared_volume.mount_path})
    return mounts


def config_init_container(cluster: Cluster) -> dict[str, Any]:
    """Copies the ConfigMap into the writable conf volume (see the module docstring)."""
    files = " ".join(f"{CONFIG_SOURCE_DIR}/{f}" for f in (CONFIG_FILE, LOG4J_CONSOLE_FILE, LOG4J_CLI_FILE))
    script = f"cp {files} {CONF_DIR}/"
    mounts = [
        {"name": "flink-config", "mountPath": CONFIG_SOURCE_DIR, "readOnly": True},
        {"name": "conf", "mountPath": CONF_DIR},
    ]
    if needs_plugins_volume(cluster):
        script += f" && cp -R {PLUGINS_DIR}/. {PLUGINS_SEED_DIR}/"
        mounts.append({"name": "plugins", "mountPath": PLUGINS_SEED_DIR})
    resources = {"cpu": format_cpu(INIT_CPU), "memory": format_memory(INIT_MEMORY), "ephemeral-storage": "16Mi"}
    return {
        "name": "copy-config",
        "image": str(cluster.image),
        "imagePullPolicy": cluster.image_pull_policy,
        "command": ["/bin/sh", "-c", script],
        "resources": {"requests": dict(resources), "limits": dict(resources)},
        "securityContext": container_security_context(),
        "volumeMounts": mounts,
    }


def container_resources(cluster: Cluster, pods: PodGroup) -> dict[str, Any]:
    """Memory request == limit: Flink sizes the JVM to exactly this, so overcommit only risks OOM kills.

    The CPU limit is the request unless `cpuLimit` says otherwise, which with the memory
    rule gives the pod the Guaranteed QoS class (last to be evicted).
    """
    storage = ephemeral_storage(cluster, pods.scratch_bytes)
    memory = format_memory(pods.memory_bytes)
    return {
        "requests": {"cpu": format_cpu(pods.cpu_millis), "memory": memory, "ephemeral-storage": storage},
        "limits": {"cpu": format_cpu(pods.cpu_limit_millis), "memory": memory, "ephemeral-storage": storage},
    }


def probes(check: dict[str, Any], *, liveness: dict[str, Any] | None = None) -> dict[str, Any]:
    """Startup, readiness and liveness probes on one check (`{"httpGet": ...}` or `{"tcpSocket": ...}`).

    The startup probe gives a JVM on a busy node STARTUP_PERIOD_SECONDS x STARTUP_FAILURE_THRESHOLD;
    after it, readiness takes the pod out of its Service in 30 s and liveness restarts it after 60 s.
    """
    return {
        "startupProbe": {
            **check,
            "periodSeconds": STARTUP_PERIOD_SECONDS,
            "failureThreshold": STARTUP_FAILURE_THRESHOLD,
            "timeoutSeconds": 5,
        },
        "readinessProbe": {**check, "periodSeconds": 10, "failureThreshold": 3, "timeoutSeconds": 5},
        "livenessProbe": {**(liveness or check), "periodSeconds": 15, "failureThreshold": 4, "timeoutSeconds": 5},
    }


def _toleration(toleration: Toleration) -> dict[str, Any]:
    fields = {
        "key": toleration.key,
        "operator": toleration.operator,
        "value": toleration.value,
        "effect": toleration.effect,
        "tolerationSeconds": toleration.toleration_seconds,
    }
    return {key: value for key, value in fields.items() if value is not None}


def scheduling_fields(cluster: Cluster) -> dict[str, Any]:
    scheduling = cluster.scheduling
    fields: dict[str, Any] = {}
    if scheduling.node_selector:
        fields["nodeSelector"] = dict(scheduling.node_selector)
    if scheduling.tolerations:
        fields["tolerations"] = [_toleration(t) for t in scheduling.tolerations]
    if scheduling.priority_class_name:
        fields["priorityClassName"] = scheduling.priority_class_name
    return fields
