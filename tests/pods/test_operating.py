"""Operating a shared session cluster on the real node: scaling under running work, and the History Server.

The `ops` stack (three one-slot TaskManagers, a History Server, state on a shared
ReadWriteMany volume the test provides) goes up with `pulumi up`. A counter job is
submitted at parallelism 2, as any user of a session cluster would (through the REST
API, not the stack), so two TaskManagers are busy and one is idle.
- A scale-up to 4 leaves the JobManager pod and the job untouched: same pod, same job
  id, every subtask on its first attempt.
- A scale-down to 2 is reported in the preview (2 slots in use) and removes the two
  idle TaskManagers: the busy ones stay, the job keeps its attempts.
- A scale-down to 1 is refused at preview with the numbers; nothing changes.
- The counter job is cancelled and a bounded job finishes; the JobManager pod is deleted
  (no HA: its successor knows neither job), and the History Server still serves both,
  with the finished job's details.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from components.jobs.rest import FlinkRest
from tests.pods.test_flink_in_pods import running_pods, smoke_jar
from tests.pods.test_high_availability import counter_jar
from tests.support.flink import rest_get, rest_run_jar, rest_upload_jar, wait_for
from tests.support.kube import Kube, provide_namespace_and_volume
from tools.engine import EngineError, Workspace

STACK = "ops"
NAMESPACE = "flink-ops"
TERMINAL = ("FINISHED", "FAILED", "CANCELED")


def attempts(port: int, job_id: str) -> dict[tuple[str, int], int]:
    """Each subtask's attempt number: a restart or failover raises it."""
    found = {}
    for vertex in rest_get(port, f"/jobs/{job_id}")["vertices"]:
        for subtask in rest_get(port, f"/jobs/{job_id}/vertices/{vertex['id']}")["subtasks"]:
            found[(vertex["name"], int(subtask["subtask"]))] = int(subtask["attempt"])
    return found


def busy_pod_ips(port: int) -> set[str]:
    """The pod IPs of the TaskManagers that hold a slot (from their RPC address)."""
    return {
        tm["path"].split("@", 1)[1].split(":", 1)[0]
        for tm in rest_get(port, "/taskmanagers")["taskmanagers"]
        if tm["freeSlots"] < tm["slotsNumber"]
    }


def taskmanager_ips(kube: Kube) -> set[str]:
    return {p["status"].get("podIP", "") for p in running_pods(kube, NAMESPACE, "taskmanager")}


def jobmanager(kube: Kube) -> tuple[str, str, int]:
    (pod,) = running_pods(kube, NAMESPACE, "jobmanager")
    restarts = sum(c["restartCount"] for c in pod["status"]["containerStatuses"])
    return pod["metadata"]["name"], pod["metadata"]["uid"], restarts


def archived(port: int) -> dict[str, str]:
    """The jobs the History Server lists, with their final states."""
    return {job["jid"]: job["state"] for job in rest_get(port, "/jobs/overview")["jobs"]}


def wait_for_taskmanagers(port: int, count: int) -> None:
    wait_for(lambda: rest_get(port, "/overview")["taskmanagers"] == count, 180, f"{count} registered TaskManagers", 2)


def scale(workspace: Workspace, replicas: int) -> None:
    workspace.config_set(STACK, "cluster.taskManager.replicas", str(replicas))


def test_scaling_leaves_running_work_alone_and_the_history_server_outlives_the_jobmanager(
    kube: Kube, workspace: Workspace, tmp_path: Path
) -> None:
    provide_namespace_and_volume(kube, NAMESPACE, tmp_path / "flink-state")
    workspace.add_stack(STACK)
    workspace.up(STACK)
    summary: dict[str, Any] = workspace.outputs(STACK)["cluster"]
    assert summary["historyServerArchiveDir"] == "file:///flink-state/completed-jobs"
    jar = counter_jar(tmp_path / "jobs")

    with kube.port_forward(NAMESPACE, "svc/ops-rest", 8081) as port:
        wait_for_taskmanagers(port, 3)
        counter = rest_run_jar(port, rest_upload_jar(port, jar), "CounterJob", 2)
        wait_for(lambda: rest_get(port, f"/jobs/{counter}")["state"] == "RUNNING", 120, "the counter job to run")
        wait_for(lambda: len(busy_pod_ips(port)) == 2, 60, "two busy TaskManagers")
        busy, first = busy_pod_ips(port), attempts(port, counter)
        assert set(first.values()) == {0}, first
    before = jobmanager(kube)

    scale(workspace, 4)
    workspace.up(STACK)
    with kube.port_forward(NAMESPACE, "svc/ops-rest", 8081) as port:
        wait_for_taskmanagers(port, 4)
        assert rest_get(port, f"/jobs/{counter}")["state"] == "RUNNING"
        assert attempts(port, counter) == first, "a scale-up restarted the job"
    assert jobmanager(kube) == before, "a scale-up restarted the JobManager"

    scale(workspace, 2)
    reported = workspace.preview(STACK).messages("info")
    assert any("running jobs use 2 of 4 slots; 2 after this change" in message for message in reported), reported
    workspace.up(STACK)
    wait_for(lambda: len(running_pods(kube, NAMESPACE, "taskmanager")) == 2, 120, "two TaskManager pods")
    assert taskmanager_ips(kube) == busy, "an idle scale-down removed a busy TaskManager"
    with kube.port_forward(NAMESPACE, "svc/ops-rest", 8081) as port:
        wait_for_taskmanagers(port, 2)
        assert rest_get(port, f"/jobs/{counter}")["state"] == "RUNNING"
        assert attempts(port, counter) == first, "an idle scale-down restarted the job"
        assert rest_get(port, f"/jobs/{counter}/exceptions")["exceptionHistory"]["entries"] == []

    scale(workspace, 1)
    with pytest.raises(EngineError) as refused:
        workspace.preview(STACK)
    assert "running jobs use 2 of its 2 slots, and taskManager.replicas 1 x slots 1 leaves 1" in str(refused.value)
    assert len(running_pods(kube, NAMESPACE, "taskmanager")) == 2
    scale(workspace, 2)

    with kube.port_forward(NAMESPACE, "svc/ops-rest", 8081) as port:
        FlinkRest(f"http://127.0.0.1:{port}").cancel(counter, timeout=120)
        wait_for(lambda: rest_get(port, f"/jobs/{counter}")["state"] == "CANCELED", 120, "the counter job to cancel")
        # The counter held both slots; the bounded job runs in one it gave back.
        smoke = rest_run_jar(port, rest_upload_jar(port, smoke_jar("2.2.1", tmp_path)), "SmokeJob", 1)
        wait_for(lambda: rest_get(port, f"/jobs/{smoke}")["state"] in TERMINAL, 300, "the bounded job to end")
        assert rest_get(port, f"/jobs/{smoke}")["state"] == "FINISHED", rest_get(port, f"/jobs/{smoke}/exceptions")

    kube.run("-n", NAMESPACE, "delete", "pod", jobmanager(kube)[0])
    kube.wait(NAMESPACE, "condition=Ready", "pod", "-l", "app.kubernetes.io/component=jobmanager", timeout=240)
    with kube.port_forward(NAMESPACE, "svc/ops-rest", 8081) as port:
        known = {job["jid"] for job in rest_get(port, "/jobs/overview")["jobs"]}
        assert not known & {smoke, counter}, "the new JobManager should not know the old jobs"

    with kube.port_forward(NAMESPACE, "svc/ops-history", 8082) as port:
        listed = wait_for(
            lambda: (found := archived(port)).keys() >= {smoke, counter} and found, 120, "the History Server to list both", 2
        )
        assert (listed[smoke], listed[counter]) == ("FINISHED", "CANCELED")
        details = rest_get(port, f"/jobs/{smoke}")
        assert details["state"] == "FINISHED" and details["vertices"], details
    workspace.destroy(STACK)
