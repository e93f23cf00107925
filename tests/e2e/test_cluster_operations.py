"""Operating a shared cluster through the real engine on a real API server: slot-aware scale-down, HA clean-up.

Flink's side is a fake REST API (tests/support/fake_flink.py, reached through
`jobsRestUrl`) reporting which TaskManager pods hold slots; the API server, the
ReplicaSet controller and the engine are real. A preview that would leave fewer slots
than running jobs hold fails with the numbers and changes nothing; one that Flink cannot
answer fails too, unless `forceScaleDown`. An allowed scale-down is reported in the
preview, marks the pods before the Deployment shrinks (the scaling resource's update is
done before the TaskManager Deployment's starts), and the ReplicaSet removes the idle
pods. On destroy, exactly the cluster's HA ConfigMaps go (`app=<name>`,
`type=flink-native-kubernetes`) from a namespace the stack did not create, others stay;
with `keepMetadataOnDestroy` they stay. Real Flink and real pods: tests/pods/test_operating.py.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.support.fake_flink import FakeFlinkRest, fake_flink_rest
from tests.support.kube import Kube, namespace
from tools.engine import EngineError, Workspace

STACK = "ops"
NAMESPACE = "flink-ops"
SCALING = "pulumi-python:dynamic:Resource::ops-taskmanager-scaling"
TASKMANAGERS = "kubernetes:apps/v1:Deployment::ops-taskmanager"
COST = "controller.kubernetes.io/pod-deletion-cost"


def stack_text(rest_url: str) -> str:
    cluster = {
        "name": STACK,
        "namespace": NAMESPACE,
        "createNamespace": False,
        "environment": "development",
        "flinkVersion": "2.2.1",
        "parallelism": 1,
        "taskManager": {"slots": 1, "replicas": 3, "cpu": "250m", "memory": "1Gi"},
        "jobManager": {"cpu": "250m", "memory": "800Mi"},
        "highAvailability": {"enabled": True, "storageDir": "s3://bucket/ha", "jobManagerReplicas": 1},
        "jobsRestUrl": rest_url,
    }
    return yaml.safe_dump({"config": {"flink-session:cluster": cluster}})


def taskmanager_pods(kube: Kube) -> dict[str, dict[str, Any]]:
    pods = kube.get("pods", "-n", NAMESPACE, "-l", "app.kubernetes.io/component=taskmanager")["items"]
    return {p["metadata"]["name"]: p for p in pods if "deletionTimestamp" not in p["metadata"]}


def report(flink: FakeFlinkRest, busy: dict[str, str], idle: dict[str, str]) -> None:
    """Flink's view: one slot per TaskManager, the busy ones holding theirs."""
    tms = [
        {
            "id": name,
            "path": f"pekko.tcp://flink@{ip}:6122/user/rpc/taskmanager_0",
            "slotsNumber": 1,
            "freeSlots": int(name in idle),
        }
        for name, ip in {**busy, **idle}.items()
    ]
    flink.answers["/taskmanagers"] = {"taskmanagers": tms}
    flink.answers["/overview"] = {"taskmanagers": len(tms), "slots-total": len(tms), "slots-available": len(idle)}


def config_maps(kube: Kube) -> set[str]:
    return {c["metadata"]["name"] for c in kube.get("configmaps", "-n", NAMESPACE)["items"]}


def flink_config_map(name: str, labels: dict[str, str]) -> dict[str, Any]:
    metadata = {"name": name, "namespace": NAMESPACE, "labels": labels}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": {"leader": "x"}}


def test_a_scale_down_keeps_busy_taskmanagers_and_refuses_to_take_slots_in_use(kube: Kube, workspace: Workspace) -> None:
    kube.apply(namespace(NAMESPACE))
    with fake_flink_rest() as flink:
        workspace.add_stack(STACK, stack_text(flink.url))
        workspace.up(STACK)
        kube.wait(NAMESPACE, "condition=Ready", "pod", "-l", "app.kubernetes.io/component=taskmanager", timeout=120)
        live = taskmanager_pods(kube)
        pods = {name: p["status"]["podIP"] for name, p in live.items()}
        assert len(pods) == 3
        # The oldest is the idle one: left to itself, the ReplicaSet deletes the newest pods first.
        names = sorted(pods, key=lambda name: (live[name]["metadata"]["creationTimestamp"], name))
        busy, idle = {n: pods[n] for n in names[1:]}, {names[0]: pods[names[0]]}
        report(flink, busy, idle)

        # One TaskManager cannot hold what two jobs use: refused at preview, nothing changes.
        workspace.config_set(STACK, "cluster.taskManager.replicas", "1")
        with pytest.raises(EngineError) as refused:
            workspace.preview(STACK)
        assert "running jobs use 2 of its 3 slots, and taskManager.replicas 1 x slots 1 leaves 1" in str(refused.value)
        assert "Keep at least 2 TaskManagers" in str(refused.value) and "Traceback" not in refused.value.output
        assert kube.get("deployment", "ops-taskmanager", "-n", NAMESPACE)["spec"]["replicas"] == 3

        # Two can: the preview says how many slots are in use, the update marks the pods first.
        workspace.config_set(STACK, "cluster.taskManager.replicas", "2")
        preview = workspace.preview(STACK)
        assert any("running jobs use 2 of 3 slots; 2 after this change" in m for m in preview.messages("info")), preview.messages(
            "info"
        )
        events = workspace.up(STACK).timeline()
        assert events.index(("done", "update", SCALING)) < events.index(("start", "update", TASKMANAGERS)), events
        remaining = taskmanager_pods(kube)
        assert set(remaining) == set(busy), "the ReplicaSet removed a busy TaskManager"
        assert {name: pod["metadata"]["annotations"][COST] for name, pod in remaining.items()} == dict.fromkeys(busy, "1")

        # Flink cannot be asked: a scale-down is refused, unless forced.
        flink.answers.clear()
        workspace.config_set(STACK, "cluster.taskManager.replicas", "1")
        with pytest.raises(EngineError, match="cannot tell how many slots running jobs use"):
            workspace.preview(STACK)
        workspace.config_set(STACK, "cluster.taskManager.forceScaleDown", "true")
        forced = workspace.preview(STACK)
        assert any("forceScaleDown is set" in m for m in forced.messages("warning"))


def test_destroy_deletes_exactly_the_clusters_ha_config_maps(kube: Kube, workspace: Workspace) -> None:
    kube.apply(namespace(NAMESPACE))
    ours = {"app": STACK, "type": "flink-native-kubernetes"}
    with fake_flink_rest() as flink:
        workspace.add_stack(STACK, stack_text(flink.url))
        for keep in (False, True):
            workspace.config_set(STACK, "cluster.highAvailability.keepMetadataOnDestroy", str(keep).lower())
            workspace.up(STACK)
            kube.apply(
                flink_config_map(f"{STACK}-cluster-config-map", ours),
                flink_config_map(f"{STACK}-0123456789abcdef0123456789abcdef-config-map", ours),
                flink_config_map("other-cluster-config-map", {"app": "other", "type": "flink-native-kubernetes"}),
                flink_config_map(f"{STACK}-settings", {"app": STACK}),
            )
            workspace.destroy(STACK)
            left = config_maps(kube)
            assert {"other-cluster-config-map", f"{STACK}-settings"} <= left
            assert (f"{STACK}-cluster-config-map" in left) is keep, left
            assert (f"{STACK}-0123456789abcdef0123456789abcdef-config-map" in left) is keep, left
