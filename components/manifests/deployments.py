"""The JobManager and TaskManager Deployments, and the pieces the SQL Gateway's Deployment shares with them."""

from __future__ import annotations

from typing import Any

from components.manifests.metadata import common_labels, object_metadata, with_annotations
from components.manifests.monitoring import METRICS_PORT_NAME
from components.manifests.pods import (
    config_init_container,
    container_resources,
    container_security_context,
    flink_volume_mounts,
    pod_security_context,
    probes,
    scheduling_fields,
    volumes,
)
from components.manifests.secret import storage_credentials_env
from components.model import ports
from components.model.cluster import Cluster
from components.model.naming import JOBMANAGER, TASKMANAGER

RPC_CHECK = {"tcpSocket": {"port": "rpc"}}


# Deliberate exceptions to checkov's rules, stated on the object they apply to:
# with HA the pods must reach the API server (ConfigMaps), so the token is mounted;
# the S3 plugins read credentials from the AWS SDK's environment variables.
CHECKOV_TOKEN_SKIP = "CKV_K8S_38=Kubernetes HA needs the ServiceAccount token (ConfigMap leader election)"
CHECKOV_SECRET_ENV_SKIP = "CKV_K8S_35=the S3 filesystem plugins read credentials from AWS_* environment variables"


def _pod_template(
    cluster: Cluster,
    *,
    component: str,
    config_map_name: str,
    container: dict[str, Any],
    scratch_bytes: int,
    mount_token: bool,
    extra_spec: dict[str, Any],
) -> dict[str, Any]:
    # No checksum annotation: the ConfigMap is named by its content, so a config change
    # changes `config_map_name` here and rolls the pods, and nothing else does. (No empty
    # annotations map either: the API server drops it, which would read as a change.)
    metadata: dict[str, Any] = {"labels": common_labels(cluster, component)}
    if cluster.annotations:
        metadata["annotations"] = dict(cluster.annotations)
    return {
        "metadata": metadata,
        "spec": {
            "serviceAccountName": cluster.names.service_account,
            # Only Kubernetes HA talks to the API server; otherwise no token in the pod.
            "automountServiceAccountToken": mount_token,
            "enableServiceLinks": False,
            "securityContext": pod_security_context(),
            "initContainers": [config_init_container(cluster)],
            "containers": [container],
            "volumes": volumes(cluster, config_map_name, scratch_bytes),
            **scheduling_fields(cluster),
            **extra_spec,
        },
    }


def flink_container(cluster: Cluster, name: str, args: list[str], extra_env: list[dict[str, Any]]) -> dict[str, Any]:
    # Same address config.yaml names, so the entrypoint's rewrite is a no-op (see pods.py).
    env: list[dict[str, Any]] = [{"name": "JOB_MANAGER_RPC_ADDRESS", "value": cluster.names.jobmanager_service_fqdn}]
    env += extra_env
    if cluster.storage.plugins:
        env.append({"name": "ENABLE_BUILT_IN_PLUGINS", "value": ";".join(cluster.storage.plugins)})
    env += storage_credentials_env(cluster)
    return {
        "name": name,
        "image": str(cluster.image),
        "imagePullPolicy": cluster.image_pull_policy,
        "args": args,
        "env": env,
        "securityContext": container_security_context(),
        "volumeMounts": flink_volume_mounts(cluster),
    }


def _metrics_ports(cluster: Cluster) -> list[dict[str, Any]]:
    if not cluster.metrics.prometheus:
        return []
    return [{"name": METRICS_PORT_NAME, "containerPort": ports.PROMETHEUS, "protocol": "TCP"}]


def flink_deployment(
    cluster: Cluster,
    *,
    name: str,
    component: str,
    replicas: int,
    strategy: dict[str, Any],
    container: dict[str, Any],
    scratch_bytes: int,
    config_map_name: str,
    extra_spec: dict[str, Any],
    mount_token: bool | None = None,
) -> dict[str, Any]:
    """A Deployment of Flink pods; `mount_token`: the ServiceAccount token (default: with HA, which needs it)."""
    mount = cluster.high_availability is not None if mount_token is None else mount_token
    skips = [
        *([CHECKOV_TOKEN_SKIP] if mount else []),
        *([CHECKOV_SECRET_ENV_SKIP] if storage_credentials_env(cluster) else []),
    ]
    numbered = {f"checkov.io/skip{index}": skip for index, skip in enumerate(skips, start=1)}
    template = _pod_template(
        cluster,
        component=component,
        config_map_name=config_map_name,
        container=container,
        scratch_bytes=scratch_bytes,
        mount_token=mount,
        extra_spec=extra_spec,
    )
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": with_annotations(object_metadata(cluster, name, component), numbered),
        "spec": {
            "replicas": replicas,
            "strategy": strategy,
            "selector": {"matchLabels": cluster.names.selector_labels(component)},
            "template": template,
        },
    }


POD_IP_ENV = {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}}
# A new pod comes up before an old one goes.
ONE_AT_A_TIME = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}


def jobmanager_args(cluster: Cluster) -> list[str]:
    """With HA each JobManager advertises its own pod IP (the Service would point at any of them).

    1.x's jobmanager.sh takes the address as its positional host argument; 2.x removed
    that argument, so there it is the dynamic property jobmanager.rpc.address.

    It also binds to that IP. A job submitted through the REST API may reach the standby,
    which uploads the jar to the leader's blob server at the address the leader reports;
    a blob server bound to 0.0.0.0 reports its pod's hostname, which no other pod can
    resolve.
    """
    if cluster.high_availability is None:
        return ["jobmanager"]
    bind = ["-D", "jobmanager.bind-host=$(POD_IP)"]
    if cluster.flink_version.is_2x:
        return ["jobmanager", "-D", "jobmanager.rpc.address=$(POD_IP)", *bind]
    return ["jobmanager", "$(POD_IP)", *bind]


def container_port(name: str, number: int) -> dict[str, Any]:
    return {"name": name, "containerPort": number, "protocol": "TCP"}


def jobmanager_deployment(cluster: Cluster, config_map_name: str) -> dict[str, Any]:
    jm = cluster.job_manager
    ha = cluster.high_availability is not None
    container = flink_container(cluster, JOBMANAGER, jobmanager_args(cluster), [POD_IP_ENV] if ha else [])
    container |= {
        "ports": [
            container_port("rpc", ports.JOBMANAGER_RPC),
            container_port("blob", ports.BLOB_SERVER),
            container_port("rest", ports.REST),
            *_metrics_ports(cluster),
        ],
        "resources": container_resources(cluster, jm),
        # Ready once the REST API answers; alive while the RPC port accepts (a busy REST API is no reason to restart).
        **probes({"httpGet": {"path": "/config", "port": "rest"}}, liveness=RPC_CHECK),
    }
    return flink_deployment(
        cluster,
        name=cluster.names.jobmanager,
        component=JOBMANAGER,
        replicas=jm.replicas,
        # Without HA two JobManagers would each run their own jobs: never overlap them.
        # With HA a new one joins the election before an old one leaves.
        strategy=ONE_AT_A_TIME if ha else {"type": "Recreate"},
        container=container,
        scratch_bytes=jm.scratch_bytes,
        config_map_name=config_map_name,
        extra_spec={},
    )


def _spread_constraints(cluster: Cluster) -> dict[str, Any]:
    """Spread TaskManagers over nodes and zones so one node loss takes few slots; best effort.

    Set whatever the replica count, so that scaling changes only the Deployment's replicas,
    never its pod template (which would replace every TaskManager and restart the jobs).
    """
    if not cluster.scheduling.spread_task_managers:
        return {}
    selector = {"matchLabels": cluster.names.selector_labels(TASKMANAGER)}
    constraints = [
        {"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": selector}
        for key in ("kubernetes.io/hostname", "topology.kubernetes.io/zone")
    ]
    return {"topologySpreadConstraints": constraints}


def taskmanager_deployment(cluster: Cluster, config_map_name: str) -> dict[str, Any]:
    tm = cluster.task_manager
    container = flink_container(cluster, TASKMANAGER, ["taskmanager"], [])
    container |= {
        "ports": [
            container_port("data", ports.TASKMANAGER_DATA),
            container_port("rpc", ports.TASKMANAGER_RPC),
            *_metrics_ports(cluster),
        ],
        "resources": container_resources(cluster, tm),
        **probes(RPC_CHECK),
    }
    return flink_deployment(
        cluster,
        name=cluster.names.taskmanager,
        component=TASKMANAGER,
        replicas=tm.replicas,
        # Bring a new TaskManager up before an old one goes, so free slots never drop.
        strategy=ONE_AT_A_TIME,
        container=container,
        scratch_bytes=tm.scratch_bytes,
        config_map_name=config_map_name,
        extra_spec=_spread_constraints(cluster),
    )
