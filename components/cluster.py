"""The FlinkSessionCluster component: registers the pure manifests as Pulumi resources."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s

from components.manifests.objects import ClusterObject, Stage, config_object, dependent_objects, namespace_object
from components.operations import Sensitive
from components.settings import ClusterSettings
from components.summary import cluster_summary

COMPONENT_TYPE = "flink-session:index:FlinkSessionCluster"

# apiVersion/kind -> the typed pulumi-kubernetes resource that registers it
_RESOURCES: dict[tuple[str, str], Callable[..., pulumi.CustomResource]] = {
    ("v1", "Namespace"): k8s.core.v1.Namespace,
    ("v1", "ConfigMap"): k8s.core.v1.ConfigMap,
    ("v1", "Service"): k8s.core.v1.Service,
    ("v1", "ServiceAccount"): k8s.core.v1.ServiceAccount,
    ("v1", "Secret"): k8s.core.v1.Secret,
    ("apps/v1", "Deployment"): k8s.apps.v1.Deployment,
    ("networking.k8s.io/v1", "NetworkPolicy"): k8s.networking.v1.NetworkPolicy,
    ("networking.k8s.io/v1", "Ingress"): k8s.networking.v1.Ingress,
    ("policy/v1", "PodDisruptionBudget"): k8s.policy.v1.PodDisruptionBudget,
    ("rbac.authorization.k8s.io/v1", "Role"): k8s.rbac.v1.Role,
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): k8s.rbac.v1.RoleBinding,
}


def _fields(manifest: dict[str, Any]) -> dict[str, Any]:
    """A manifest's top-level fields as resource arguments (Pulumi sets apiVersion and kind itself).

    Argument names are snake_case (`roleRef` -> `role_ref`); nested values may stay camelCase.
    """
    return {_snake(k): _as_inputs(v) for k, v in manifest.items() if k not in ("apiVersion", "kind")}


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def _as_inputs(value: Any) -> Any:
    """Sensitive values become Pulumi secrets: encrypted in state, masked in previews and outputs."""
    if isinstance(value, Sensitive):
        return pulumi.Output.secret(value.reveal())
    if isinstance(value, dict):
        return {k: _as_inputs(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_inputs(v) for v in value]
    return value


def _register(item: ClusterObject, opts: pulumi.ResourceOptions) -> pulumi.CustomResource:
    manifest = item.manifest
    resource = _RESOURCES.get((manifest["apiVersion"], manifest["kind"]))
    if resource is not None:
        return resource(item.resource_name, **_fields(manifest), opts=opts)
    # Custom resources (the PodMonitor) have no typed class.
    return k8s.apiextensions.CustomResource(
        item.resource_name, api_version=manifest["apiVersion"], kind=manifest["kind"], **_fields(manifest), opts=opts
    )


class FlinkSessionCluster(pulumi.ComponentResource):
    """A Flink session cluster on Kubernetes.

    Children (all with ``parent=self``; the list is `components.manifests.objects`):
      - Namespace (unless ``create_namespace`` is false), restricted Pod Security enforced
      - ConfigMap with ``config.yaml`` and log4j files (auto-named: any change rolls the pods)
      - ServiceAccount (token mounted only with HA); with HA a Role + RoleBinding on ConfigMaps
      - Secret with the object store's credentials (when given), as Pulumi secrets
      - JobManager Service (RPC 6123, blob 6124) and REST Service (8081)
      - JobManager and TaskManager Deployments
      - NetworkPolicies: default-deny ingress, then only Flink's own traffic and configured sources
      - PodDisruptionBudgets (TaskManagers when there are two or more; HA JobManagers)
      - PodMonitor (monitoring.coreos.com/v1) and Ingress, when the settings ask for them

    ``namespace_dependency`` is the resource that creates the Namespace when another
    cluster of the stack creates it (clusters sharing one namespace).

    Outputs: ``namespace``, ``job_manager_service``, ``rest_endpoint``, ``task_managers``,
    ``total_slots``, ``port_forward`` and ``summary`` (all of them as one dict).
    """

    namespace: pulumi.Output[str]
    job_manager_service: pulumi.Output[str]
    rest_endpoint: pulumi.Output[str]
    task_managers: pulumi.Output[int]
    total_slots: pulumi.Output[int]
    port_forward: pulumi.Output[str]
    summary: pulumi.Output[dict[str, Any]]
    namespace_resource: pulumi.CustomResource | None

    def __init__(
        self,
        name: str,
        settings: ClusterSettings,
        opts: pulumi.ResourceOptions | None = None,
        *,
        namespace_dependency: pulumi.Resource | None = None,
    ) -> None:
        super().__init__(COMPONENT_TYPE, name, None, opts)
        depends: list[pulumi.Resource] = [namespace_dependency] if namespace_dependency is not None else []
        self.namespace_resource = None
        namespace_item = namespace_object(settings)
        if namespace_item is not None:
            self.namespace_resource = _register(
                namespace_item, pulumi.ResourceOptions(parent=self, protect=settings.protect_namespace)
            )
            depends.append(self.namespace_resource)
        child = pulumi.ResourceOptions(parent=self, depends_on=depends)
        conf = _register(config_object(settings), child)
        # The pure builders take the ConfigMap's name as a string; here it is the auto-name Output.
        conf_name = cast(str, cast(k8s.core.v1.ConfigMap, conf).metadata.name)
        prerequisites: list[pulumi.Resource] = [*depends]
        for item in dependent_objects(settings, conf_name):
            if item.stage is Stage.PODS:
                _register(item, pulumi.ResourceOptions(parent=self, depends_on=prerequisites))
                continue
            resource = _register(item, child)
            if item.stage is Stage.POD_PREREQUISITE:
                prerequisites.append(resource)

        summary = cluster_summary(settings)
        self.summary = pulumi.Output.from_input(summary)
        self.namespace = pulumi.Output.from_input(summary["namespace"])
        self.job_manager_service = pulumi.Output.from_input(summary["jobManagerService"])
        self.rest_endpoint = pulumi.Output.from_input(summary["restEndpoint"])
        self.task_managers = pulumi.Output.from_input(summary["taskManagers"])
        self.total_slots = pulumi.Output.from_input(summary["totalSlots"])
        self.port_forward = pulumi.Output.from_input(summary["portForward"])
        self.register_outputs(summary)
