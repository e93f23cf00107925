"""Every object of one session cluster, in creation order: the one list the component and the renderer share.

The component registers exactly these (so `tools/review` shows exactly what `pulumi up`
creates; a test compares the two), each under its Pulumi resource name and after the
objects it waits for. What waits for what is decided here, not in the component:
every object waits for the Namespace the cluster creates, and the Deployments wait for
what their pods mount or use (ConfigMap, ServiceAccount, RBAC, Secret). With the
ConfigMap named by its content, that edge also orders a config change: Pulumi creates
the new ConfigMap, rolls the Deployments onto it, and only then deletes the old one.
The SQL Gateway's and History Server's Deployments wait for the same, not for the
JobManagers: the gateway reaches them only when a statement runs, the History Server
never, and their probes do not need them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.manifests.config_map import config_map
from components.manifests.deployments import jobmanager_deployment, taskmanager_deployment
from components.manifests.disruption import (
    jobmanager_disruption_budget,
    sql_gateway_disruption_budget,
    taskmanager_disruption_budget,
)
from components.manifests.history_server import history_server_deployment
from components.manifests.ingress import ingress
from components.manifests.monitoring import pod_monitor
from components.manifests.namespace import namespace
from components.manifests.network_policy import (
    default_deny,
    history_server_ingress,
    jobmanager_ingress,
    sql_gateway_ingress,
    taskmanager_ingress,
)
from components.manifests.rbac import ha_role, ha_role_binding, service_account
from components.manifests.secret import storage_credentials_secret
from components.manifests.services import history_server_service, jobmanager_service, rest_service, sql_gateway_service
from components.manifests.sql_gateway import sql_gateway_deployment
from components.model.cluster import Cluster
from components.model.naming import Part

# What a pod mounts or uses: its Deployment waits for these.
POD_PREREQUISITES = (Part.CONFIG, Part.SERVICE_ACCOUNT, Part.HA_ROLE, Part.HA_ROLE_BINDING, Part.STORAGE_SECRET)
WORKLOADS = (Part.JOBMANAGER, Part.TASKMANAGER, Part.SQL_GATEWAY, Part.HISTORY_SERVER)


@dataclass(frozen=True)
class PlannedObject:
    """One object the component registers: which part it is, its Pulumi resource name and manifest, what it waits for."""

    part: Part
    resource_name: str
    manifest: dict[str, Any]
    # the parts of this cluster that must exist first
    depends_on: tuple[Part, ...]
    # Pulumi `protect`: the Namespace when protectNamespace is set
    protect: bool = False


def cluster_objects(cluster: Cluster) -> list[PlannedObject]:
    """The whole cluster, in creation order."""
    conf = config_map(cluster)
    config_map_name = conf["metadata"]["name"]
    candidates: list[tuple[Part, dict[str, Any] | None]] = [
        (Part.NAMESPACE, namespace(cluster) if cluster.create_namespace else None),
        (Part.CONFIG, conf),
        (Part.SERVICE_ACCOUNT, service_account(cluster)),
        (Part.HA_ROLE, ha_role(cluster)),
        (Part.HA_ROLE_BINDING, ha_role_binding(cluster)),
        (Part.STORAGE_SECRET, storage_credentials_secret(cluster)),
        (Part.JOBMANAGER_SERVICE, jobmanager_service(cluster)),
        (Part.REST_SERVICE, rest_service(cluster)),
        (Part.SQL_GATEWAY_SERVICE, sql_gateway_service(cluster)),
        (Part.HISTORY_SERVER_SERVICE, history_server_service(cluster)),
        (Part.JOBMANAGER, jobmanager_deployment(cluster, config_map_name)),
        (Part.TASKMANAGER, taskmanager_deployment(cluster, config_map_name)),
        (Part.SQL_GATEWAY, sql_gateway_deployment(cluster, config_map_name)),
        (Part.HISTORY_SERVER, history_server_deployment(cluster, config_map_name)),
        (Part.DEFAULT_DENY, default_deny(cluster)),
        (Part.JOBMANAGER_POLICY, jobmanager_ingress(cluster)),
        (Part.TASKMANAGER_POLICY, taskmanager_ingress(cluster)),
        (Part.SQL_GATEWAY_POLICY, sql_gateway_ingress(cluster)),
        (Part.HISTORY_SERVER_POLICY, history_server_ingress(cluster)),
        (Part.TASKMANAGER_BUDGET, taskmanager_disruption_budget(cluster)),
        (Part.JOBMANAGER_BUDGET, jobmanager_disruption_budget(cluster)),
        (Part.SQL_GATEWAY_BUDGET, sql_gateway_disruption_budget(cluster)),
        (Part.POD_MONITOR, pod_monitor(cluster)),
        (Part.INGRESS, ingress(cluster)),
    ]
    present = {part for part, manifest in candidates if manifest is not None}
    objects = []
    for part, manifest in candidates:
        if manifest is None:
            continue
        waits = [Part.NAMESPACE] if part is not Part.NAMESPACE and Part.NAMESPACE in present else []
        if part in WORKLOADS:
            waits += [p for p in POD_PREREQUISITES if p in present]
        protect = part is Part.NAMESPACE and cluster.protect_namespace
        objects.append(PlannedObject(part, cluster.names.resource(part), manifest, tuple(waits), protect))
    return objects
