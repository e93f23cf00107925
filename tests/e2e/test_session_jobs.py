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

import pytest
import yaml

from tests.e2e.jobs import (
    STACK,
    cluster_config,
    counter_jar,
    counter_metric,
    first_count,
    job_output,
    job_parallelism,
    job_state,
    loopback_flink,
    running_jobs,
)
from tests.support.flink import RunningCluster, rest_get, wait_for
from tests.support.kube import Kube
from tools.engine import EngineError, Workspace


@pytest.fixture
def flink(tmp_path: Path) -> Iterator[tuple[RunningCluster, Path]]:
    with loopback_flink(tmp_path) as running:
        yield running


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
