"""The JobManager and TaskManager Deployments."""

from __future__ import annotations

from typing import Any

from components import ports
from components.flink_config import config_checksum, render_config_files
from components.manifests.metadata import common_labels, object_metadata
from components.manifests.pods import (
    CONFIG_CHECKSUM_ANNOTATION,
    config_init_container,
    container_resources,
    container_security_context,
    flink_volume_mounts,
    pod_security_context,
    scheduling_fields,
    volumes,
)
from components.naming import JOBMANAGER, TASKMANAGER
from components.settings import ClusterSettings

# A JVM can take a while to start on a busy node; the startup probe allows 5 minutes
# before liveness takes over, instead of a long initialDelay on every restart.
STARTUP_PERIOD_SECONDS = 5
STARTUP_FAILURE_THRESHOLD = 60


def _pod_template(
    settings: ClusterSettings,
    *,
    component: str,
    config_map_name: str,
    container: dict[str, Any],
    scratch_bytes: int,
    extra_spec: dict[str, Any],
) -> dict[str, Any]:
    annotations = {
        **settings.annotations,
        CONFIG_CHECKSUM_ANNOTATION: config_checksum(render_config_files(settings)),
    }
    return {
        "metadata": {"labels": common_labels(settings, component), "annotations": annotations},
        "spec": {
            "automountServiceAccountToken": False,
            "enableServiceLinks": False,
            "securityContext": pod_security_context(),
            "initContainers": [config_init_container(settings)],
            "containers": [container],
            "volumes": volumes(config_map_name, scratch_bytes),
            **scheduling_fields(settings),
            **extra_spec,
        },
    }


def _flink_container(settings: ClusterSettings, name: str, args: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "image": str(settings.image),
        "imagePullPolicy": settings.image_pull_policy,
        "args": args,
        # Same address config.yaml names, so the entrypoint's rewrite is a no-op (see pods.py).
        "env": [{"name": "JOB_MANAGER_RPC_ADDRESS", "value": settings.names.jobmanager_service_fqdn}],
        "securityContext": container_security_context(),
        "volumeMounts": flink_volume_mounts(),
    }


def _tcp_probe(port: str, period: int, failures: int) -> dict[str, Any]:
    return {"tcpSocket": {"port": port}, "periodSeconds": period, "failureThreshold": failures, "timeoutSeconds": 5}


def jobmanager_deployment(settings: ClusterSettings, config_map_name: str) -> dict[str, Any]:
    jm = settings.job_manager
    container = _flink_container(settings, JOBMANAGER, ["jobmanager"])
    rest_check = {"path": "/config", "port": "rest"}
    container |= {
        "ports": [
            {"name": "rpc", "containerPort": ports.JOBMANAGER_RPC, "protocol": "TCP"},
            {"name": "blob", "containerPort": ports.BLOB_SERVER, "protocol": "TCP"},
            {"name": "rest", "containerPort": ports.REST, "protocol": "TCP"},
        ],
        "resources": container_resources(jm.cpu_millis, jm.cpu_limit_millis, jm.memory_bytes, jm.scratch_bytes),
        "startupProbe": {
            "httpGet": rest_check,
            "periodSeconds": STARTUP_PERIOD_SECONDS,
            "failureThreshold": STARTUP_FAILURE_THRESHOLD,
            "timeoutSeconds": 5,
        },
        "readinessProbe": {"httpGet": rest_check, "periodSeconds": 10, "failureThreshold": 3, "timeoutSeconds": 5},
        "livenessProbe": _tcp_probe("rpc", 15, 4),
    }
    selector = settings.names.selector_labels(JOBMANAGER)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": object_metadata(settings, settings.names.jobmanager, JOBMANAGER),
        "spec": {
            "replicas": 1,
            # Without HA two JobManagers would each run their own jobs: never overlap them.
            "strategy": {"type": "Recreate"},
            "selector": {"matchLabels": selector},
            "template": _pod_template(
                settings,
                component=JOBMANAGER,
                config_map_name=config_map_name,
                container=container,
                scratch_bytes=jm.scratch_bytes,
                extra_spec={},
            ),
        },
    }


def _spread_constraints(settings: ClusterSettings) -> list[dict[str, Any]]:
    """Spread TaskManagers over nodes and zones so one node loss takes few slots; best effort."""
    if not settings.scheduling.spread_task_managers or settings.task_manager.replicas < 2:
        return []
    selector = {"matchLabels": settings.names.selector_labels(TASKMANAGER)}
    return [
        {"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": selector}
        for key in ("kubernetes.io/hostname", "topology.kubernetes.io/zone")
    ]


def taskmanager_deployment(settings: ClusterSettings, config_map_name: str) -> dict[str, Any]:
    tm = settings.task_manager
    container = _flink_container(settings, TASKMANAGER, ["taskmanager"])
    container |= {
        "ports": [
            {"name": "data", "containerPort": ports.TASKMANAGER_DATA, "protocol": "TCP"},
            {"name": "rpc", "containerPort": ports.TASKMANAGER_RPC, "protocol": "TCP"},
        ],
        "resources": container_resources(tm.cpu_millis, tm.cpu_limit_millis, tm.memory_bytes, tm.scratch_bytes),
        "startupProbe": _tcp_probe("rpc", STARTUP_PERIOD_SECONDS, STARTUP_FAILURE_THRESHOLD),
        "readinessProbe": _tcp_probe("rpc", 10, 3),
        "livenessProbe": _tcp_probe("rpc", 15, 4),
    }
    extra: dict[str, Any] = {}
    spread = _spread_constraints(settings)
    if spread:
        extra["topologySpreadConstraints"] = spread
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": object_metadata(settings, settings.names.taskmanager, TASKMANAGER),
        "spec": {
            "replicas": tm.replicas,
            # Bring a new TaskManager up before an old one goes, so free slots never drop.
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "selector": {"matchLabels": settings.names.selector_labels(TASKMANAGER)},
            "template": _pod_template(
                settings,
                component=TASKMANAGER,
                config_map_name=config_map_name,
                container=container,
                scratch_bytes=tm.scratch_bytes,
                extra_spec=extra,
            ),
        },
    }
