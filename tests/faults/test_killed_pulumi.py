"""A `pulumi up` or `pulumi destroy` killed at the worst moment, then the recovery docs/recovery.md gives.

Real engine, a real kube-apiserver (kwok nodes) and a real Flink session cluster on
loopback, reached through a proxy (tests/support/rest_proxy.py) that holds one chosen
REST call, so the test kills the `pulumi` process group (SIGKILL, as a closed terminal
or a CI timeout does) at exactly that point:
  - during a job's create, after Flink accepted the job;
  - between stop-with-savepoint and the resubmit of a savepoint upgrade;
  - between the cancel and the resubmit of a last-state upgrade;
  - in the middle of creating the cluster's Kubernetes objects (a quota keeps the
    Deployments from becoming Available, so they exist but are not recorded);
  - during destroy, while the job is being stopped with a savepoint;
  - while a second `pulumi up` runs beside it after a `pulumi cancel`.
The recovery is `python -m tools.recover --stack <stack>` (`--destroy` after a killed
destroy). Then: exactly one live job, under the id the state holds, restored from the
newest savepoint or checkpoint (the path Flink reports for its restore); no object of
ours outside the state; and a clean `pulumi preview --expect-no-changes`. recover never
takes over an object the stack does not own.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.flink.config_files import CONFIG_FILE, render_config_files
from tests.e2e.jobs import counter_jar
from tests.support.config import ROOT, resolve
from tests.support.flink import RunningCluster, rest_get, session_cluster, wait_for
from tests.support.kube import Kube
from tests.support.rest_proxy import FlinkProxy, flink_proxy
from tools.engine import Workspace
from tools.flink_dist import flink_home

VERSION = "2.2.1"
LIVE = ("CREATED", "INITIALIZING", "RUNNING", "RESTARTING", "RECONCILING")
JOB_ID = r"[0-9a-f]{32}"


def cluster(name: str, directory: Path, rest_url: str, **extra: Any) -> dict[str, Any]:
    """A small development cluster whose job `counter` the loopback Flink runs (state under `directory`)."""
    config: dict[str, Any] = {
        "name": name,
        "namespace": f"flink-{name}",
        "environment": "development",
        "flinkVersion": VERSION,
        "parallelism": 2,
        "taskManager": {"slots": 2, "replicas": 2, "cpu": "500m", "memory": "1728Mi"},
        "jobManager": {"cpu": "250m", "memory": "1024Mi"},
        "savepoints": {"dir": (directory / "savepoints").as_uri()},
        "checkpoints": {"dir": (directory / "checkpoints").as_uri(), "interval": "1s", "retainOnCancellation": True},
        "jobsRestUrl": rest_url,
        "jobs": [{"name": "counter", "jar": "jobs/counter.jar", "entryClass": "CounterJob", "upgradeMode": "savepoint"}],
    }
    config.update(extra)
    return config


@contextmanager
def loopback_flink(directory: Path) -> Iterator[RunningCluster]:
    """A real session cluster on loopback from the stacks' config.yaml (2 TaskManagers x 2 slots)."""
    config = {k: v for k, v in cluster("flink", directory, "http://127.0.0.1:1").items() if k != "jobs"}
    with session_cluster(flink_home(VERSION), render_config_files(resolve(config))[CONFIG_FILE], 2, directory / "flink") as flink:
        wait_for(lambda: rest_get(flink.rest_port, "/overview")["slots-total"] == 4, 180, "4 slots")
        yield flink


@pytest.fixture
def flink(tmp_path: Path) -> Iterator[tuple[RunningCluster, FlinkProxy, Path]]:
    with loopback_flink(tmp_path) as running, flink_proxy(f"http://127.0.0.1:{running.rest_port}") as proxy:
        yield running, proxy, tmp_path


def live_jobs(flink: RunningCluster) -> list[str]:
    return sorted(j["jid"] for j in rest_get(flink.rest_port, "/jobs/overview")["jobs"] if j["state"] in LIVE)


def checkpoints(flink: RunningCluster, job_id: str) -> dict[str, Any]:
    latest: dict[str, Any] = rest_get(flink.rest_port, f"/jobs/{job_id}/checkpoints")["latest"]
    return latest


def killed(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL to the whole process group: the CLI, its language host, the program and the providers."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def recover(workspace: Workspace, stack: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """The documented recovery command, on the workspace's project, with the environment pulumi uses there."""
    return subprocess.run(
        [sys.executable, "-m", "tools.recover", "--stack", stack, "--cwd", str(workspace.directory), *extra],
        cwd=ROOT,
        env=workspace.env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


def recovered(workspace: Workspace, stack: str, *extra: str) -> str:
    result = recover(workspace, stack, *extra)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return result.stderr


def state_job(workspace: Workspace, stack: str) -> dict[str, Any]:
    """The one job's state (the cluster's other dynamic resource, the scaling guard, holds no job id)."""
    resources = workspace.export(stack)["resources"]
    (job,) = [r["outputs"] for r in resources if r["type"] == "pulumi-python:dynamic:Resource" and "jobId" in r["outputs"]]
    return dict(job)


OUR_KINDS = ("configmap", "service", "deployment", "serviceaccount", "networkpolicy", "poddisruptionbudget")


def ours(kube: Kube, namespace: str) -> list[tuple[str, str]]:
    """(kind, name) of every object of ours in the namespace."""
    return [
        (item["kind"], item["metadata"]["name"])
        for kind in OUR_KINDS
        for item in kube.get(kind, "-n", namespace, "-l", "app.kubernetes.io/part-of=flink-session")["items"]
    ]


def outside_the_state(kube: Kube, workspace: Workspace, stack: str, namespace: str) -> list[tuple[str, str]]:
    """Our objects in the namespace that the stack's state does not hold."""
    recorded = {
        (r["outputs"].get("kind"), r["outputs"].get("metadata", {}).get("name"))
        for r in workspace.export(stack)["resources"]
        if r["type"].startswith("kubernetes:")
    }
    return [found for found in ours(kube, namespace) if found not in recorded]


def deploy(workspace: Workspace, stack: str, config: dict[str, Any]) -> None:
    counter_jar(workspace.directory / "jobs")
    workspace.add_stack(stack, yaml.safe_dump({"config": {"flink-session:cluster": config}}))


def up_in_background(workspace: Workspace, stack: str, log: Path) -> subprocess.Popen[bytes]:
    return workspace.cli_background("up", "--yes", "--skip-preview", stack=stack, log=log)


def test_killed_during_a_jobs_create_the_retry_adopts_the_job(
    kube: Kube, workspace: Workspace, flink: tuple[RunningCluster, FlinkProxy, Path]
) -> None:
    running, proxy, directory = flink
    deploy(workspace, "create", cluster("create", directory, proxy.url))
    # Flink has accepted the job; the provider waits for it to be RUNNING, and is killed there.
    gate = proxy.hold("GET", rf"^/jobs/{JOB_ID}$", after=("POST", r"^/jars/[^/]+/run$"))
    process = up_in_background(workspace, "create", directory / "up.log")
    assert gate.arrived.wait(300), (directory / "up.log").read_text()[-3000:]
    killed(process)
    gate.release()
    assert len(live_jobs(running)) == 1  # the killed run's job, not in the state

    recovered(workspace, "create")
    job = state_job(workspace, "create")
    assert live_jobs(running) == [job["jobId"]], "a second copy was submitted"
    assert outside_the_state(kube, workspace, "create", "flink-create") == []
    workspace.preview("create", expect_no_changes=True)
    workspace.destroy("create")
    assert live_jobs(running) == []


def test_killed_between_stop_with_savepoint_and_resubmit_the_retry_resumes_from_that_savepoint(
    workspace: Workspace, flink: tuple[RunningCluster, FlinkProxy, Path]
) -> None:
    running, proxy, directory = flink
    deploy(workspace, "savepoint", cluster("savepoint", directory, proxy.url))
    workspace.up("savepoint")
    workspace.config_set("savepoint", "cluster.jobs[0].parallelism", "1")
    workspace.up("savepoint")  # one upgrade through a savepoint: the state records it
    recorded = state_job(workspace, "savepoint")
    assert recorded["lastSavepoint"]

    workspace.config_set("savepoint", "cluster.jobs[0].parallelism", "2")
    gate = proxy.hold("POST", r"^/jars/[^/]+/run$", after=("POST", rf"^/jobs/{JOB_ID}/stop$"))
    process = up_in_background(workspace, "savepoint", directory / "up.log")
    assert gate.arrived.wait(300), (directory / "up.log").read_text()[-3000:]
    killed(process)
    gate.release()  # dropped: the new job never reached Flink
    stopped = recorded["jobId"]
    assert rest_get(running.rest_port, f"/jobs/{stopped}")["state"] == "FINISHED" and live_jobs(running) == []
    taken = checkpoints(running, stopped)["savepoint"]["external_path"]
    assert taken != recorded["lastSavepoint"]

    recovered(workspace, "savepoint")
    job = state_job(workspace, "savepoint")
    assert live_jobs(running) == [job["jobId"]] and job["jobId"] != stopped
    assert checkpoints(running, job["jobId"])["restored"]["external_path"] == taken, "resumed from an older savepoint"
    assert job["lastSavepoint"] == taken
    workspace.preview("savepoint", expect_no_changes=True)


def test_killed_during_a_last_state_upgrade_the_retry_resumes_from_the_newest_checkpoint(
    workspace: Workspace, flink: tuple[RunningCluster, FlinkProxy, Path]
) -> None:
    running, proxy, directory = flink
    config = cluster("last-state", directory, proxy.url)
    config["jobs"][0]["upgradeMode"] = "last-state"
    deploy(workspace, "laststate", config)
    workspace.up("laststate")
    first = state_job(workspace, "laststate")["jobId"]
    wait_for(lambda: (checkpoints(running, first).get("completed") or {}).get("external_path"), 120, "a checkpoint")

    workspace.config_set("laststate", "cluster.jobs[0].parallelism", "1")
    gate = proxy.hold("POST", r"^/jars/[^/]+/run$", after=("PATCH", rf"^/jobs/{JOB_ID}\?mode=cancel$"))
    process = up_in_background(workspace, "laststate", directory / "up.log")
    assert gate.arrived.wait(300), (directory / "up.log").read_text()[-3000:]
    killed(process)
    gate.release()
    wait_for(lambda: rest_get(running.rest_port, f"/jobs/{first}")["state"] == "CANCELED", 60, "the cancel")
    newest = checkpoints(running, first)["completed"]["external_path"]

    recovered(workspace, "laststate")
    job = state_job(workspace, "laststate")
    assert live_jobs(running) == [job["jobId"]] and job["jobId"] != first
    assert checkpoints(running, job["jobId"])["restored"]["external_path"] == newest
    workspace.preview("laststate", expect_no_changes=True)


def test_killed_while_creating_the_clusters_objects_recover_adopts_them(
    kube: Kube, workspace: Workspace, flink: tuple[RunningCluster, FlinkProxy, Path]
) -> None:
    _, proxy, directory = flink
    namespace = "flink-objects"
    kube.run("create", "namespace", namespace)
    kube.run("-n", namespace, "create", "quota", "no-pods", "--hard=pods=0")  # the Deployments never become Available
    deploy(workspace, "objects", cluster("objects", directory, proxy.url, createNamespace=False, jobs=[]))
    process = up_in_background(workspace, "objects", directory / "up.log")
    wait_for(
        lambda: all(kube.exists("deployment", f"objects-{role}", "-n", namespace) for role in ("jobmanager", "taskmanager")),
        180,
        "the Deployments to be created",
    )
    killed(process)
    kube.run("-n", namespace, "delete", "quota", "no-pods")
    orphans = outside_the_state(kube, workspace, "objects", namespace)
    assert orphans, "nothing was left outside the state: the kill came too late"
    # What Pulumi's own advice gives: the create is refused, the objects stay outside the state.
    workspace.cli("cancel", "--yes", stack="objects", check=False)
    plain = workspace.cli("up", "--yes", "--skip-preview", stack="objects", check=False)
    assert plain.returncode != 0 and "already exists" in plain.stdout + plain.stderr

    report = recovered(workspace, "objects")
    assert "adopting" in report, report
    assert outside_the_state(kube, workspace, "objects", namespace) == []
    workspace.preview("objects", expect_no_changes=True)
    workspace.destroy("objects")
    kube.run("delete", "namespace", namespace, "--wait=false")


def test_recover_never_takes_an_object_the_stack_does_not_own(
    kube: Kube, workspace: Workspace, flink: tuple[RunningCluster, FlinkProxy, Path]
) -> None:
    _, proxy, directory = flink
    namespace = "flink-foreign"
    kube.run("create", "namespace", namespace)
    kube.run("-n", namespace, "create", "service", "clusterip", "foreign-rest", "--tcp=8081:8081")
    deploy(workspace, "foreign", cluster("foreign", directory, proxy.url, createNamespace=False, jobs=[]))
    refused = recover(workspace, "foreign")
    assert refused.returncode == 1, refused.stderr
    assert "Service flink-foreign/foreign-rest (owner: none)" in refused.stderr and "left alone" in refused.stderr
    service = kube.get("service", "foreign-rest", "-n", namespace)
    assert "flink-session.dev/stack" not in (service["metadata"].get("annotations") or {})
    kube.run("delete", "namespace", namespace, "--wait=false")


def test_killed_during_destroy_recover_finishes_it(
    kube: Kube, workspace: Workspace, flink: tuple[RunningCluster, FlinkProxy, Path]
) -> None:
    running, proxy, directory = flink
    deploy(workspace, "destroy", cluster("destroy", directory, proxy.url))
    workspace.up("destroy")
    gate = proxy.hold("GET", rf"^/jobs/{JOB_ID}/savepoints/")  # the savepoint the destroy stops the job with
    process = workspace.cli_background("destroy", "--yes", "--skip-preview", stack="destroy", log=directory / "destroy.log")
    assert gate.arrived.wait(300), (directory / "destroy.log").read_text()[-3000:]
    killed(process)
    gate.release(forward=True)

    recovered(workspace, "destroy", "--destroy")
    assert live_jobs(running) == []
    assert ours(kube, "flink-destroy") == []
    assert workspace.urns("destroy") == []


def test_two_concurrent_ups_even_after_a_cancel_run_one_job(
    workspace: Workspace, flink: tuple[RunningCluster, FlinkProxy, Path]
) -> None:
    running, proxy, directory = flink
    deploy(workspace, "twice", cluster("twice", directory, proxy.url))
    gate = proxy.hold("GET", rf"^/jobs/{JOB_ID}$", after=("POST", r"^/jars/[^/]+/run$"))
    first = up_in_background(workspace, "twice", directory / "first.log")
    assert gate.arrived.wait(300), (directory / "first.log").read_text()[-3000:]

    refused = workspace.cli("up", "--yes", "--skip-preview", stack="twice", check=False)
    assert refused.returncode != 0 and "locked" in refused.stdout + refused.stderr
    workspace.cli("cancel", "--yes", stack="twice")  # as Pulumi's message says: while the first still runs
    workspace.cli("up", "--yes", "--skip-preview", stack="twice", check=False)
    gate.release(forward=True)
    first.wait(timeout=600)
    assert len(live_jobs(running)) == 1, "two copies of the job run"

    recovered(workspace, "twice")
    assert live_jobs(running) == [state_job(workspace, "twice")["jobId"]]
    workspace.preview("twice", expect_no_changes=True)
