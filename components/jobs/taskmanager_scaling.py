"""Slot-aware TaskManager scaling: idle TaskManagers go first, and a scale-down running jobs cannot survive is refused.

A session cluster's slots are shared by every job on it, including the ones submitted
outside the stack (SQL, the CLI), so the stack alone cannot tell how many it may remove.
This resource stands before the TaskManager Deployment (which depends on it) and asks
Flink, through the same REST access as the jobs (access.py):
  check   (preview and up) when the cluster's slots change: how many running jobs use
          (`/overview`: slots-total - slots-available), shown under the resource. A change
          that leaves fewer slots than that is refused with the numbers, unless
          `taskManager.forceScaleDown` says so; when Flink cannot be asked, a scale-down
          is refused the same way (never a guess). A scale-up only reports.
  update  on a scale-down, checks again (jobs may have started since the preview), then
          sets each TaskManager pod's `controller.kubernetes.io/pod-deletion-cost`
          to the slots it holds (`/taskmanagers`, matched to pods by IP), and -1 for a pod
          Flink does not know (starting, or lost): the ReplicaSet deletes Ready pods of
          lowest cost first, so when the Deployment shrinks right after, idle
          TaskManagers go and busy ones stay.
Only `taskManager.replicas` changes the Deployment's replica count alone; a slot-count
change is a new configuration, which replaces every TaskManager (their jobs restart from
their latest checkpoint), and the preview says so. Nothing here runs on an unchanged
preview. create, read and delete reach nothing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from components.jobs import rpc
from components.jobs.access import RestAccess, access_as_kept, kubernetes_api, rest_api
from components.jobs.dynamic_resource import CamelCaseResource
from components.jobs.rest import FlinkError, FlinkRest

DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
# A TaskManager Flink does not list (starting, or lost) goes before any registered one.
UNKNOWN_POD_COST = -1
# `pekko.tcp://flink@10.244.0.7:6122/user/rpc/taskmanager_0` (akka.tcp:// in 1.x): the TaskManager's pod IP.
_RPC_HOST = re.compile(r"@([^:/@]+):\d+/")
FORCE_KEY = "taskManager.forceScaleDown"
# A preview asks a JobManager that is up, or reports that it cannot tell; it does not wait for one to start.
PREVIEW_READY_WAIT_SECONDS = 10


@dataclass(frozen=True)
class ScalingArgs:
    access: RestAccess
    # label selector of the TaskManager pods
    selector: str
    replicas: int
    slots: int
    force_scale_down: bool


class TaskManagerScaling(CamelCaseResource):
    """Outputs: `replicas`, `slots` (as last applied)."""

    replicas: pulumi.Output[int]
    slots: pulumi.Output[int]

    def __init__(self, name: str, args: ScalingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        access = args.access.props()
        if args.access.kubeconfig is not None:
            access["kubeconfig"] = pulumi.Output.secret(args.access.kubeconfig)
        props = {
            "access": access,
            "selector": args.selector,
            "replicas": args.replicas,
            "slots": args.slots,
            "force_scale_down": args.force_scale_down,
        }
        super().__init__(TaskManagerScalingProvider(), name, props, opts)


def _total(props: dict[str, Any]) -> int:
    return int(props["replicas"]) * int(props["slots"])


def _cluster(props: dict[str, Any]) -> str:
    return str(props["access"]["cluster"])


def slots_in_use(rest: FlinkRest) -> tuple[int, int]:
    """(slots running jobs hold, slots registered) from Flink's `/overview`."""
    overview = rest.overview()
    total = int(overview["slots-total"])
    return total - int(overview["slots-available"]), total


def _refusal(props: dict[str, Any], used: int, registered: int) -> str:
    slots = int(props["slots"])
    fewest = max(1, math.ceil(used / slots))
    return (
        f"cluster {_cluster(props)}: running jobs use {used} of its {registered} slots, and taskManager.replicas "
        f"{int(props['replicas'])} x slots {slots} leaves {_total(props)}. Keep at least {fewest} TaskManagers, stop jobs "
        f"first, or set {FORCE_KEY}: true (the jobs on the removed TaskManagers fail over and wait for slots)"
    )


def _unknown_refusal(props: dict[str, Any], olds: dict[str, Any], error: FlinkError) -> str:
    return (
        f"cluster {_cluster(props)}: cannot tell how many slots running jobs use, so the scale-down from "
        f"{_total(olds)} to {_total(props)} slots is not made: {error}. Run again once the JobManager answers, "
        f"or set {FORCE_KEY}: true"
    )


class TaskManagerScalingProvider(ResourceProvider):
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        if not olds or (_total(olds) == _total(news) and olds.get("slots") == news.get("slots")):
            return CheckResult(news, [])
        shrinks = _total(news) < _total(olds)
        if olds.get("slots") != news.get("slots"):
            rpc.log(
                f"cluster {_cluster(news)}: taskManager.slots changes from {int(olds['slots'])} to {int(news['slots'])}: every "
                "TaskManager is replaced, and running jobs restart from their latest checkpoint",
                "warning",
            )
        if shrinks and news.get("forceScaleDown"):
            rpc.log(f"cluster {_cluster(news)}: {FORCE_KEY} is set; the scale-down does not wait for idle slots", "warning")
            return CheckResult(news, [])
        try:
            with rest_api(RestAccess.from_props(news["access"]), ready_wait=PREVIEW_READY_WAIT_SECONDS) as rest:
                used, registered = slots_in_use(rest)
        except FlinkError as error:
            if shrinks:
                return CheckResult(news, [CheckFailure("replicas", _unknown_refusal(news, olds, error))])
            rpc.log(f"cluster {_cluster(news)}: cannot tell how many slots running jobs use: {error}", "warning")
            return CheckResult(news, [])
        if used > _total(news):
            return CheckResult(news, [CheckFailure("replicas", _refusal(news, used, registered))])
        rpc.log(
            f"cluster {_cluster(news)}: running jobs use {used} of {registered} slots; "
            f"{_total(news)} after this change, {'idle TaskManagers first' if shrinks else 'none removed'}"
        )
        return CheckResult(news, [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        keys = ("replicas", "slots", "forceScaleDown", "selector")
        changed = [key for key in keys if olds.get(key) != news.get(key)]
        if access_as_kept(olds.get("access", {})) != access_as_kept(news["access"]):
            changed.append("access")
        return DiffResult(changes=bool(changed), replaces=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        access = props["access"]
        return CreateResult(f"{access['namespace']}/{access['cluster']}", _outputs(props))

    @rpc.reported
    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        if int(news["replicas"]) < int(olds["replicas"]):
            _ready_scale_down(news, olds)
        return UpdateResult(_outputs(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, props)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


def _outputs(props: dict[str, Any]) -> dict[str, Any]:
    """The inputs as the state keeps them (access_as_kept)."""
    return {**props, "access": access_as_kept(props["access"])}


def _ready_scale_down(news: dict[str, Any], olds: dict[str, Any]) -> None:
    """Check the slots again and mark every TaskManager pod with its deletion cost, before the Deployment shrinks."""
    access = RestAccess.from_props(news["access"])
    force = bool(news.get("forceScaleDown"))
    try:
        with rest_api(access) as rest:
            used, registered = slots_in_use(rest)
            task_managers = rest.task_managers()
    except FlinkError as error:
        if not force:
            raise FlinkError(_unknown_refusal(news, olds, error)) from None
        rpc.log(f"cluster {_cluster(news)}: scaling down without knowing which TaskManagers are idle: {error}", "warning")
        return
    if used > _total(news) and not force:
        raise FlinkError(_refusal(news, used, registered))
    mark_deletion_costs(access, str(news["selector"]), task_managers)


def deletion_costs(pod_ips: dict[str, str], task_managers: list[dict[str, Any]]) -> dict[str, int]:
    """Each pod's cost: the slots its TaskManager holds; UNKNOWN_POD_COST for one Flink does not list."""
    held: dict[str, int] = {}
    for tm in task_managers:
        match = _RPC_HOST.search(str(tm.get("path", "")))
        if match:
            held[match.group(1)] = int(tm.get("slotsNumber", 0)) - int(tm.get("freeSlots", 0))
    return {pod: held.get(ip, UNKNOWN_POD_COST) for pod, ip in pod_ips.items()}


def mark_deletion_costs(access: RestAccess, selector: str, task_managers: list[dict[str, Any]]) -> dict[str, int]:
    """Annotate the TaskManager pods with their deletion cost; the costs set, by pod name."""
    from kubernetes.client.exceptions import ApiException  # noqa: PLC0415

    with kubernetes_api(access) as api:
        try:
            pods = api.list_namespaced_pod(access.namespace, label_selector=selector).items
            live = {p.metadata.name: p.status.pod_ip or "" for p in pods if not p.metadata.deletion_timestamp}
            costs = deletion_costs(live, task_managers)
            for pod, cost in costs.items():
                body = {"metadata": {"annotations": {DELETION_COST: str(cost)}}}
                api.patch_namespaced_pod(pod, access.namespace, body)
        except ApiException as error:
            raise FlinkError(
                f"cannot mark the idle TaskManagers of {access.where} before scaling down: the Kubernetes API "
                f"refused: {error.reason}; nothing was scaled down"
            ) from None
    return costs
