"""The FlinkSessionCluster component: wires the pure manifests into Pulumi resources."""

from __future__ import annotations

from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s

from components.manifests.config_map import config_map
from components.manifests.deployments import jobmanager_deployment, taskmanager_deployment
from components.manifests.disruption import taskmanager_disruption_budget
from components.manifests.namespace import namespace
from components.manifests.network_policy import network_policies
from components.manifests.services import jobmanager_service, rest_service
from components.settings import ClusterSettings
from components.summary import cluster_summary

COMPONENT_TYPE = "flink-session:index:FlinkSessionCluster"


def _fields(manifest: dict[str, Any]) -> dict[str, Any]:
    """A manifest's fields as resource arguments (Pulumi sets apiVersion and kind itself)."""
    return {k: v for k, v in manifest.items() if k not in ("apiVersion", "kind")}


class FlinkSessionCluster(pulumi.ComponentResource):
    """A Flink session cluster on Kubernetes.

    Children (all with ``parent=self``, named ``<name>-<role>``):
      - Namespace (unless ``create_namespace`` is false), restricted Pod Security enforced
      - ConfigMap with ``config.yaml`` and log4j files (auto-named: any change rolls the pods)
      - JobManager Deployment and TaskManager Deployment
      - JobManager Service (RPC 6123, blob 6124) and REST Service (8081), both ClusterIP
      - NetworkPolicies: default-deny ingress, then only Flink's own traffic and configured REST sources
      - PodDisruptionBudget for the TaskManagers (when there are at least two)

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

    def __init__(self, name: str, settings: ClusterSettings, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(COMPONENT_TYPE, name, None, opts)
        names = settings.names
        depends: list[pulumi.Resource] = []
        if settings.create_namespace:
            ns = k8s.core.v1.Namespace(
                f"{name}-namespace",
                **_fields(namespace(settings)),
                opts=pulumi.ResourceOptions(parent=self, protect=settings.protect_namespace),
            )
            depends.append(ns)
        child = pulumi.ResourceOptions(parent=self, depends_on=depends)

        conf = k8s.core.v1.ConfigMap(names.config_map, **_fields(config_map(settings)), opts=child)
        # The pure builders take the ConfigMap's name as a string; here it is the auto-name Output.
        conf_name = cast(str, conf.metadata.name)
        k8s.core.v1.Service(f"{name}-jobmanager-service", **_fields(jobmanager_service(settings)), opts=child)
        k8s.core.v1.Service(f"{name}-rest-service", **_fields(rest_service(settings)), opts=child)
        k8s.apps.v1.Deployment(f"{name}-jobmanager", **_fields(jobmanager_deployment(settings, conf_name)), opts=child)
        k8s.apps.v1.Deployment(f"{name}-taskmanager", **_fields(taskmanager_deployment(settings, conf_name)), opts=child)
        for policy in network_policies(settings):
            k8s.networking.v1.NetworkPolicy(policy["metadata"]["name"], **_fields(policy), opts=child)
        budget = taskmanager_disruption_budget(settings)
        if budget is not None:
            k8s.policy.v1.PodDisruptionBudget(f"{name}-taskmanager-pdb", **_fields(budget), opts=child)

        summary = cluster_summary(settings)
        self.summary = pulumi.Output.from_input(summary)
        self.namespace = pulumi.Output.from_input(summary["namespace"])
        self.job_manager_service = pulumi.Output.from_input(summary["jobManagerService"])
        self.rest_endpoint = pulumi.Output.from_input(summary["restEndpoint"])
        self.task_managers = pulumi.Output.from_input(summary["taskManagers"])
        self.total_slots = pulumi.Output.from_input(summary["totalSlots"])
        self.port_forward = pulumi.Output.from_input(summary["portForward"])
        self.register_outputs(summary)
