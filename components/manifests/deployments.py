"""The JobManager and TaskManager Deployments."""

from __future__ import annotations

from typing import Any

from components import ports
from components.flink_config import config_checksum, render_config_files
from components.manifests.metadata import common_labels, object_metadata
from components.manifests.monitoring import METRICS_PORT_NAME
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
from components.manifests.rbac import service_account_name
from components.manifests.secret import storage_credentials_env
from components.naming import JOBMANAGER, TASKMANAGER
from components.settings import ClusterSettings

# A JVM can take a while to start on a busy node; the startup probe allows 5 minutes
# before liveness takes over, instead of a long initialDelay on every restart.
STARTUP_PERIOD_SECONDS = 5
STARTUP_FAILURE_THRESHOLD = 60

# Deliberate exceptions to checkov's rules, stated on the object they apply to:
# with HA the pods must reach the API server (ConfigMaps), so the token is mounted;
# the S3 plugins read credentials from the AWS SDK's environment variables.
CHECKOV_TOKEN_SKIP = "CKV_K8S_38=Kubernetes HA needs the ServiceAccount token (ConfigMap leader election)"
CHECKOV_SECRET_ENV_SKIP = "CKV_K8S_35=the S3 filesystem plugins read credentials from AWS_* environment variables"


def _pod_template(
    settings: ClusterSettings,
    *,
    component: str,
    config_map_name: str,
    container: dict[str, Any],
    scratch_bytes: int,
    extra_spec: dict[str, Any],
    checksum: str | None,
) -> dict[str, Any]:
    annotations = {
        **settings.annotations,
        CONFIG_CHECKSUM_ANNOTATION: checksum if checksum is not None else config_checksum(render_config_files(settings)),
    }
    return {
        "metadata": {"labels": common_labels(settings, component), "annotations": annotations},
        "spec": {
            "serviceAccountName": service_account_name(settings),
            # Only Kubernetes HA talks to the API server; otherwise no token in the pod.
            "automountServiceAccountToken": settings.operations.high_availability.enabled,
            "enableServiceLinks": False,
            "securityContext": pod_security_context(),
            "initContainers": [config_init_container(settings)],
            "containers": [container],
            "volumes": volumes(settings, config_map_name, scratch_bytes),
            **scheduling_fields(settings),
            **extra_spec,
        },
    }


def _flink_container(
    settings: ClusterSettings, name: str, args: list[str], extra_env: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    # Same address config.yaml names, so the entrypoint's rewrite is a no-op (see pods.py).
    env: list[dict[str, Any]] = [{"name": "JOB_MANAGER_RPC_ADDRESS", "value": settings.names.jobmanager_service_fqdn}]
    env += extra_env or []
    if settings.operations.plugins:
        env.append({"name": "ENABLE_BUILT_IN_PLUGINS", "value": ";".join(settings.operations.plugins)})
    env += storage_credentials_env(settings)
    return {
        "name": name,
        "image": str(settings.image),
        "imagePullPolicy": settings.image_pull_policy,
        "args": args,
        "env": env,
        "securityContext": container_security_context(),
        "volumeMounts": flink_volume_mounts(settings),
    }


def _metrics_ports(settings: ClusterSettings) -> list[dict[str, Any]]:
    if not settings.operations.metrics.prometheus:
        return []
    return [{"name": METRICS_PORT_NAME, "containerPort": ports.PROMETHEUS, "protocol": "TCP"}]


def _deployment_metadata(settings: ClusterSettings, name: str, component: str) -> dict[str, Any]:
    metadata = object_metadata(settings, name, component)
    skips = [
        *([CHECKOV_TOKEN_SKIP] if settings.operations.high_availability.enabled else []),
        *([CHECKOV_SECRET_ENV_SKIP] if storage_credentials_env(settings) else []),
    ]
    if skips:
        numbered = {f"checkov.io/skip{index}": skip for index, skip in enumerate(skips, start=1)}
        metadata["annotations"] = {**metadata.get("annotations", {}), **numbered}
    return metadata


POD_IP_ENV = {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}}


def jobmanager_args(settings: ClusterSettings) -> list[str]:
    """With HA each JobManager advertises its own pod IP (the Service would point at any of them).

    1.x's jobmanager.sh takes the address as its positional host argument; 2.x removed
    that argument, so there it is the dynamic property jobmanager.rpc.address.
    """
    if not settings.operations.high_availability.enabled:
        return ["jobmanager"]
    if settings.flink_version.is_2x:
        return ["jobmanager", "-D", "jobmanager.rpc.address=$(POD_IP)"]
    return ["jobmanager", "$(POD_IP)"]


def _tcp_probe(port: str, period: int, failures: int) -> dict[str, Any]:
    return {"tcpSocket": {"port": port}, "periodSeconds": period, "failureThreshold": failures, "timeoutSeconds": 5}


def jobmanager_deployment(settings: ClusterSettings, config_map_name: str, checksum: str | None = None) -> dict[str, Any]:
    """`checksum`: of the rendered conf files, when the caller has it already (else computed here)."""
    jm = settings.job_manager
    ha = settings.operations.high_availability
    container = _flink_container(settings, JOBMANAGER, jobmanager_args(settings), [POD_IP_ENV] if ha.enabled else [])
    rest_check = {"path": "/config", "port": "rest"}
    container |= {
        "ports": [
            {"name": "rpc", "containerPort": ports.JOBMANAGER_RPC, "protocol": "TCP"},
            {"name": "blob", "containerPort": ports.BLOB_SERVER, "protocol": "TCP"},
            {"name": "rest", "containerPort": ports.REST, "protocol": "TCP"},
            *_metrics_ports(settings),
        ],
        "resources": container_resources(settings, jm.cpu_millis, jm.cpu_limit_millis, jm.memory_bytes, jm.scratch_bytes),
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
        "metadata": _deployment_metadata(settings, settings.names.jobmanager, JOBMANAGER),
        "spec": {
            "replicas": ha.job_manager_replicas,
            # Without HA two JobManagers would each run their own jobs: never overlap them.
            # With HA a new one joins the election before an old one leaves.
            "strategy": (
                {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
                if ha.enabled
                else {"type": "Recreate"}
            ),
            "selector": {"matchLabels": selector},
            "template": _pod_template(
                settings,
                component=JOBMANAGER,
                config_map_name=config_map_name,
                container=container,
                scratch_bytes=jm.scratch_bytes,
                extra_spec={},
                checksum=checksum,
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


def taskmanager_deployment(settings: ClusterSettings, config_map_name: str, checksum: str | None = None) -> dict[str, Any]:
    tm = settings.task_manager
    container = _flink_container(settings, TASKMANAGER, ["taskmanager"])
    container |= {
        "ports": [
            {"name": "data", "containerPort": ports.TASKMANAGER_DATA, "protocol": "TCP"},
            {"name": "rpc", "containerPort": ports.TASKMANAGER_RPC, "protocol": "TCP"},
            *_metrics_ports(settings),
        ],
        "resources": container_resources(settings, tm.cpu_millis, tm.cpu_limit_millis, tm.memory_bytes, tm.scratch_bytes),
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
        "metadata": _deployment_metadata(settings, settings.names.taskmanager, TASKMANAGER),
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
                checksum=checksum,
            ),
        },
    }
