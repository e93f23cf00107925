"""Kubernetes HA for real, and a job managed through the REST Service, on the local real node.

The `ha` test stack (2 JobManagers, HA metadata, checkpoints and savepoints on a
shared ReadWriteMany volume) goes up with `pulumi up` into a namespace the test
provides with its PersistentVolumeClaim. A keyed counter job is then declared in the
stack (`jobs`, reached by the job resource itself through the Kubernetes API)
and started by a second `pulumi up`. Once a checkpoint completed, the leading
JobManager's pod is deleted: the standby takes leadership using only the Role the
component grants (no RBAC denial in any JobManager's log) and the same job is RUNNING
again, restored from its checkpoint (its counters do not restart). `pulumi destroy`
stops the job with a savepoint on the shared volume and removes every object of ours;
what stays is Flink's own HA ConfigMaps (labelled app=<cluster-id>), as Flink's documentation says for standalone
Kubernetes HA (docs/high-availability.md: how to remove them).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from tests.support.flink import job_jar, rest_get, wait_for
from tests.support.kube import Kube, namespace
from tools.engine import Workspace
from tools.flink_dist import flink_home

STACK = "ha"
NAMESPACE = "flink-ha"
FLINK_UID = 9999


def provide_namespace_and_volume(kube: Kube, directory: Path) -> None:
    """What a platform team provides for createNamespace: false and storage.sharedVolume."""
    directory.mkdir(parents=True)
    os.chown(directory, FLINK_UID, FLINK_UID)
    volume = {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": "flink-ha-state"},
        "spec": {
            "capacity": {"storage": "1Gi"},
            "accessModes": ["ReadWriteMany"],
            "storageClassName": "",
            "hostPath": {"path": str(directory), "type": "Directory"},
            "claimRef": {"namespace": NAMESPACE, "name": "flink-state"},
        },
    }
    claim = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "flink-state", "namespace": NAMESPACE},
        "spec": {
            "accessModes": ["ReadWriteMany"],
            "storageClassName": "",
            "volumeName": "flink-ha-state",
            "resources": {"requests": {"storage": "1Gi"}},
        },
    }
    kube.apply(namespace(NAMESPACE), volume, claim)
    kube.wait(NAMESPACE, "jsonpath={.status.phase}=Bound", "pvc/flink-state", timeout=60)


def counter_jar(directory: Path, name: str = "counter.jar") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    return job_jar(flink_home("2.2.1"), "CounterJob.java", directory / name)


def jobmanager_pods(kube: Kube) -> dict[str, str]:
    """Running JobManager pods by pod IP."""
    pods = kube.get("pods", "-n", NAMESPACE, "-l", "app.kubernetes.io/component=jobmanager")["items"]
    return {
        p["status"]["podIP"]: p["metadata"]["name"]
        for p in pods
        if "deletionTimestamp" not in p["metadata"] and p["status"].get("podIP")
    }


def leader(kube: Kube) -> str | None:
    """The JobManager pod that Flink's HA ConfigMap (`<cluster-id>-cluster-config-map`) names as the dispatcher's leader."""
    pods = jobmanager_pods(kube)
    found = kube.run("-n", NAMESPACE, "get", "configmap", f"{STACK}-cluster-config-map", "-o", "json", check=False)
    if found.returncode != 0:
        return None
    data: dict[str, str] = json.loads(found.stdout).get("data") or {}
    # e.g. org.apache.flink.k8s.leader.dispatcher: <session id>,pekko.tcp://flink@10.244.0.5:6123/user/rpc/dispatcher_1
    address = data.get("org.apache.flink.k8s.leader.dispatcher", "")
    return next((name for ip, name in pods.items() if f"@{ip}:" in address), None)


def job_state(port: int, job_id: str) -> str:
    return str(rest_get(port, f"/jobs/{job_id}")["state"])


def test_the_standby_takes_over_with_our_role_and_the_job_resumes_from_its_checkpoint(
    kube: Kube, workspace: Workspace, tmp_path: Path
) -> None:
    provide_namespace_and_volume(kube, tmp_path / "flink-state")
    workspace.add_stack(STACK)
    workspace.up(STACK)
    summary: dict[str, Any] = workspace.outputs(STACK)["cluster"]
    assert summary["highAvailability"] is True and summary["jobManagers"] == 2
    counter_jar(workspace.directory / "jobs")

    with kube.port_forward(NAMESPACE, "svc/ha-rest", 8081) as port:
        wait_for(lambda: rest_get(port, "/overview")["slots-total"] == 2, 240, "the TaskManager's 2 slots")
    # The job resource reaches the REST API itself, through the Kubernetes API: no jobsRestUrl.
    for path, value in (
        ("cluster.jobs[0].name", "counter"),
        ("cluster.jobs[0].jar", "jobs/counter.jar"),
        ("cluster.jobs[0].entryClass", "CounterJob"),
        ("cluster.jobs[0].upgradeMode", "savepoint"),
    ):
        workspace.config_set(STACK, path, value)
    workspace.up(STACK)
    job_id: str = workspace.outputs(STACK)["cluster"]["jobs"]["counter"]["jobId"]
    with kube.port_forward(NAMESPACE, "svc/ha-rest", 8081) as port:
        assert job_state(port, job_id) == "RUNNING"
        wait_for(
            lambda: rest_get(port, f"/jobs/{job_id}/checkpoints")["counts"]["completed"] >= 2, 180, "two completed checkpoints"
        )

    old_leader = wait_for(lambda: leader(kube), 60, "Flink's HA ConfigMaps to name a leader")
    kube.run("-n", NAMESPACE, "delete", "pod", old_leader, "--wait=false")
    new_leader = wait_for(
        lambda: (name := leader(kube)) is not None and name != old_leader and name, 180, "the standby to take leadership"
    )
    assert new_leader in jobmanager_pods(kube).values()

    time.sleep(2)  # let the Service's endpoints drop the deleted pod before forwarding again
    with kube.port_forward(NAMESPACE, "svc/ha-rest", 8081) as port:
        wait_for(lambda: job_state(port, job_id) == "RUNNING", 240, "the job to run again under the new leader")
        restored = wait_for(
            lambda: rest_get(port, f"/jobs/{job_id}/checkpoints")["latest"].get("restored"), 120, "the checkpoint restore"
        )
        assert restored["is_savepoint"] is False, restored

    for pod in kube.get("pods", "-n", NAMESPACE, "-l", "app.kubernetes.io/component=jobmanager")["items"]:
        log = kube.run("-n", NAMESPACE, "logs", pod["metadata"]["name"], check=False).stdout
        assert "forbidden" not in log.lower(), log[-3000:]

    # Refresh and destroy reach the new leader's REST API the same way, with no port-forward open:
    # destroy stops the job with a savepoint first (its FlinkSessionJob depends on the cluster).
    workspace.refresh(STACK)
    workspace.up(STACK)
    assert (
        workspace.outputs(STACK)["cluster"]["jobs"]["counter"] | {"jobId": job_id, "state": "RUNNING"}
        == (workspace.outputs(STACK)["cluster"]["jobs"]["counter"])
    ), "refresh and up kept the job that failed over: the same job id, RUNNING"
    workspace.preview(STACK, expect_no_changes=True)
    workspace.destroy(STACK)
    savepoints = list((tmp_path / "flink-state" / "savepoints").iterdir())
    assert len(savepoints) == 1, savepoints
    leftovers = kube.get("all,configmaps,serviceaccounts,roles,rolebindings,networkpolicies", "-n", NAMESPACE)["items"]
    ours = [i["metadata"]["name"] for i in leftovers if i["metadata"].get("labels", {}).get("app.kubernetes.io/part-of")]
    assert ours == []
    # What stays is Flink's own: its HA ConfigMaps, labelled app=<cluster-id>, type=flink-native-kubernetes.
    flinks = [i for i in leftovers if i["kind"] == "ConfigMap" and i["metadata"]["name"] != "kube-root-ca.crt"]
    assert flinks and all(i["metadata"]["labels"] == {"app": STACK, "type": "flink-native-kubernetes"} for i in flinks), flinks
