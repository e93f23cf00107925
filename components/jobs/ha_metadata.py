"""Flink's HA metadata of a cluster, deleted with it: destroy leaves no stale leader or job graph behind.

With Kubernetes HA, Flink's JobManagers keep their leader and each job's graph and
checkpoint pointers in ConfigMaps of their own (labels `app=<kubernetes.cluster-id>,
type=flink-native-kubernetes`), which no Pulumi resource owns. Left behind in a namespace
the stack did not create, they would make the next cluster of the same name recover jobs
that no longer exist, as the Flink Kubernetes Operator also knows (it deletes them when a
deployment is deleted). This resource stands before the Deployments (they depend on it),
so it is deleted after them:
  delete  waits until no JobManager pod of the cluster is terminating (and, when the
          JobManager Deployment is gone, none is left), so no JobManager writes the
          ConfigMaps again, then deletes exactly the ConfigMaps of that selector and checks
          that none is left. `highAvailability.keepMetadataOnDestroy` skips it, for a
          redeploy that should recover its jobs. Switching HA off deletes the resource too:
          the JobManagers without HA no longer read them.
  create  reaches nothing but warns when ConfigMaps of an earlier cluster of this name
          exist (its JobManagers will recover those jobs).
A killed destroy leaves the resource in the state; the next destroy deletes it again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from components.jobs import rpc
from components.jobs.access import api_client
from components.jobs.dynamic_resource import CamelCaseResource
from components.jobs.rest import FlinkError, wait_until

# How long delete waits for the JobManager pods to be gone (their termination grace period is 30 s).
POD_WAIT_SECONDS = 300


@dataclass(frozen=True)
class HaMetadataArgs:
    cluster: str
    namespace: str
    # label selectors: Flink's HA ConfigMaps, the JobManager pods
    config_map_selector: str
    jobmanager_selector: str
    jobmanager_deployment: str
    keep_on_destroy: bool
    # the stack's kubernetes:context and kubernetes:kubeconfig (a path or the file's content)
    context: str | None = None
    kubeconfig: str | None = None


class FlinkHaMetadata(CamelCaseResource):
    """Outputs: `keep_on_destroy` (as last applied)."""

    keep_on_destroy: pulumi.Output[bool]

    def __init__(self, name: str, args: HaMetadataArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        props = {
            "cluster": args.cluster,
            "namespace": args.namespace,
            "config_map_selector": args.config_map_selector,
            "jobmanager_selector": args.jobmanager_selector,
            "jobmanager_deployment": args.jobmanager_deployment,
            "keep_on_destroy": args.keep_on_destroy,
            "context": args.context,
            "kubeconfig": pulumi.Output.secret(args.kubeconfig) if args.kubeconfig is not None else None,
        }
        # delete runs from the state alone, so it keeps the kubeconfig (a secret there): it must reach the same cluster.
        secret = pulumi.ResourceOptions(additional_secret_outputs=["kubeconfig"])
        super().__init__(FlinkHaMetadataProvider(), name, props, pulumi.ResourceOptions.merge(secret, opts))


def _where(props: dict[str, Any]) -> str:
    return f"cluster {props['cluster']} (namespace {props['namespace']})"


class FlinkHaMetadataProvider(ResourceProvider):
    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        keys = ("cluster", "namespace", "configMapSelector", "jobmanagerSelector", "jobmanagerDeployment")
        replaces = [key for key in keys if olds.get(key) != news.get(key)]
        changed = [key for key in ("keepOnDestroy", "context", "kubeconfig") if olds.get(key) != news.get(key)]
        return DiffResult(changes=bool(replaces or changed), replaces=replaces, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        try:
            left = config_maps(props)
        except FlinkError:
            left = []
        if left:
            rpc.log(
                f"{_where(props)}: {len(left)} HA ConfigMaps of an earlier cluster of this name exist ({', '.join(left)}); "
                f"its JobManagers will recover the jobs they name. To start clean, delete them first: kubectl -n "
                f"{props['namespace']} delete configmap -l {props['configMapSelector']}",
                "warning",
            )
        return CreateResult(f"{props['namespace']}/{props['cluster']}", props)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(news)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, props)

    @rpc.reported
    def delete(self, _id: str, props: dict[str, Any]) -> None:
        if props.get("keepOnDestroy"):
            return
        delete_ha_config_maps(props)


def _core(api: Any) -> Any:
    from kubernetes import client  # noqa: PLC0415 - a large import, only where a cluster is reached

    return client.CoreV1Api(api)


def config_maps(props: dict[str, Any]) -> list[str]:
    """The names of the cluster's HA ConfigMaps."""
    with api_client(props.get("context"), props.get("kubeconfig"), _where(props)) as api:
        return _list(_core(api), props)


def _list(core: Any, props: dict[str, Any]) -> list[str]:
    from kubernetes.client.exceptions import ApiException  # noqa: PLC0415

    try:
        items = core.list_namespaced_config_map(props["namespace"], label_selector=props["configMapSelector"]).items
    except ApiException as error:
        if error.status == 404:
            return []
        raise FlinkError(
            f"cannot list the HA ConfigMaps of {_where(props)}: the Kubernetes API refused: {error.reason}"
        ) from None
    return sorted(item.metadata.name for item in items)


def _jobmanagers_stopped(api: Any, props: dict[str, Any]) -> bool:
    """No JobManager pod is terminating, and none is left once their Deployment is gone."""
    from kubernetes import client  # noqa: PLC0415
    from kubernetes.client.exceptions import ApiException  # noqa: PLC0415

    pods = _core(api).list_namespaced_pod(props["namespace"], label_selector=props["jobmanagerSelector"]).items
    if any(pod.metadata.deletion_timestamp for pod in pods):
        return False
    try:
        client.AppsV1Api(api).read_namespaced_deployment(props["jobmanagerDeployment"], props["namespace"])
    except ApiException as error:
        if error.status == 404:
            return not pods
        raise
    return True


def delete_ha_config_maps(props: dict[str, Any]) -> list[str]:
    """Delete the cluster's HA ConfigMaps once its JobManagers are gone; the names deleted."""
    from kubernetes.client.exceptions import ApiException  # noqa: PLC0415

    where = _where(props)
    with api_client(props.get("context"), props.get("kubeconfig"), where) as api:
        core = _core(api)
        try:
            wait_until(
                lambda: _jobmanagers_stopped(api, props),
                bool,
                timeout=POD_WAIT_SECONDS,
                what="the JobManager pods to stop",
                interval=2,
            )
        except FlinkError:
            raise FlinkError(
                f"cannot delete the HA ConfigMaps of {where}: its JobManager pods ({props['jobmanagerSelector']}) "
                f"did not stop within {POD_WAIT_SECONDS} s, and a running one would write them again; "
                "run `pulumi destroy` again once they are gone"
            ) from None
        except ApiException as error:
            raise FlinkError(f"cannot delete the HA ConfigMaps of {where}: the Kubernetes API refused: {error.reason}") from None
        deleted = _list(core, props)
        for name in deleted:
            try:
                core.delete_namespaced_config_map(name, props["namespace"])
            except ApiException as error:
                if error.status != 404:
                    raise FlinkError(f"cannot delete ConfigMap {name} of {where}: {error.reason}") from None
        time.sleep(1)  # a write already in flight when the last JobManager stopped
        left = _list(core, props)
        if left:
            raise FlinkError(f"HA ConfigMaps of {where} came back after deletion ({', '.join(left)}); run destroy again")
    return deleted
