"""The real Pulumi engine on the local control plane (kwok nodes), against kubectl and the engine's own floors.

One round, repeated and interleaved so every case sees the same machine:
  ours      `pulumi up` from empty, `pulumi preview` with no change, `pulumi up` after one
            setting changed (taskManager.slots), `pulumi destroy`, for the dev stack;
  floor     the same rendered objects through Pulumi's own raw-YAML path
            (`kubernetes:yaml/v2:ConfigGroup`): up from empty, no-change preview, destroy;
  kubectl   `kubectl apply --server-side` of the same objects + wait for the Deployments,
            `kubectl diff --server-side` with no change, delete;
  empty     `pulumi preview` of a Python program that registers nothing, and of one that
            registers one ConfigMap: what the CLI + language host, and then the provider, cost
            before any program of ours runs.
  traced    one more no-change preview of ours with `--otel-traces`, split into the engine's
            phases (tools/bench/trace.py); not timed with the others (tracing costs a little).
Then 50 dev-sized clusters in one stack through `pulumi preview` and `pulumi up`.
"""

from __future__ import annotations

import compileall
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tools.bench.evaluation import many_clusters
from tools.bench.stats import Sample
from tools.bench.trace import phases, read_spans
from tools.engine import Toolchain, Workspace, toolchain_path
from tools.review.render import render_stack

ROOT = Path(__file__).resolve().parents[2]
STACK = "dev"
NAMESPACE = "flink-dev"

_FLOOR_PROGRAM = """\
import pathlib

import pulumi_kubernetes as k8s

k8s.yaml.v2.ConfigGroup("dev", yaml=pathlib.Path("manifests.yaml").read_text())
"""
_EMPTY_PROGRAM = "import pulumi\n"
# The same program registering every object with pulumi-kubernetes' typed classes instead of
# by type token (components/resources/kubernetes_object.py): the question whether skipping their API-group
# imports still matters once the engine's own time is counted. Written over the copy's module.
_TYPED_REGISTRATION = """\
import re

import pulumi
import pulumi_kubernetes as k8s

from components.model.cluster import Sensitive, replace_sensitive

_MODULES = {"": "core", "apps": "apps", "networking.k8s.io": "networking", "policy": "policy",
            "rbac.authorization.k8s.io": "rbac", "monitoring.coreos.com": None}


def KubernetesObject(resource_name, manifest, opts):
    group, _, version = manifest["apiVersion"].rpartition("/")
    fields = {re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower(): replace_sensitive(value, lambda v: pulumi.Output.secret(v.reveal()))
              for key, value in manifest.items() if key not in ("apiVersion", "kind")}
    cls = getattr(getattr(getattr(k8s, _MODULES[group]), version), manifest["kind"])
    return cls(resource_name, **fields, opts=opts)
"""
_ONE_CONFIGMAP_PROGRAM = """\
import pulumi_kubernetes as k8s

k8s.core.v1.ConfigMap("one", metadata={"name": "one", "namespace": "default"}, data={"a": "b"})
"""


@dataclass
class Kubectl:
    binary: str
    kubeconfig: Path

    def __call__(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.binary, "--kubeconfig", str(self.kubeconfig), *args], input=stdin, capture_output=True, text=True, check=False
        )


@contextmanager
def local_cluster() -> Iterator[tuple[Path, str]]:
    """A kwok-only control plane for the benchmark; yields its kubeconfig and kubectl."""
    env = {**os.environ, "FLINK_SESSION_CLUSTER": "bench", "KWOK_WORKDIR": tempfile.mkdtemp(prefix="bench-kwok-")}
    script = ROOT / "tools" / "localcluster" / "cluster.sh"
    up = subprocess.run(["bash", str(script), "up", "--kwok-only"], env=env, capture_output=True, text=True, check=True)
    kubectl = str(toolchain_path("kubectl"))
    try:
        yield Path(up.stdout.strip().splitlines()[-1]), kubectl
    finally:
        subprocess.run(["bash", str(script), "down"], env=env, capture_output=True, check=False)


def _program(directory: Path, toolchain: Toolchain, kubeconfig: Path, source: str, files: dict[str, str]) -> Workspace:
    """A one-file Pulumi project beside ours, with the same engine settings."""
    directory.mkdir(parents=True)
    (directory / "Pulumi.yaml").write_text(
        f"name: {directory.name}\nruntime:\n  name: python\n  options:\n    toolchain: pip\n    virtualenv: .venv\n"
    )
    (directory / "__main__.py").write_text(source)
    for name, text in files.items():
        (directory / name).write_text(text)
    (directory / ".venv").symlink_to(Path(sys.prefix))
    return Workspace(directory, toolchain, kubeconfig)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


@dataclass
class EngineResults:
    cases: dict[str, Sample]
    phases: dict[str, Sample]
    scale: dict[str, Sample]
    scale_clusters: int
    resources_per_cluster: int


def run(rounds: int, scale_clusters: int, scale_rounds: int) -> EngineResults:
    toolchain = Toolchain.load()
    cases = {
        name: Sample()
        for name in (
            "ours: pulumi up (from empty)",
            "ours: pulumi preview (no change)",
            "ours: pulumi up (one setting changed)",
            "ours: pulumi destroy",
            "floor: pulumi up (from empty)",
            "floor: pulumi preview (no change)",
            "floor: pulumi destroy",
            "kubectl apply --server-side + wait Available",
            "kubectl diff --server-side (no change)",
            "kubectl delete",
            "empty program: pulumi preview",
            "one ConfigMap: pulumi preview",
            "typed classes: pulumi preview (no change)",
        )
    }
    manifests = render_stack(STACK)
    with local_cluster() as (kubeconfig, kubectl_binary), tempfile.TemporaryDirectory(prefix="bench-engine-") as scratch:
        work = Path(scratch)
        kubectl = Kubectl(kubectl_binary, kubeconfig)
        ours = Workspace.copy_of_project(work / "ours", toolchain, kubeconfig, Path(sys.prefix))
        ours.add_stack(STACK)
        floor = _program(work / "floor", toolchain, kubeconfig, _FLOOR_PROGRAM, {"manifests.yaml": manifests})
        floor.add_stack(STACK)
        empty = _program(work / "empty", toolchain, kubeconfig, _EMPTY_PROGRAM, {})
        empty.add_stack(STACK)
        one = _program(work / "one", toolchain, kubeconfig, _ONE_CONFIGMAP_PROGRAM, {})
        one.add_stack(STACK)
        typed = Workspace.copy_of_project(work / "typed", toolchain, kubeconfig, Path(sys.prefix))
        (typed.directory / "components" / "kubernetes_object.py").write_text(_TYPED_REGISTRATION)
        typed.add_stack(STACK)
        # As on a user's second run: Python reads the bytecode it cached on the first. This
        # machine sets PYTHONDONTWRITEBYTECODE, so the copies would otherwise compile every time.
        for workspace in (ours, typed):
            compileall.compile_dir(workspace.directory, quiet=1)
        typed.config_set(STACK, "cluster.namespace", "flink-typed")
        typed.up(STACK)
        slots = iter(["3", "2"] * rounds)
        traced: dict[str, Sample] = {}

        def record(name: str, action: Callable[[], object]) -> None:
            cases[name].seconds.append(timed(action))
            cases[name].peak_kib.append(0)

        for _ in range(rounds):
            record("ours: pulumi up (from empty)", lambda: ours.cli("up", "--yes", "--skip-preview", stack=STACK))
            record("ours: pulumi preview (no change)", lambda: ours.cli("preview", stack=STACK))
            for phase, seconds in _traced_preview(ours, work / "trace.json").items():
                traced.setdefault(phase, Sample()).seconds.append(seconds)
            ours.config_set(STACK, "cluster.taskManager.slots", next(slots))
            record("ours: pulumi up (one setting changed)", lambda: ours.cli("up", "--yes", "--skip-preview", stack=STACK))
            record("ours: pulumi destroy", lambda: ours.cli("destroy", "--yes", "--skip-preview", stack=STACK))
            record("floor: pulumi up (from empty)", lambda: floor.cli("up", "--yes", "--skip-preview", stack=STACK))
            record("floor: pulumi preview (no change)", lambda: floor.cli("preview", stack=STACK))
            record("floor: pulumi destroy", lambda: floor.cli("destroy", "--yes", "--skip-preview", stack=STACK))
            record("kubectl apply --server-side + wait Available", lambda: _kubectl_apply(kubectl, manifests))
            record("kubectl diff --server-side (no change)", lambda: _kubectl_diff(kubectl, manifests))
            record("kubectl delete", lambda: _check(kubectl("delete", "namespace", NAMESPACE, "--wait=true")))
            record("empty program: pulumi preview", lambda: empty.cli("preview", stack=STACK))
            record("one ConfigMap: pulumi preview", lambda: one.cli("preview", stack=STACK))
            record("typed classes: pulumi preview (no change)", lambda: typed.cli("preview", stack=STACK))

        scale = {
            f"{scale_clusters} clusters: pulumi preview (from empty)": Sample(),
            f"{scale_clusters} clusters: pulumi up": Sample(),
        }
        config = many_clusters(scale_clusters)
        text = yaml.safe_dump({"config": {f"flink-session:{k}": v for k, v in config.items()}})
        ours.add_stack("scale", text)
        resources = 0
        for _ in range(scale_rounds):
            preview_name, up_name = scale
            scale[preview_name].seconds.append(timed(lambda: ours.cli("preview", stack="scale")))
            scale[up_name].seconds.append(timed(lambda: ours.cli("up", "--yes", "--skip-preview", stack="scale")))
            # a child's URN type is `<parent type>$kubernetes:<group/version>:<Kind>`
            resources = len([u for u in ours.urns("scale") if "$kubernetes:" in u.split("::")[2]])
            ours.destroy("scale")
    return EngineResults(cases, traced, scale, scale_clusters, resources // scale_clusters)


def _traced_preview(workspace: Workspace, path: Path) -> dict[str, float]:
    path.unlink(missing_ok=True)
    workspace.cli("preview", "--otel-traces", f"file://{path}", stack=STACK)
    return phases(read_spans(path))


def _check(result: subprocess.CompletedProcess[str]) -> None:
    if result.returncode != 0:
        raise SystemExit(f"bench: {' '.join(map(str, result.args))} failed:\n{result.stderr}")


def _kubectl_apply(kubectl: Kubectl, manifests: str) -> None:
    _check(kubectl("apply", "--server-side", "-f", "-", stdin=manifests))
    _check(kubectl("-n", NAMESPACE, "wait", "--for=condition=Available", "deployment", "--all", "--timeout=120s"))


def _kubectl_diff(kubectl: Kubectl, manifests: str) -> None:
    result = kubectl("diff", "--server-side", "-f", "-", stdin=manifests)
    if result.returncode != 0:  # 1 means a difference: the no-change case must have none
        raise SystemExit(f"bench: kubectl diff found changes:\n{result.stdout}{result.stderr}")


def as_json(results: EngineResults) -> dict[str, Any]:
    return {name: sample.seconds for name, sample in {**results.cases, **results.phases, **results.scale}.items()}


if __name__ == "__main__":  # a quick look: `python -m tools.bench.realengine`
    print(json.dumps(as_json(run(rounds=1, scale_clusters=5, scale_rounds=1)), indent=2))
