"""Every object of one session cluster, in creation order: the one list the component and the renderer share.

The component registers exactly these (so `tools/render` shows exactly what
`pulumi up` creates); a test compares the two. Each entry says which Pulumi
resource name it gets and what it must wait for.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from components.flink_config import config_checksum, render_config_files
from components.manifests.config_map import config_map
from components.manifests.deployments import jobmanager_deployment, taskmanager_deployment
from components.manifests.disruption import jobmanager_disruption_budget, taskmanager_disruption_budget
from components.manifests.ingress import ingress
from components.manifests.monitoring import pod_monitor
from components.manifests.namespace import namespace
from components.manifests.network_policy import network_policies
from components.manifests.rbac import ha_role, ha_role_binding, service_account
from components.manifests.secret import storage_credentials_secret
from components.manifests.services import jobmanager_service, rest_service
from components.settings import ClusterSettings


class Stage(Enum):
    """What an object waits for: the Namespace first, pods after what they mount or use."""

    NAMESPACE = "namespace"
    CONFIG = "config"  # the ConfigMap, auto-named: its name is an input to the pods
    POD_PREREQUISITE = "pod-prerequisite"  # ServiceAccount, RBAC, Secret
    PODS = "pods"  # the Deployments
    OTHER = "other"


@dataclass(frozen=True)
class ClusterObject:
    resource_name: str
    manifest: dict[str, Any]
    stage: Stage


def namespace_object(settings: ClusterSettings) -> ClusterObject | None:
    if not settings.create_namespace:
        return None
    return ClusterObject(f"{settings.name}-namespace", namespace(settings), Stage.NAMESPACE)


def config_object(settings: ClusterSettings) -> ClusterObject:
    return ClusterObject(settings.names.config_map, config_map(settings), Stage.CONFIG)


def dependent_objects(settings: ClusterSettings, config_map_name: str) -> list[ClusterObject]:
    """Everything after the ConfigMap; `config_map_name` is its (generated) name."""
    name = settings.name
    checksum = config_checksum(render_config_files(settings))  # once for both Deployments
    optional: list[tuple[str, dict[str, Any] | None, Stage]] = [
        (f"{name}-serviceaccount", service_account(settings), Stage.POD_PREREQUISITE),
        (f"{name}-ha-role", ha_role(settings), Stage.POD_PREREQUISITE),
        (f"{name}-ha-rolebinding", ha_role_binding(settings), Stage.POD_PREREQUISITE),
        (f"{name}-storage-credentials", storage_credentials_secret(settings), Stage.POD_PREREQUISITE),
        (f"{name}-jobmanager-service", jobmanager_service(settings), Stage.OTHER),
        (f"{name}-rest-service", rest_service(settings), Stage.OTHER),
        (f"{name}-jobmanager", jobmanager_deployment(settings, config_map_name, checksum), Stage.PODS),
        (f"{name}-taskmanager", taskmanager_deployment(settings, config_map_name, checksum), Stage.PODS),
        *((policy["metadata"]["name"], policy, Stage.OTHER) for policy in network_policies(settings)),
        (f"{name}-taskmanager-pdb", taskmanager_disruption_budget(settings), Stage.OTHER),
        (f"{name}-jobmanager-pdb", jobmanager_disruption_budget(settings), Stage.OTHER),
        (f"{name}-podmonitor", pod_monitor(settings), Stage.OTHER),
        (f"{name}-ingress", ingress(settings), Stage.OTHER),
    ]
    return [ClusterObject(resource, manifest, stage) for resource, manifest, stage in optional if manifest is not None]


def cluster_objects(settings: ClusterSettings, config_map_name: str) -> list[ClusterObject]:
    """The whole cluster, in creation order."""
    first = namespace_object(settings)
    return [*([first] if first else []), config_object(settings), *dependent_objects(settings, config_map_name)]
