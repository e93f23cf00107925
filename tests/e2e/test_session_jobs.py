"""Jobs as code through the real engine, on a real Flink session cluster (loopback), with its objects on the API server.

The stack's Kubernetes objects go to the local API server (kwok nodes run no Flink);
its job goes, through `jobsRestUrl`, to a real session cluster on loopback booted
from the config.yaml the same stack renders. A small stateful streaming job (a keyed
counter, `tests/support/java/CounterJob.java`) then goes through what a user does:
`pulumi up` runs it at the configured parallelism; a parallelism change previews as
an update of the job alone and goes through stop-with-savepoint and restore, and the
counters continue (the restored tasks' first count is above 1); a jar Flink cannot
run fails `pulumi up` with Flink's own message and leaves the running job untouched;
a job cancelled by hand shows in `pulumi refresh` and `pulumi up` starts it again from
its last savepoint; `pulumi destroy` stops it with a savepoint.
"""

from __future__ import annotations

import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.flink.config_files import CONFIG_FILE, render_config_files
from tests.support.config import resolve
from tests.support.flink import RunningCluster, job_jar, rest_get, session_cluster, wait_for
from tests.support.kube import Kube
from tools.engine import EngineError, Workspace
from tools.flink_dist import flink_home

STACK = "jobs"
VERSION = "2.2.1"


def cluster_config(savepoints: Path, rest_url: str) -> dict[str, Any]:
    return {
        "name": "jobs",
        "namespace": "flink-jobs",
        "environment": "development",
        "flinkVersion": VERSION,
        "parallelism": 2,
        "taskManager": {"slots": 2, "replicas": 2, "cpu": "500m", "memory": "1728Mi"},
        "jobManager": {"cpu": "250m", "memory": "1024Mi"},
        "savepoints": {"dir": savepoints.as_uri()},
        "jobsRestUrl": rest_url,
        "jobs": [
            {"name": "counter", "jar": "jobs/counter.jar", "entryClass": "CounterJob", "args": ["40"], "upgradeMode": "savepoint"}
        ],
    }


@pytest.fixture
def flink(tmp_path: Path) -> Iterator[tuple[RunningCluster, Path]]:
    """A real session cluster on loopback from the stack's own config.yaml (2 TaskManagers x 2 slots)."""
    savepoints = tmp_path / "savepoints"
    # The jobs do not change config.yaml (and their jar is built later, in the workspace).
    without_jobs = {k: v for k, v in cluster_config(savepoints, "http://127.0.0.1:1").items() if k != "jobs"}
    config_yaml = render_config_files(resolve(without_jobs))[CONFIG_FILE]
    with session_cluster(flink_home(VERSION), config_yaml, 2, tmp_path / "flink") as cluster:
        wait_for(lambda: rest_get(cluster.rest_port, "/overview")["slots-total"] == 4, 180, "4 slots")
        yield cluster, savepoints


def counter_jar(directory: Path, name: str = "counter.jar") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    return job_jar(flink_home(VERSION), "CounterJob.java", directory / name)


def counter_metric(port: int, job_id: str, name: str) -> list[float]:
    """One gauge of the counter operator, per subtask that has reported it."""
    job = rest_get(port, f"/jobs/{job_id}")
    (vertex,) = [v["id"] for v in job["vertices"] if v["name"].startswith("counter")]
    values: list[float] = []
    for index in range(job_parallelism(job)):
        entries = rest_get(port, f"/jobs/{job_id}/vertices/{vertex}/subtasks/{index}/metrics?get=counter.{name}")
        values += [float(entry["value"]) for entry in entries]
    return values


def first_count(port: int, job_id: str) -> float:
    """The lowest first count among subtasks that processed data: 1 on a fresh start, more after a restore."""
    seen = [value for value in counter_metric(port, job_id, "firstCount") if value > 0]
    return min(seen) if seen else 0.0


def job_parallelism(job: dict[str, Any]) -> int:
    return int(next(v["parallelism"] for v in job["vertices"] if v["name"].startswith("counter")))


def job_output(workspace: Workspace) -> dict[str, Any]:
    job: dict[str, Any] = workspace.outputs(STACK)["cluster"]["jobs"]["counter"]
    return job


def job_state(workspace: Workspace) -> dict[str, Any]:
    """The job resource's outputs in the stack's state (stack outputs change only with `pulumi up`)."""
    exported = workspace.export(STACK)
    (resource,) = [r for r in exported["resources"] if r["urn"].endswith("::jobs-job-counter")]
    outputs: dict[str, Any] = resource["outputs"]
    return outputs


def running_jobs(port: int) -> list[str]:
    return [j["jid"] for j in rest_get(port, "/jobs/overview")["jobs"] if j["state"] == "RUNNING"]


def test_a_job_runs_upgrades_through_a_savepoint_and_stops_with_one(
    kube: Kube, workspace: Workspace, flink: tuple[RunningCluster, Path], tmp_path: Path
) -> None:
    cluster, savepoints = flink
    port = cluster.rest_port
    counter_jar(workspace.directory / "jobs")
    text = yaml.safe_dump({"config": {"flink-session:cluster": cluster_config(savepoints, f"http://127.0.0.1:{port}")}})
    workspace.add_stack(STACK, text)

    # Create: the job runs at the configured parallelism.
    workspace.up(STACK)
    first = job_output(workspace)
    assert first["state"] == "RUNNING" and running_jobs(port) == [first["jobId"]]
    assert job_parallelism(rest_get(port, f"/jobs/{first['jobId']}")) == 2
    wait_for(lambda: max(counter_metric(port, first["jobId"], "maxCount"), default=0) >= 20, 120, "the counters to reach 20")
    assert first_count(port, first["jobId"]) == 1

    # A parallelism change is an update of the job alone, through a savepoint; the counters go on.
    workspace.config_set(STACK, "cluster.jobs[0].parallelism", "3")
    planned = workspace.preview(STACK).by_op()
    assert planned.get("update") == ["pulumi-python:dynamic:Resource::jobs-job-counter"], planned
    assert set(planned) <= {"update", "same"}, planned
    workspace.up(STACK)
    second = job_output(workspace)
    assert second["jobId"] != first["jobId"] and running_jobs(port) == [second["jobId"]]
    assert rest_get(port, f"/jobs/{first['jobId']}")["state"] == "FINISHED"  # stopped with a savepoint, not cancelled
    assert second["lastSavepoint"] and Path(second["lastSavepoint"].removeprefix("file:")).is_dir()
    assert job_parallelism(rest_get(port, f"/jobs/{second['jobId']}")) == 3
    restored_first = wait_for(lambda: first_count(port, second["jobId"]), 120, "the restored counters to report")
    assert restored_first > 1, "the counters restarted from 1: the savepoint's state was not restored"

    # A file that is not a jar is refused at preview; a jar Flink cannot run fails the update with
    # Flink's message. Either way the running job is untouched.
    (workspace.directory / "jobs" / "text.jar").write_bytes(b"not a jar")
    workspace.config_set(STACK, "cluster.jobs[0].jar", "jobs/text.jar")
    with pytest.raises(EngineError, match=r"is not a jar \(a zip archive\)"):
        workspace.preview(STACK)
    with zipfile.ZipFile(workspace.directory / "jobs" / "broken.jar", "w") as broken:
        broken.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nMain-Class: no.such.Job\n")
    workspace.config_set(STACK, "cluster.jobs[0].jar", "jobs/broken.jar")
    with pytest.raises(EngineError) as failed:
        workspace.up(STACK)
    assert "ClassNotFoundException: CounterJob" in str(failed.value), str(failed.value)
    assert "Exception calling application" not in str(failed.value), failed.value
    assert running_jobs(port) == [second["jobId"]]
    workspace.config_set(STACK, "cluster.jobs[0].jar", "jobs/counter.jar")

    # Cancelled by hand: refresh shows it, up starts it again from its last savepoint.
    subprocess.run(["curl", "-sf", "-X", "PATCH", f"http://127.0.0.1:{port}/jobs/{second['jobId']}?mode=cancel"], check=True)
    wait_for(lambda: rest_get(port, f"/jobs/{second['jobId']}")["state"] == "CANCELED", 60, "the cancel")
    refreshed = workspace.refresh(STACK)
    assert "pulumi-python:dynamic:Resource::jobs-job-counter" in refreshed.changed(), refreshed.timeline()
    assert job_state(workspace)["state"] == "CANCELED"  # the resource's state, as refresh read it from Flink
    workspace.up(STACK)
    third = job_output(workspace)
    assert third["state"] == "RUNNING" and running_jobs(port) == [third["jobId"]]
    assert wait_for(lambda: first_count(port, third["jobId"]), 120, "the counters to report") > 1

    # Destroy stops it with a savepoint.
    before = set(savepoints.iterdir())
    workspace.destroy(STACK)
    assert running_jobs(port) == []
    assert rest_get(port, f"/jobs/{third['jobId']}")["state"] == "FINISHED"
    assert len(set(savepoints.iterdir()) - before) == 1
    assert not kube.exists("namespace", "flink-jobs")
