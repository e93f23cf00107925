"""Kubernetes HA for real, and a job managed through the REST Service, on the local real node.

The `ha` test stack (2 JobManagers, HA metadata, checkpoints and savepoints on a
shared ReadWriteMany volume) goes up with `pulumi up` into a namespace the test
provides with its PersistentVolumeClaim. A keyed counter job is then declared in the
stack (`jobs`, reached by the job resource itself through the Kubernetes API)
and started by a second `pulumi up`. Once a checkpoint completed, the leading
JobManager's pod is deleted: the standby takes leadership using only the Role the
component grants (no RBAC denial in any JobManager's log) and the same job is RUNNING
again, restored from its checkpoint (its counters do not restart). `pulumi destroy`
stops the job with a savepoint on the shared volume and removes every object of ours,
and then Flink's own HA ConfigMaps (app=<cluster-id>, type=flink-native-kubernetes),
which Flink leaves behind for standalone Kubernetes HA: a new cluster of the same name,
without jobs, comes up in the same namespace with no leader or job graph to recover.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.support.flink import job_jar, rest_get, wait_for
from tests.support.kube import Kube, provide_namespace_and_volume
from tools.engine import Workspace
from tools.flink_dist import flink_home

STACK = "ha"
NAMESPACE = "flink-ha"


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
    provide_namespace_and_volume(kube, NAMESPACE, tmp_path / "flink-state")
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
    assert _ha_config_maps(kube) == [], "destroy left Flink's HA ConfigMaps behind"

    # The same cluster again, without the job: nothing stale to recover.
    workspace.cli("config", "rm", "--path", "cluster.jobs", stack=STACK)
    workspace.up(STACK)
    with kube.port_forward(NAMESPACE, "svc/ha-rest", 8081) as port:
        wait_for(lambda: rest_get(port, "/overview")["slots-total"] == 2, 240, "the new cluster's 2 slots")
        time.sleep(5)  # time a recovered job graph would need to show
        assert rest_get(port, "/jobs/overview")["jobs"] == [], "the new cluster recovered the old cluster's job"
    workspace.destroy(STACK)
    assert _ha_config_maps(kube) == []


def _ha_config_maps(kube: Kube) -> list[str]:
    found = kube.get("configmaps", "-n", NAMESPACE, "-l", f"app={STACK},type=flink-native-kubernetes")["items"]
    return [item["metadata"]["name"] for item in found]
