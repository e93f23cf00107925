"""Real Flink in real pods, deployed by the real `pulumi up`: the dev stack (2.2.1) and a 1.20.4 stack.

What kwok cannot show: the image's entrypoint with our init container and writable
conf copy, the read-only root filesystem and UID 9999, the probes, Service DNS, and
TaskManagers registering with the JobManager through its Service. For each stack:
`pulumi up` returns only when both Deployments are Available (every pod Ready through
its own probes); every pod runs on the real node as UID 9999 and cannot write to `/`;
each TaskManager's log shows it reached the ResourceManager at the JobManager
Service's DNS name; the REST API (through `kubectl port-forward`, as docs/security.md says)
reports replicas x slots; a job submitted through the REST Service at the stack's
parallelism FINISHES. Then a slot change made with `pulumi config set` rolls the
TaskManagers, the new slot count appears, and nothing but the ConfigMap is replaced.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.flink import compile_java, rest_get, rest_run_jar, rest_upload_jar, wait_for
from tests.support.kube import Kube
from tools.engine import Workspace
from tools.flink_dist import flink_home

REAL_NODE = "real-node"


def smoke_jar(version: str, workdir: Path) -> Path:
    """tests/support/java/SmokeJob.java compiled against this Flink version's own jars."""
    classes = compile_java(flink_home(version), "SmokeJob.java", workdir / f"smoke-{version}")
    jar = workdir / f"smoke-{version}.jar"
    subprocess.run(["jar", "cf", str(jar), "-C", str(classes), "."], check=True)
    return jar


def running_pods(kube: Kube, namespace: str, component: str | None = None) -> list[dict[str, Any]]:
    selector = ["-l", f"app.kubernetes.io/component={component}"] if component else []
    pods = kube.get("pods", "-n", namespace, *selector)["items"]
    return [p for p in pods if "deletionTimestamp" not in p["metadata"]]


def rest_service(summary: dict[str, Any]) -> str:
    """`svc/<name>-rest` from the stack's portForward output (the command the docs tell users to run)."""
    return next(word for word in str(summary["portForward"]).split() if word.startswith("svc/"))


def wait_for_slots(port: int, taskmanagers: int, slots: int) -> None:
    wait_for(
        lambda: (o := rest_get(port, "/overview"))["taskmanagers"] == taskmanagers and o["slots-total"] == slots,
        timeout=240,
        what=f"{taskmanagers} TaskManagers with {slots} slots in all",
    )


@pytest.mark.parametrize(("stack", "version"), [("dev", "2.2.1"), ("lts", "1.20.4")])
def test_a_stack_runs_flink_in_pods_and_a_job_finishes(
    kube: Kube, workspace: Workspace, tmp_path: Path, stack: str, version: str
) -> None:
    workspace.add_stack(stack)
    workspace.up(stack)
    summary = workspace.outputs(stack)["cluster"]
    namespace = summary["namespace"]
    assert summary["flinkVersion"] == version

    pods = running_pods(kube, namespace)
    assert len(pods) == summary["taskManagers"] + summary["jobManagers"]
    for pod in pods:
        name = pod["metadata"]["name"]
        assert pod["spec"]["nodeName"] == REAL_NODE, name
        assert {c["type"]: c["status"] for c in pod["status"]["conditions"]}["Ready"] == "True", name
        identity = kube.exec(namespace, name, "id", "-u")
        assert identity.stdout.strip() == "9999", (name, identity.stderr)
        write = kube.exec(namespace, name, "touch", "/written-by-a-test")
        assert write.returncode != 0 and "Read-only file system" in write.stderr, (name, write.stdout, write.stderr)

    jobmanager_address = summary["jobManagerService"]  # <service>.<namespace>.svc:6123
    for pod in running_pods(kube, namespace, "taskmanager"):
        name = pod["metadata"]["name"]
        # Ready means its RPC port is open; it reaches the ResourceManager a moment later.
        wait_for(
            lambda name=name: f"@{jobmanager_address}/" in kube.logs(namespace, name),
            timeout=120,
            what=f"{name}'s log to show the ResourceManager at {jobmanager_address}",
            interval=2,
        )

    with kube.port_forward(namespace, rest_service(summary), 8081) as port:
        wait_for_slots(port, summary["taskManagers"], summary["totalSlots"])
        jar_id = rest_upload_jar(port, smoke_jar(version, tmp_path))
        job_id = rest_run_jar(port, jar_id, "SmokeJob", summary["parallelism"])
        job = wait_for(
            lambda: (j := rest_get(port, f"/jobs/{job_id}"))["state"] in ("FINISHED", "FAILED", "CANCELED") and j,
            timeout=300,
            what="the smoke job to end",
        )
        assert job["state"] == "FINISHED", job
        assert {v["parallelism"] for v in job["vertices"]} == {summary["parallelism"]}


def test_a_slot_change_rolls_the_taskmanagers_and_replaces_nothing_else(kube: Kube, workspace: Workspace) -> None:
    stack = "lts"
    workspace.add_stack(stack)
    workspace.up(stack)
    summary = workspace.outputs(stack)["cluster"]
    namespace = summary["namespace"]
    kept = _uids(kube, namespace)
    before = {p["metadata"]["uid"] for p in running_pods(kube, namespace, "taskmanager")}

    workspace.config_set(stack, "cluster.taskManager.slots", "3")
    workspace.up(stack)
    changed = workspace.outputs(stack)["cluster"]
    assert changed["totalSlots"] == changed["taskManagers"] * 3
    # `pulumi up` returns once the new TaskManagers are Available; the controller scales the
    # old ReplicaSet down a moment later.
    wait_for(
        lambda: (
            (after := {p["metadata"]["uid"] for p in running_pods(kube, namespace, "taskmanager")})
            and len(after) == changed["taskManagers"]
            and after.isdisjoint(before)
        ),
        timeout=180,
        what="the TaskManagers to roll (only new pods left)",
        interval=2,
    )
    assert _uids(kube, namespace) == kept
    with kube.port_forward(namespace, rest_service(changed), 8081) as port:
        wait_for_slots(port, changed["taskManagers"], changed["totalSlots"])


def _uids(kube: Kube, namespace: str) -> dict[str, str]:
    """UIDs of the Namespace, Services and Deployments: a replaced object would get a new one."""
    uids = {f"namespace/{namespace}": kube.get("namespace", namespace)["metadata"]["uid"]}
    for kind in ("services", "deployments"):
        for item in kube.get(kind, "-n", namespace)["items"]:
            uids[f"{kind}/{item['metadata']['name']}"] = item["metadata"]["uid"]
    return uids
