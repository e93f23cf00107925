"""The FlinkSessionCluster component: wires the pure manifests into Pulumi resources."""

from __future__ import annotations

import re
from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s

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
from components.operations import Sensitive
from components.settings import ClusterSettings
from components.summary import cluster_summary

COMPONENT_TYPE = "flink-session:index:FlinkSessionCluster"


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


class FlinkSessionCluster(pulumi.ComponentResource):
    """A Flink session cluster on Kubernetes.

    Children (all with ``parent=self``, named ``<name>-<role>``):
      - Namespace (unless ``create_namespace`` is false), restricted Pod Security enforced
      - ConfigMap with ``config.yaml`` and log4j files (auto-named: any change rolls the pods)
      - JobManager Deployment and TaskManager Deployment
      - JobManager Service (RPC 6123, blob 6124) and REST Service (8081), both ClusterIP
      - NetworkPolicies: default-deny ingress, then only Flink's own traffic and configured REST sources
      - PodDisruptionBudget for the TaskManagers (when there are at least two), and for HA JobManagers
      - ServiceAccount (token mounted only with HA); with HA a Role + RoleBinding on ConfigMaps
      - Secret with the object store's credentials (when given), as Pulumi secrets
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

    namespace_resource: k8s.core.v1.Namespace | None

    def __init__(
        self,
        name: str,
        settings: ClusterSettings,
        opts: pulumi.ResourceOptions | None = None,
        *,
        namespace_dependency: pulumi.Resource | None = None,
    ) -> None:
        super().__init__(COMPONENT_TYPE, name, None, opts)
        names = settings.names
        depends: list[pulumi.Resource] = [namespace_dependency] if namespace_dependency is not None else []
        self.namespace_resource = None
        if settings.create_namespace:
            self.namespace_resource = k8s.core.v1.Namespace(
                f"{name}-namespace",
                **_fields(namespace(settings)),
                opts=pulumi.ResourceOptions(parent=self, protect=settings.protect_namespace),
            )
            depends.append(self.namespace_resource)
        child = pulumi.ResourceOptions(parent=self, depends_on=depends)

        account = k8s.core.v1.ServiceAccount(f"{name}-serviceaccount", **_fields(service_account(settings)), opts=child)
        pod_depends: list[pulumi.Resource] = [*depends, account]
        role, binding = ha_role(settings), ha_role_binding(settings)
        if role is not None and binding is not None:
            k8s.rbac.v1.Role(f"{name}-ha-role", **_fields(role), opts=child)
            pod_depends.append(k8s.rbac.v1.RoleBinding(f"{name}-ha-rolebinding", **_fields(binding), opts=child))
        credentials = storage_credentials_secret(settings)
        if credentials is not None:
            pod_depends.append(k8s.core.v1.Secret(f"{name}-storage-credentials", **_fields(credentials), opts=child))
        pods = pulumi.ResourceOptions(parent=self, depends_on=pod_depends)

        conf = k8s.core.v1.ConfigMap(names.config_map, **_fields(config_map(settings)), opts=child)
        # The pure builders take the ConfigMap's name as a string; here it is the auto-name Output.
        conf_name = cast(str, conf.metadata.name)
        k8s.core.v1.Service(f"{name}-jobmanager-service", **_fields(jobmanager_service(settings)), opts=child)
        k8s.core.v1.Service(f"{name}-rest-service", **_fields(rest_service(settings)), opts=child)
        k8s.apps.v1.Deployment(f"{name}-jobmanager", **_fields(jobmanager_deployment(settings, conf_name)), opts=pods)
        k8s.apps.v1.Deployment(f"{name}-taskmanager", **_fields(taskmanager_deployment(settings, conf_name)), opts=pods)
        for policy in network_policies(settings):
            k8s.networking.v1.NetworkPolicy(policy["metadata"]["name"], **_fields(policy), opts=child)
        for role_name, budget in (
            ("taskmanager", taskmanager_disruption_budget(settings)),
            ("jobmanager", jobmanager_disruption_budget(settings)),
        ):
            if budget is not None:
                k8s.policy.v1.PodDisruptionBudget(f"{name}-{role_name}-pdb", **_fields(budget), opts=child)
        monitor = pod_monitor(settings)
        if monitor is not None:
            k8s.apiextensions.CustomResource(
                f"{name}-podmonitor",
                api_version=monitor["apiVersion"],
                kind=monitor["kind"],
                metadata=monitor["metadata"],
                spec=monitor["spec"],
                opts=child,
            )
        route = ingress(settings)
        if route is not None:
            k8s.networking.v1.Ingress(f"{name}-ingress", **_fields(route), opts=child)

        summary = cluster_summary(settings)
        self.summary = pulumi.Output.from_input(summary)
        self.namespace = pulumi.Output.from_input(summary["namespace"])
        self.job_manager_service = pulumi.Output.from_input(summary["jobManagerService"])
        self.rest_endpoint = pulumi.Output.from_input(summary["restEndpoint"])
        self.task_managers = pulumi.Output.from_input(summary["taskManagers"])
        self.total_slots = pulumi.Output.from_input(summary["totalSlots"])
        self.port_forward = pulumi.Output.from_input(summary["portForward"])
        self.register_outputs(summary)
