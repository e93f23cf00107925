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
  toolchains the same no-change preview with each of the language host's toolchains
            (tools/bench/toolchains.py), all three in one virtualenv made from one lock;
  traced    one more no-change preview of ours and of each toolchain with `--otel-traces`,
            split into the engine's phases (tools/bench/trace.py); not timed with the others
            (tracing costs a little).
Then 1, 10 and 50 dev-sized clusters in one stack: `pulumi preview` from empty, `pulumi up`
and `kubectl apply --server-side` of the same objects + wait for the Deployments.
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

from tools.bench import toolchains
from tools.bench.evaluation import many_clusters
from tools.bench.stats import Sample
from tools.bench.trace import phases, read_spans, up_phases
from tools.engine import Toolchain, Workspace, toolchain_path
from tools.review.render import render_config, render_stack

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
def local_cluster(*, kwok_only: bool = True) -> Iterator[tuple[Path, str]]:
    """A control plane for the benchmark (kwok nodes; with `kwok_only=False` also the real node).

    Yields its kubeconfig and kubectl.
    """
    name = "bench" if kwok_only else "bench-node"
    env = {**os.environ, "FLINK_SESSION_CLUSTER": name, "KWOK_WORKDIR": tempfile.mkdtemp(prefix=f"{name}-kwok-")}
    script = ROOT / "tools" / "localcluster" / "cluster.sh"
    arguments = ["up", "--kwok-only"] if kwok_only else ["up"]
    up = subprocess.run(["bash", str(script), *arguments], env=env, capture_output=True, text=True, check=False)
    if up.returncode != 0:
        raise SystemExit(f"bench: tools/localcluster/cluster.sh {' '.join(arguments)} failed:\n{up.stderr[-3000:]}")
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


# The checkout as it is: its toolchain is uv when `make venv` made a uv.lock (tools/pins.py), else pip.
OURS = "ours, as checked out"


def checkout_toolchain() -> str:
    return "uv" if (ROOT / "uv.lock").exists() else "pip"


@dataclass
class EngineResults:
    cases: dict[str, Sample]
    toolchains: dict[str, Sample]
    # per traced program (OURS, then each toolchain): phase -> seconds
    phases: dict[str, dict[str, Sample]]
    # per cluster count: case -> seconds
    scale: dict[int, dict[str, Sample]]
    # one traced `pulumi up` of the largest count (tools/bench/trace.py up_phases)
    scale_trace: dict[str, float]
    resources_per_cluster: int


SCALE_CASES = ("pulumi preview (from empty)", "pulumi up", "kubectl apply --server-side + wait Available")


def run(rounds: int, scale_sizes: tuple[int, ...], scale_rounds: int) -> EngineResults:
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
        variants = _toolchain_variants(work, toolchain, kubeconfig)
        by_toolchain = {name: Sample() for name in variants}
        traced: dict[str, dict[str, Sample]] = {OURS: {}, **{name: {} for name in variants}}

        def trace(name: str, workspace: Workspace) -> None:
            for phase, seconds in _traced_preview(workspace, work / "trace.json").items():
                traced[name].setdefault(phase, Sample()).seconds.append(seconds)

        def record(name: str, action: Callable[[], object]) -> None:
            cases[name].seconds.append(timed(action))
            cases[name].peak_kib.append(0)

        for _ in range(rounds):
            # Each round changes the slots upwards: a decrease would ask Flink (there is none on
            # kwok nodes) how many slots running jobs hold (components/jobs/taskmanager_scaling.py).
            ours.config_set(STACK, "cluster.taskManager.slots", "2")
            record("ours: pulumi up (from empty)", lambda: ours.cli("up", "--yes", "--skip-preview", stack=STACK))
            record("ours: pulumi preview (no change)", lambda: ours.cli("preview", stack=STACK))
            trace(OURS, ours)
            ours.config_set(STACK, "cluster.taskManager.slots", "3")
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
            for name, variant in variants.items():
                by_toolchain[name].seconds.append(timed(lambda: variant.cli("preview", stack=STACK)))  # noqa: B023
                trace(name, variant)

        for workspace in (typed, *variants.values()):
            workspace.destroy(STACK)
        scale, scale_trace, resources = _many_clusters(ours, kubectl, scale_sizes, scale_rounds, work / "up-trace.json")
    return EngineResults(cases, by_toolchain, traced, scale, scale_trace, resources)


def _toolchain_variants(work: Path, toolchain: Toolchain, kubeconfig: Path) -> dict[str, Workspace]:
    """One deployed copy of dev per toolchain (tools/bench/toolchains.py), each in a namespace of its own."""
    lock, runtime_venv = toolchains.locked_virtualenv(work)
    variants = {}
    for index, name in enumerate(toolchains.VARIANTS):
        variant = toolchains.variant(
            name, work / f"toolchain-{index}", toolchain=toolchain, kubeconfig=kubeconfig, lock=lock, virtualenv=runtime_venv
        )
        compileall.compile_dir(variant.directory, quiet=1)
        variant.add_stack(STACK)
        variant.config_set(STACK, "cluster.namespace", f"flink-toolchain-{index}")
        variant.cli("up", "--yes", "--skip-preview", stack=STACK)
        variants[name] = variant
    return variants


def _many_clusters(
    ours: Workspace, kubectl: Kubectl, sizes: tuple[int, ...], rounds: int, trace_path: Path
) -> tuple[dict[int, dict[str, Sample]], dict[str, float], int]:
    """Each size once per round, the sizes interleaved: preview from empty, up, destroy; then kubectl.

    Then one traced `pulumi up` of the largest size.
    """
    scale = {size: {case: Sample() for case in SCALE_CASES} for size in sizes}
    manifests = {}
    for size in sizes:
        config = many_clusters(size)
        stack = f"scale-{size}"
        ours.add_stack(stack, yaml.safe_dump({"config": {f"flink-session:{k}": v for k, v in config.items()}}))
        manifests[size] = render_config(stack, config)
    resources = 0
    preview, up, apply = SCALE_CASES
    for _ in range(rounds):
        for size in sizes:
            stack = f"scale-{size}"
            scale[size][preview].seconds.append(timed(lambda: ours.cli("preview", stack=stack)))  # noqa: B023
            scale[size][up].seconds.append(timed(lambda: ours.cli("up", "--yes", "--skip-preview", stack=stack)))  # noqa: B023
            # a child's URN type is `<parent type>$kubernetes:<group/version>:<Kind>`
            resources = len([u for u in ours.urns(stack) if "$kubernetes:" in u.split("::")[2]]) // size
            ours.destroy(stack)
            scale[size][apply].seconds.append(timed(lambda: _kubectl_apply(kubectl, manifests[size], all_namespaces=True)))  # noqa: B023
            _check(kubectl("delete", "-f", "-", "--wait=true", stdin=manifests[size]))
    largest = f"scale-{max(sizes)}"
    ours.cli("up", "--yes", "--skip-preview", "--otel-traces", f"file://{trace_path}", stack=largest)
    ours.destroy(largest)
    return scale, up_phases(read_spans(trace_path)), resources


def _traced_preview(workspace: Workspace, path: Path) -> dict[str, float]:
    path.unlink(missing_ok=True)
    workspace.cli("preview", "--otel-traces", f"file://{path}", stack=STACK)
    return phases(read_spans(path))


def _check(result: subprocess.CompletedProcess[str]) -> None:
    if result.returncode != 0:
        raise SystemExit(f"bench: {' '.join(map(str, result.args))} failed:\n{result.stderr}")


def _kubectl_apply(kubectl: Kubectl, manifests: str, *, all_namespaces: bool = False) -> None:
    _check(kubectl("apply", "--server-side", "-f", "-", stdin=manifests))
    where = ["--all-namespaces"] if all_namespaces else ["-n", NAMESPACE]
    _check(kubectl("wait", *where, "--for=condition=Available", "deployment", "--all", "--timeout=300s"))


def _kubectl_diff(kubectl: Kubectl, manifests: str) -> None:
    result = kubectl("diff", "--server-side", "-f", "-", stdin=manifests)
    if result.returncode != 0:  # 1 means a difference: the no-change case must have none
        raise SystemExit(f"bench: kubectl diff found changes:\n{result.stdout}{result.stderr}")


def as_json(results: EngineResults) -> dict[str, Any]:
    return {
        "cases": {name: sample.seconds for name, sample in results.cases.items()},
        "toolchains": {name: sample.seconds for name, sample in results.toolchains.items()},
        "phases": {name: {p: s.seconds for p, s in phases.items()} for name, phases in results.phases.items()},
        "scale": {size: {c: s.seconds for c, s in cases.items()} for size, cases in results.scale.items()},
        "scale_trace": results.scale_trace,
    }


if __name__ == "__main__":  # a quick look: `python -m tools.bench.realengine`
    print(json.dumps(as_json(run(rounds=1, scale_sizes=(1, 3), scale_rounds=1)), indent=2))
