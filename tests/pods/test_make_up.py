"""`make up` and `make down` as a newcomer runs them, on a copy of the repository with nothing beside it but the engine.

The copy has no ../shared and runs with FLINK_DOCKER_DIR unset: only the Pulumi
engine's release archives are given ($PULUMI_ARCHIVES), as a user installs the engine.
With `FLINK_SESSION_LOCAL=1` (a developer's own kube context is never used), `make up`
makes the local cluster's toolchain, packages and images (cached), starts a cluster of
its own, deploys dev with `pulumi up`, and ends with `GET /overview` showing dev's Flink
version and slots (reached through the Kubernetes API) and the command for the web UI;
every long step printed one line and wrote its log; the pods ran on the real node.

Then, against that running cluster as a user's own (its kubeconfig in KUBECONFIG),
`make up` again: no toolchain, package or image step runs, and none of `go`, `apt-get`,
`debootstrap` or `umoci` is called (shims on PATH record any call). Then the jobs
example of docs/jobs.md, with no port-forward and no jobsRestUrl: a job is declared with
`pulumi config set` and started by `pulumi up`. `make down` destroys all of it (the job
stopped through the Kubernetes API), removes the stack from the local backend without
deleting its stack file (`pulumi stack rm` does unless `--preserve-config`), and stops
the cluster.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.config import ROOT, stack_config
from tests.support.flink import job_jar
from tests.support.kube import Kube
from tools.engine import Toolchain, toolchain_path
from tools.flink_dist import flink_home

STACK = "dev"
NOT_COPIED = (".git", ".venv", ".venv-scan", ".pulumi-state", "__pycache__", ".*_cache", ".hypothesis")
# What a user's own cluster must never make `make up` run.
FORBIDDEN = ("go", "apt-get", "debootstrap", "umoci")
LOCAL_ONLY_STEPS = ("toolchain", "packages", "images", "cluster")


def _run(command: list[str], checkout: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=checkout, capture_output=True, text=True, env=env, check=False, timeout=1800)


def _steps(output: str) -> list[str]:
    """The steps `make up` reported as done (`flink-session:   <step>: done in N s`)."""
    return re.findall(r"^flink-session:\s+([\w-]+): done in \d+ s$", output, re.MULTILINE)


def _shims(directory: Path, record: Path) -> Path:
    directory.mkdir()
    for name in FORBIDDEN:
        shim = directory / name
        shim.write_text(f'#!/bin/sh\necho "{name} $*" >>"{record}"\nexit 97\n')
        shim.chmod(0o755)
    return directory


def test_make_up_on_a_fresh_copy_then_on_its_cluster_as_a_users_own_then_make_down(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, toolchain: Toolchain
) -> None:
    checkout = tmp_path / "flink-session"
    # copy2 keeps mtimes, so the virtualenvs' install stamps stay newer than the requirements.
    shutil.copytree(ROOT, checkout, ignore=shutil.ignore_patterns(*NOT_COPIED))
    assert not (checkout.parent / "shared").exists()
    (checkout / ".venv").symlink_to(Path(sys.prefix))
    (checkout / ".venv-scan").symlink_to(ROOT / ".venv-scan")
    name = f"makeup-{os.getpid()}"
    workdir = tmp_path_factory.mktemp("makeup-kwok")
    logs = tmp_path / "logs"
    env = {
        **os.environ,
        "FLINK_SESSION_LOCAL": "1",
        "FLINK_SESSION_CLUSTER": name,
        "KWOK_WORKDIR": str(workdir),
        "FLINK_SESSION_LOGS": str(logs),
    }
    env.pop("KUBECONFIG", None)
    env.pop("FLINK_DOCKER_DIR", None)
    assert env.get("PULUMI_ARCHIVES"), "the engine is given as its release archives"
    kubeconfig = workdir / f"{name}.kubeconfig"
    kube = Kube(toolchain_path("kubectl"), kubeconfig)
    try:
        up = _run(["make", "up"], checkout, env)
        assert up.returncode == 0, up.stdout[-4000:] + up.stderr[-4000:]
        assert _steps(up.stderr) == ["engine", *LOCAL_ONLY_STEPS], up.stderr
        for step in ("engine", *LOCAL_ONLY_STEPS):
            assert (logs / f"{step}.log").is_file(), step
        assert "go: downloading" not in up.stderr and '"level"' not in up.stderr, "a build's or kwokctl's output leaked"

        overview = json.loads(re.search(r"GET /overview -> (\{.*\})", up.stderr).group(1))  # type: ignore[union-attr]
        assert overview["flink-version"] == stack_config(STACK)["cluster"]["flinkVersion"]
        assert overview["taskmanagers"] >= 1
        assert overview["slots-total"] > 0
        assert re.search(r"web UI: KUBECONFIG=\S+ \S+ -n \S+ port-forward svc/\S+ 8081:8081", up.stderr), up.stderr
        assert "clusters" in up.stdout, up.stdout  # `pulumi stack output`
        real_nodes = {n["metadata"]["name"] for n in kube.get("nodes", "-l", "type=real")["items"]}
        pods = [p for p in kube.get("pods", "-A")["items"] if p["metadata"]["namespace"] not in ("kube-system",)]
        assert pods, "make up ran no pods"
        assert {p["spec"].get("nodeName") for p in pods} <= real_nodes, [p["spec"].get("nodeName") for p in pods]

        # The same cluster as a user's own: only Python and the engine.
        record = tmp_path / "forbidden-calls.log"
        own = {**env, "KUBECONFIG": str(kubeconfig), "PATH": f"{_shims(tmp_path / 'shims', record)}:{env['PATH']}"}
        own.pop("FLINK_SESSION_LOCAL")
        again = _run(["make", "up"], checkout, own)
        assert again.returncode == 0, again.stdout[-4000:] + again.stderr[-4000:]
        assert _steps(again.stderr) == ["engine"], again.stderr
        assert not record.exists(), record.read_text()

        # docs/jobs.md's example: a job through the Kubernetes API, no port-forward, no jobsRestUrl.
        job_jar(flink_home(overview["flink-version"]), "CounterJob.java", checkout / "jobs" / "counter.jar")
        pulumi = [str(toolchain.pulumi), "--non-interactive"]
        engine_env = {
            **toolchain.environment(),
            "KUBECONFIG": str(kubeconfig),
            "PULUMI_BACKEND_URL": f"file://{checkout / '.pulumi-state'}",
            "PULUMI_CONFIG_PASSPHRASE": "flink-session-example",
        }
        for path, value in (
            ("cluster.jobs[0].name", "counter"),
            ("cluster.jobs[0].jar", "jobs/counter.jar"),
            ("cluster.jobs[0].entryClass", "CounterJob"),
        ):
            configured = _run([*pulumi, "config", "set", "--stack", STACK, "--path", path, value], checkout, engine_env)
            assert configured.returncode == 0, configured.stderr
        started = _run([*pulumi, "up", "--stack", STACK, "--yes", "--skip-preview"], checkout, engine_env)
        assert started.returncode == 0, started.stdout[-4000:] + started.stderr[-4000:]
        job = json.loads(_run([*pulumi, "stack", "output", "--stack", STACK, "--json", "cluster"], checkout, engine_env).stdout)
        assert job["jobs"]["counter"]["state"] == "RUNNING", job["jobs"]

        stack_file = checkout / "stacks" / f"Pulumi.{STACK}.yaml"
        before_down = stack_file.read_bytes()
        down = _run(["make", "down"], checkout, env)
        assert down.returncode == 0, down.stdout[-4000:] + down.stderr[-4000:]
        assert stack_file.exists(), "make down deleted the stack file"
        assert stack_file.read_bytes() == before_down
        listed = _run([str(toolchain.pulumi), "stack", "ls", "--json", "--non-interactive"], checkout, engine_env)
        assert json.loads(listed.stdout) == [], listed.stdout
        still_up = kube.run("get", "nodes", "--request-timeout=5s", check=False)
        assert still_up.returncode != 0, "the local cluster is still up"
    finally:
        # After a failure half-way: the stack (if any), then the cluster, whatever state they are in.
        for script in ("up.sh", "cluster.sh"):
            subprocess.run(
                ["bash", str(checkout / "tools" / "localcluster" / script), "down"],
                capture_output=True,
                env=env,
                check=False,
                timeout=600,
            )
