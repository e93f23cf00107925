"""A stack deployed by the code before components/ was laid out by layer updates and destroys cleanly with today's.

The program and its modules are taken from git at EARLIER (the last commit of the flat
layout, with the job provider pickled into the state by that code's module path and a
job state of that code's shape: a REST URL, a random job id). A stack with a cluster
and a running job on a loopback Flink is deployed with that code; then the workspace
gets today's program. One copy of the stack is updated (`pulumi up`: the objects and
the job resource take today's inputs, the job keeps running under its id), then
previews clean and is destroyed; another is destroyed directly, so the delete runs on
the state the earlier code wrote. Both destroys stop the job and leave nothing.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from pathlib import Path

import yaml

from tests.e2e.jobs import cluster_config, counter_jar, loopback_flink, running_jobs
from tests.e2e.live import leftovers
from tests.support.config import ROOT
from tests.support.kube import Kube
from tools.engine import PROJECT_FILES, Workspace

# 6d8e0d5: "Pods tier: wait for the old TaskManagers to go after a slot change, as the rollout finishes"
EARLIER = "6d8e0d5a214345d087f2767a1bd465316ec4b74f"


def _checkout(revision: str, directory: Path) -> None:
    """The program's files at `revision`, in place of the workspace's (the backend and .venv links stay)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, *PROJECT_FILES], capture_output=True, check=True)
    for name in PROJECT_FILES:
        target = directory / name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(directory, filter="data")
    (directory / "policy" / "venv").symlink_to(directory / ".venv")


def _today(directory: Path) -> None:
    """Today's program in place of the earlier one; the stack files are the user's and stay."""
    for name in (name for name in PROJECT_FILES if name != "stacks"):
        target, source = directory / name, ROOT / name
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "venv", ".venv"))
        else:
            shutil.copy2(source, target)
    (directory / "policy" / "venv").unlink(missing_ok=True)
    (directory / "policy" / "venv").symlink_to(directory / ".venv")


def test_a_stack_of_the_flat_layout_updates_and_destroys_with_todays_code(
    kube: Kube, workspace: Workspace, tmp_path: Path
) -> None:
    with loopback_flink(tmp_path) as (cluster, savepoints):
        port = cluster.rest_port
        config = cluster_config(savepoints, f"http://127.0.0.1:{port}")
        stacks = {"updated": "jobs", "destroyed": "direct"}
        configs = {
            stacks["updated"]: config,
            stacks["destroyed"]: {**config, "name": "direct", "namespace": "flink-direct"},
        }
        _checkout(EARLIER, workspace.directory)
        counter_jar(workspace.directory / "jobs")
        jobs: dict[str, str] = {}
        for stack, cluster_settings in configs.items():
            workspace.add_stack(stack, yaml.safe_dump({"config": {"flink-session:cluster": cluster_settings}}))
            workspace.up(stack)
            jobs[stack] = workspace.outputs(stack)["cluster"]["jobs"]["counter"]["jobId"]
        assert sorted(running_jobs(port)) == sorted(jobs.values())

        _today(workspace.directory)
        updated = stacks["updated"]
        workspace.up(updated)
        job = workspace.outputs(updated)["cluster"]["jobs"]["counter"]
        assert (job["jobId"], job["state"]) == (jobs[updated], "RUNNING"), "the update restarted the job"
        workspace.preview(updated, expect_no_changes=True)

        for stack in configs:
            workspace.destroy(stack)
        assert running_jobs(port) == []
        for job_id in jobs.values():  # stopped with a savepoint (upgradeMode: savepoint), not left running
            state = subprocess.run(
                ["curl", "-sf", f"http://127.0.0.1:{port}/jobs/{job_id}"], capture_output=True, text=True, check=True
            )
            assert '"state":"FINISHED"' in state.stdout.replace(" ", ""), state.stdout
    assert leftovers(kube) == []
