"""The FlinkSessionCluster component: registers the pure object list as Pulumi resources.

No `from __future__ import annotations` here: the class-level annotations are the
component's outputs, and Pulumi's component provider (components/resources/package.py) reads
them as types to infer the package schema. The children are annotated in __init__.
"""

from pathlib import Path
from typing import Any

import pulumi

from components.errors import ConfigError
from components.input.schema import FlinkSessionClusterArgs
from components.jobs.access import RestAccess
from components.jobs.ha_metadata import FlinkHaMetadata, HaMetadataArgs
from components.jobs.resource import FlinkSessionJob, SessionJobArgs
from components.jobs.taskmanager_scaling import ScalingArgs, TaskManagerScaling
from components.manifests.metadata import with_owner
from components.manifests.objects import cluster_objects
from components.model import ports
from components.model.cluster import Cluster
from components.model.naming import JOBMANAGER, TASKMANAGER, Part, stack_owner
from components.resolution import resolve_args
from components.resources.kubernetes_object import KubernetesObject
from components.resources.outputs import cluster_summary

COMPONENT_TYPE = "flink-session:index:FlinkSessionCluster"


class FlinkSessionCluster(pulumi.ComponentResource):
    """A Flink session cluster on Kubernetes.

    ``args``: a ``FlinkSessionClusterArgs`` (validated by the same code as a stack file; an
    invalid one stops the program with every problem listed) or an already resolved
    ``components.model.cluster.Cluster``. ``name`` is the cluster's name, the prefix of every
    object and child resource. ``namespace_dependency``: the resource that creates the
    Namespace when another cluster does (clusters sharing a namespace). ``context``,
    ``kubeconfig``: the kubeconfig context and file (a path or its content) the Kubernetes
    provider uses, when not the ambient ones; jobs reach the REST API through that API server.

    Children: the cluster's Kubernetes objects, in the order and with the dependencies of
    ``components.manifests.objects`` (``children`` maps each ``naming.Part`` to its resource;
    the common ones are also attributes), and one ``FlinkSessionJob`` per job (``jobs``).
    Outputs: ``namespace_name``, ``config_map_name``, ``jobmanager_address``, ``rest_endpoint``,
    ``task_managers``, ``total_slots``, ``port_forward`` and ``summary`` (the stack output of
    one cluster, ``components.resources.outputs``).
    """

    namespace_name: pulumi.Output[str]
    config_map_name: pulumi.Output[str]
    jobmanager_address: pulumi.Output[str]
    rest_endpoint: pulumi.Output[str]
    task_managers: pulumi.Output[int]
    total_slots: pulumi.Output[int]
    port_forward: pulumi.Output[str]
    summary: pulumi.Output[dict[str, Any]]

    def __init__(
        self,
        name: str,
        args: FlinkSessionClusterArgs | Cluster,
        opts: pulumi.ResourceOptions | None = None,
        *,
        namespace_dependency: pulumi.Resource | None = None,
        context: str | None = None,
        kubeconfig: str | None = None,
    ) -> None:
        warnings: tuple[str, ...] = ()
        if isinstance(args, Cluster):
            if args.name != name:
                raise ValueError(f"FlinkSessionCluster '{name}' was given the resolved cluster '{args.name}'")
            cluster = args
        else:
            try:
                resolution = resolve_args(name, args)
            except ConfigError as error:
                # RunError ends the program with the message alone, as for a stack file.
                raise pulumi.RunError(f"FlinkSessionCluster '{name}': {error}") from error
            cluster, warnings = resolution.cluster, resolution.warnings
        super().__init__(COMPONENT_TYPE, name, None, opts)
        for warning in warnings:
            pulumi.log.warn(warning, resource=self)

        outside = [namespace_dependency] if namespace_dependency is not None else []
        self.children: dict[Part, KubernetesObject] = {}
        objects = cluster_objects(cluster)
        owner = stack_owner(pulumi.get_project(), pulumi.get_stack())
        access = RestAccess(
            cluster=cluster.name,
            namespace=cluster.namespace,
            selector=_selector(cluster, JOBMANAGER),
            port=ports.REST,
            url=cluster.jobs_rest_url,
            context=context,
            kubeconfig=kubeconfig,
        )
        # What acts on the running cluster before a Deployment changes (and after it is deleted).
        self.taskmanager_scaling: TaskManagerScaling | None = None
        self.ha_metadata: FlinkHaMetadata | None = None
        for item in objects:
            waits = [*outside, *(self.children[part] for part in item.depends_on)]
            waits = [*waits, *self._before_deployment(item.part, cluster, access, waits)]
            options = pulumi.ResourceOptions(parent=self, depends_on=waits, protect=item.protect)
            self.children[item.part] = KubernetesObject(item.resource_name, with_owner(item.manifest, owner), options)
        self.namespace: KubernetesObject | None = self.children.get(Part.NAMESPACE)
        self.config_map: KubernetesObject = self.children[Part.CONFIG]
        self.jobmanager_service: KubernetesObject = self.children[Part.JOBMANAGER_SERVICE]
        self.rest_service: KubernetesObject = self.children[Part.REST_SERVICE]
        self.jobmanager_deployment: KubernetesObject = self.children[Part.JOBMANAGER]
        self.taskmanager_deployment: KubernetesObject = self.children[Part.TASKMANAGER]

        # Jobs run once both Deployments are Available, and are stopped before they go.
        self.jobs: dict[str, FlinkSessionJob] = {}
        workloads = pulumi.ResourceOptions(parent=self, depends_on=[self.jobmanager_deployment, self.taskmanager_deployment])
        for job in cluster.jobs:
            job_args = SessionJobArgs(
                access=access,
                jar=Path(job.jar),
                parallelism=job.parallelism,
                entry_class=job.entry_class,
                args=list(job.args),
                upgrade_mode=job.upgrade_mode,
                allow_non_restored_state=job.allow_non_restored_state,
                savepoint_dir=job.savepoint_dir,
                checkpoints_dir=job.checkpoints_dir,
                initial_savepoint_path=job.initial_savepoint_path,
                timeout_seconds=job.timeout_seconds,
            )
            self.jobs[job.name] = FlinkSessionJob(cluster.names.job_resource(job.name), job_args, workloads)

        summary = cluster_summary(cluster)
        for job_name, job_resource in self.jobs.items():
            summary["jobs"][job_name] |= {
                "jobId": job_resource.job_id,
                "state": job_resource.state,
                "lastSavepoint": job_resource.last_savepoint,
            }
        self.summary = pulumi.Output.from_input(summary)
        self.namespace_name = pulumi.Output.from_input(cluster.namespace)
        (config,) = [item.manifest for item in objects if item.part is Part.CONFIG]
        self.config_map_name = pulumi.Output.from_input(config["metadata"]["name"])
        self.jobmanager_address = pulumi.Output.from_input(summary["jobManagerService"])
        self.rest_endpoint = pulumi.Output.from_input(summary["restEndpoint"])
        self.task_managers = pulumi.Output.from_input(summary["taskManagers"])
        self.total_slots = pulumi.Output.from_input(summary["totalSlots"])
        self.port_forward = pulumi.Output.from_input(summary["portForward"])
        self.register_outputs(summary)

    def _before_deployment(
        self, part: Part, cluster: Cluster, access: RestAccess, waits: list[pulumi.Resource]
    ) -> list[pulumi.Resource]:
        """What the Deployment `part` waits for: TaskManager scaling, the JobManagers' HA metadata; [] for other parts."""
        if part not in (Part.JOBMANAGER, Part.TASKMANAGER):
            return []
        options = pulumi.ResourceOptions(parent=self, depends_on=waits)
        names = cluster.names
        if part is Part.TASKMANAGER:
            tm = cluster.task_manager
            scaling = ScalingArgs(access, _selector(cluster, TASKMANAGER), tm.replicas, tm.slots, tm.force_scale_down)
            self.taskmanager_scaling = TaskManagerScaling(names.taskmanager_scaling_resource, scaling, options)
            return [self.taskmanager_scaling]
        ha = cluster.high_availability
        if ha is None:
            return []
        metadata = HaMetadataArgs(
            cluster=cluster.name,
            namespace=cluster.namespace,
            config_map_selector=names.ha_configmap_selector,
            jobmanager_selector=_selector(cluster, JOBMANAGER),
            jobmanager_deployment=names.jobmanager,
            keep_on_destroy=ha.keep_metadata_on_destroy,
            context=access.context,
            kubeconfig=access.kubeconfig,
        )
        self.ha_metadata = FlinkHaMetadata(names.ha_metadata_resource, metadata, options)
        return [self.ha_metadata]


def _selector(cluster: Cluster, component: str) -> str:
    return ",".join(f"{key}={value}" for key, value in cluster.names.selector_labels(component).items())
