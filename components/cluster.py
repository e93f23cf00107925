"""The FlinkSessionCluster component: registers the pure manifests as Pulumi resources."""

from __future__ import annotations

from typing import Any, cast

import pulumi

from components.manifests.objects import ClusterObject, Stage, config_object, dependent_objects, namespace_object
from components.operations import Sensitive
from components.settings import ClusterSettings
from components.summary import cluster_summary

COMPONENT_TYPE = "flink-session:index:FlinkSessionCluster"

# Secret data is a secret output too, as pulumi-kubernetes' own Secret class declares.
_SECRET_OUTPUTS = {("v1", "Secret"): ["data", "stringData"]}


def type_token(api_version: str, kind: str) -> str:
    """The provider's type token: `kubernetes:core/v1:ConfigMap`, `kubernetes:apps/v1:Deployment`, ..."""
    group_version = "core/v1" if api_version == "v1" else api_version
    return f"kubernetes:{group_version}:{kind}"


class KubernetesObject(pulumi.CustomResource):
    """One Kubernetes object, registered by type token with the manifest as its inputs.

    pulumi-kubernetes' typed classes (`k8s.apps.v1.Deployment`, ...) send exactly this
    to the engine (a test registers both ways and compares), but importing their API
    group modules costs ~0.25 s per program run, more than the rest of the program.
    Like them, it pins the provider to the installed pulumi-kubernetes version.
    """

    metadata: pulumi.Output[Any]

    def __init__(self, resource_name: str, manifest: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        props = {key: _as_inputs(value) for key, value in manifest.items()}
        token = type_token(manifest["apiVersion"], manifest["kind"])
        super().__init__(token, resource_name, props, registration_options(manifest, opts))


def registration_options(manifest: dict[str, Any], opts: pulumi.ResourceOptions) -> pulumi.ResourceOptions:
    """The provider version pin (and Secret's secret outputs) that the typed classes add, merged with `opts`."""
    from pulumi_kubernetes import _utilities  # noqa: PLC0415 - the package root is cheap; its API groups are not

    defaults: pulumi.ResourceOptions = _utilities.get_resource_opts_defaults()
    secret_outputs = _SECRET_OUTPUTS.get((manifest["apiVersion"], manifest["kind"]))
    if secret_outputs:
        defaults = pulumi.ResourceOptions.merge(defaults, pulumi.ResourceOptions(additional_secret_outputs=secret_outputs))
    return pulumi.ResourceOptions.merge(defaults, opts)


def _as_inputs(value: Any) -> Any:
    """Sensitive values become Pulumi secrets: encrypted in state, masked in previews and outputs."""
    if isinstance(value, Sensitive):
        return pulumi.Output.secret(value.reveal())
    if isinstance(value, dict):
        return {k: _as_inputs(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_inputs(v) for v in value]
    return value


def _register(item: ClusterObject, opts: pulumi.ResourceOptions) -> KubernetesObject:
    return KubernetesObject(item.resource_name, item.manifest, opts)


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
    namespace_resource: KubernetesObject | None

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
        conf_name = cast(str, conf.metadata.apply(lambda metadata: metadata["name"]))
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
