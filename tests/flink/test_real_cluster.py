"""Real Flink session clusters booted from the config.yaml each stack renders.

For every stack file (and unusual extra cases on both version lines) the rendered
config.yaml, byte for byte as the ConfigMap holds it, starts a JobManager and the
stack's number of TaskManagers on loopback. The REST API must report the configured
slots per TaskManager, and a real job (compiled here against that Flink's jars) must
finish at the stack's parallelism. What is overridden for loopback is listed in
`harness.session_cluster`.
"""

from __future__ import annotations

import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from components.flink.config_files import CONFIG_FILE, render_config_files
from components.model.cluster import Cluster
from tests.flink.conftest import home_for
from tests.support.config import STACKS, minimal_cluster, resolve, stack_cluster
from tests.support.flink import compile_java, rest_get, rest_run_jar, rest_upload_jar, session_cluster, wait_for

EXTRA_CASES: dict[str, dict[str, Any]] = {
    # 2.x, per-slot sizing with an odd slot count and tuned fractions.
    "2.x-per-slot-odd": minimal_cluster(
        flinkVersion="2.2.1",
        parallelism=5,
        taskManager={"slots": 3, "cpuPerSlot": "250m", "memoryPerSlot": "700Mi"},
        flinkConfiguration={"taskmanager.memory.managed.fraction": 0.25, "taskmanager.memory.network.min": "32m"},
    ),
    # 1.20, a small TaskManager just above the smallest size Flink accepts, one slot each.
    "1.20-small": minimal_cluster(
        flinkVersion="1.20.4",
        parallelism=2,
        taskManager={"slots": 1, "cpu": "500m", "memory": "1100Mi"},
        jobManager={"cpu": "500m", "memory": "800Mi"},
    ),
}


def case_settings(case: str) -> Cluster:
    if case in STACKS:
        return stack_cluster(case)
    return resolve(EXTRA_CASES[case])


def smoke_jar(home: Path, workdir: Path) -> Path:
    classes = compile_java(home, "SmokeJob.java", workdir / "smoke")
    jar = workdir / "smoke.jar"
    subprocess.run(["jar", "cf", str(jar), "-C", str(classes), "."], check=True)
    return jar


@pytest.mark.parametrize("case", [*STACKS, *EXTRA_CASES])
def test_cluster_boots_from_rendered_config_and_runs_a_job(case: str, flink_homes: dict[str, Path], tmp_path: Path) -> None:
    settings = case_settings(case)
    home = home_for(flink_homes, str(settings.flink_version))
    config_yaml = render_config_files(settings)[CONFIG_FILE]
    tm = settings.task_manager

    with session_cluster(home, config_yaml, tm.replicas, tmp_path) as cluster:
        port = cluster.rest_port
        # A TaskManager registers first and reports its slots in a second RPC, so wait
        # until every one of them has reported before comparing slot counts.
        taskmanagers = wait_for(
            lambda: (
                len(t := rest_get(port, "/taskmanagers")["taskmanagers"]) == tm.replicas
                and all(entry["slotsNumber"] > 0 for entry in t)
                and t
            ),
            timeout=180,
            what=f"{tm.replicas} TaskManagers to register and report their slots (logs in {cluster.logs})",
        )
        assert [entry["slotsNumber"] for entry in taskmanagers] == [tm.slots] * tm.replicas
        assert rest_get(port, "/overview")["slots-total"] == tm.slots * tm.replicas

        if settings.metrics.prometheus:
            assert cluster.metrics_port is not None
            with urllib.request.urlopen(f"http://127.0.0.1:{cluster.metrics_port}/metrics", timeout=10) as response:
                scraped = response.read().decode()
            assert "flink_jobmanager_numRegisteredTaskManagers" in scraped, scraped[:500]

        # The process size Flink runs with is the container limit the pod asks for.
        jm_config = {e["key"]: e["value"] for e in rest_get(port, "/jobmanager/config")}
        assert jm_config["taskmanager.numberOfTaskSlots"] == str(tm.slots)
        assert jm_config["parallelism.default"] == str(settings.parallelism)

        jar_id = rest_upload_jar(port, smoke_jar(home, tmp_path))
        job_id = rest_run_jar(port, jar_id, "SmokeJob", settings.parallelism)
        job = wait_for(
            lambda: (j := rest_get(port, f"/jobs/{job_id}"))["state"] in ("FINISHED", "FAILED", "CANCELED") and j,
            timeout=180,
            what="the smoke job to end",
        )
        assert job["state"] == "FINISHED", job
        assert {v["parallelism"] for v in job["vertices"]} == {settings.parallelism}, [
            (v["name"], v["parallelism"]) for v in job["vertices"]
        ]
