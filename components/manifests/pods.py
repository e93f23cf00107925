"""Pod templates of the JobManager and TaskManagers: security, volumes, probes, resources.

Why the conf directory is a writable copy
-----------------------------------------
The official image's entrypoint rewrites `$FLINK_HOME/conf/config.yaml` on every
start (it sets `jobmanager.rpc.address` to `$JOB_MANAGER_RPC_ADDRESS`, or to
`$(hostname -f)` when unset, pins the blob/query ports, and applies
`FLINK_PROPERTIES`). Mounting the ConfigMap there read-only makes that write fail
silently, so any override through the environment is ignored; mounting a writable
copy without `JOB_MANAGER_RPC_ADDRESS` makes every TaskManager point at itself.

So: the ConfigMap is mounted read-only at `/flink-config` in an init container that
copies the files into an `emptyDir` mounted at `/opt/flink/conf`, and every Flink
container sets `JOB_MANAGER_RPC_ADDRESS` to the same JobManager Service address that
`config.yaml` already names. The entrypoint's rewrite then succeeds and changes
nothing, and the root filesystem stays read-only.

Filesystem plugins (s3://, gs://, ...) are enabled by the entrypoint, which links the
jars named in `ENABLE_BUILT_IN_PLUGINS` from `/opt/flink/opt` into
`/opt/flink/plugins`. That directory is on the read-only root filesystem, so when a
plugin is needed it becomes an `emptyDir` too, seeded by the same init container
with the image's own plugins (the Prometheus reporter among them).
"""

from __future__ import annotations

from typing import Any

from components.flink_config import CONFIG_FILE, LOG4J_CLI_FILE, LOG4J_CONSOLE_FILE
from components.paths import CONF_DIR, LOG_DIR, TMP_DIR
from components.quantities import MIB, format_cpu, format_memory
from components.settings import ClusterSettings

FLINK_UID = 9999  # the flink user and group of the official image
CONFIG_SOURCE_DIR = "/flink-config"
PLUGINS_DIR = "/opt/flink/plugins"
PLUGINS_SEED_DIR = "/flink-plugins"
PLUGINS_VOLUME_SIZE = 64 * MIB
CONF_VOLUME_SIZE = 16 * MIB
LOG_VOLUME_SIZE = 128 * MIB
# Headroom for what is written outside the volumes (container stdout logs kept by the kubelet).
CONTAINER_LOG_ALLOWANCE = 256 * MIB
INIT_CPU = 100
INIT_MEMORY = 64 * MIB

CONFIG_CHECKSUM_ANNOTATION = "flink-session/config-sha256"


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


def needs_plugins_volume(settings: ClusterSettings) -> bool:
    return bool(settings.operations.plugins)


def volumes(settings: ClusterSettings, config_map_name: str, scratch_bytes: int) -> list[dict[str, Any]]:
    plugins = [{"name": "plugins", "emptyDir": {"sizeLimit": format_memory(PLUGINS_VOLUME_SIZE)}}]
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
        *(plugins if needs_plugins_volume(settings) else []),
    ]


def ephemeral_storage(settings: ClusterSettings, scratch_bytes: int) -> str:
    """All the container may write: its volumes plus the kubelet-kept stdout log."""
    plugins = PLUGINS_VOLUME_SIZE if needs_plugins_volume(settings) else 0
    return format_memory(CONF_VOLUME_SIZE + LOG_VOLUME_SIZE + plugins + scratch_bytes + CONTAINER_LOG_ALLOWANCE)


def flink_volume_mounts(settings: ClusterSettings) -> list[dict[str, Any]]:
    mounts = [
        {"name": "conf", "mountPath": CONF_DIR},
        {"name": "log", "mountPath": LOG_DIR},
        {"name": "tmp", "mountPath": TMP_DIR},
    ]
    if needs_plugins_volume(settings):
        mounts.append({"name": "plugins", "mountPath": PLUGINS_DIR})
    return mounts


def config_init_container(settings: ClusterSettings) -> dict[str, Any]:
    """Copies the ConfigMap into the writable conf volume (see the module docstring)."""
    files = " ".join(f"{CONFIG_SOURCE_DIR}/{f}" for f in (CONFIG_FILE, LOG4J_CONSOLE_FILE, LOG4J_CLI_FILE))
    script = f"cp {files} {CONF_DIR}/"
    mounts = [
        {"name": "flink-config", "mountPath": CONFIG_SOURCE_DIR, "readOnly": True},
        {"name": "conf", "mountPath": CONF_DIR},
    ]
    if needs_plugins_volume(settings):
        script += f" && cp -R {PLUGINS_DIR}/. {PLUGINS_SEED_DIR}/"
        mounts.append({"name": "plugins", "mountPath": PLUGINS_SEED_DIR})
    resources = {"cpu": format_cpu(INIT_CPU), "memory": format_memory(INIT_MEMORY), "ephemeral-storage": "16Mi"}
    return {
        "name": "copy-config",
        "image": str(settings.image),
        "imagePullPolicy": settings.image_pull_policy,
        "command": ["/bin/sh", "-c", script],
        "resources": {"requests": dict(resources), "limits": dict(resources)},
        "securityContext": container_security_context(),
        "volumeMounts": mounts,
    }


def container_resources(
    settings: ClusterSettings, cpu_millis: int, cpu_limit_millis: int | None, memory_bytes: int, scratch_bytes: int
) -> dict[str, Any]:
    """Memory request == limit: Flink sizes the JVM to exactly this, so overcommit only risks OOM kills.

    The CPU limit defaults to the request, which with the memory rule gives the pod the
    Guaranteed QoS class (last to be evicted); `cpuLimit` allows bursting above it.
    """
    storage = ephemeral_storage(settings, scratch_bytes)
    requests = {"cpu": format_cpu(cpu_millis), "memory": format_memory(memory_bytes), "ephemeral-storage": storage}
    limits = {
        "cpu": format_cpu(cpu_limit_millis if cpu_limit_millis is not None else cpu_millis),
        "memory": format_memory(memory_bytes),
        "ephemeral-storage": storage,
    }
    return {"requests": requests, "limits": limits}


def scheduling_fields(settings: ClusterSettings) -> dict[str, Any]:
    scheduling = settings.scheduling
    fields: dict[str, Any] = {}
    if scheduling.node_selector:
        fields["nodeSelector"] = dict(scheduling.node_selector)
    if scheduling.tolerations:
        fields["tolerations"] = [t.model_dump(by_alias=True, exclude_none=True) for t in scheduling.tolerations]
    if scheduling.priority_class_name:
        fields["priorityClassName"] = scheduling.priority_class_name
    return fields
