"""Jobs on a real session cluster on loopback, for the e2e tier: the stack, the jar, the counters, the cluster itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from components.flink.config_files import CONFIG_FILE, render_config_files
from tests.support.config import resolve
from tests.support.flink import RunningCluster, job_jar, rest_get, session_cluster, wait_for
from tools.engine import Workspace
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


@contextmanager
def loopback_flink(tmp_path: Path) -> Iterator[tuple[RunningCluster, Path]]:
    """A real session cluster on loopback from the stack's own config.yaml (2 TaskManagers x 2 slots), and its savepoints."""
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
