"""Benchmarks: the real engine on the local control plane, program evaluation under mocks, test tiers.

    python -m tools.bench                 # everything; writes docs/benchmarks.md
    python -m tools.bench --quick         # fewer runs, no real engine, no test tiers
    python -m tools.bench --skip-node     # without the real node (which needs root)

Every figure is the median of several runs (min and max beside it); the things
compared are measured interleaved in one run, so their ratios hold on a noisy
machine. Not a test: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from tools.bench import realengine, realnode, toolchains, trace
from tools.bench.evaluation import ROOT, evaluate, many_clusters
from tools.bench.stats import Sample, interleaved, slope
from tools.stack_files import STACKS, stack_config

PYTHON = str(ROOT / ".venv" / "bin" / "python")


def test_tiers() -> dict[str, float]:
    tiers = {
        "unit + mocks + scan + policy (`-m 'not flink and not e2e and not pods and not node' -n 2`)": [
            "-m",
            "not flink and not e2e and not pods and not node",
            "-n",
            "2",
        ],
        "real Flink on loopback (`-m flink`)": ["-m", "flink"],
        "real engine on the API server (`-m e2e`)": ["-m", "e2e"],
    }
    timings = {}
    for name, args in tiers.items():
        start = time.perf_counter()
        subprocess.run([PYTHON, "-m", "pytest", "-q", *args], cwd=ROOT, capture_output=True, check=True)
        timings[name] = time.perf_counter() - start
    return timings


def versions() -> dict[str, str]:
    from importlib.metadata import version  # noqa: PLC0415

    return {name: version(name) for name in ("pulumi", "pulumi-kubernetes", "pydantic", "pyyaml")}


GOALS = {"preview": 8.0, "up": 3.0, "scale": 3.0}


def _met(ratio: float, goal: float) -> str:
    return f"{ratio:.1f}x (goal <= {goal:.0f}x: {'met' if ratio <= goal else 'not met'})"


def engine_section(results: realengine.EngineResults) -> list[str]:
    cases = results.cases
    up = cases["ours: pulumi up (from empty)"].median()
    preview = cases["ours: pulumi preview (no change)"].median()
    kubectl_up = cases["kubectl apply --server-side + wait Available"].median()
    kubectl_diff = cases["kubectl diff --server-side (no change)"].median()
    empty = cases["empty program: pulumi preview"].median()
    one = cases["one ConfigMap: pulumi preview"].median()
    reference = {
        "ours: pulumi up (from empty)": kubectl_up,
        "ours: pulumi up (one setting changed)": kubectl_up,
        "floor: pulumi up (from empty)": kubectl_up,
        "ours: pulumi preview (no change)": kubectl_diff,
        "floor: pulumi preview (no change)": kubectl_diff,
        "empty program: pulumi preview": kubectl_diff,
        "one ConfigMap: pulumi preview": kubectl_diff,
        "typed classes: pulumi preview (no change)": kubectl_diff,
    }
    rows = [
        f"| {name} | {sample.cell()} | {sample.median() / reference[name]:.1f}x |"
        if name in reference
        else f"| {name} | {sample.cell()} | |"
        for name, sample in cases.items()
    ]
    pip_preview = results.toolchains[toolchains.PIP].median()
    toolchain_rows = [
        f"| {name} | {sample.cell()} | {sample.median() / kubectl_diff:.1f}x | {sample.median() - pip_preview:+.2f} s |"
        for name, sample in results.toolchains.items()
    ]
    traced = list(results.phases)
    phase_names = list(results.phases[realengine.OURS])
    phase_rows = [
        f"| {phase} | " + " | ".join(results.phases[name][phase].cell() for name in traced) + " |" for phase in phase_names
    ]
    host = {
        name: results.phases[name][trace.ABOUT].median() + results.phases[name][trace.REQUIRED_PACKAGES].median()
        for name in traced
    }
    evaluation = results.phases[realengine.OURS][trace.EVALUATION].median()
    whole = results.phases[realengine.OURS][trace.WHOLE].median()
    diffs = results.phases[realengine.OURS][trace.DIFFS].median()
    best = min(results.toolchains, key=lambda name: results.toolchains[name].median())
    sizes = sorted(results.scale)
    preview_case, up_case, apply_case = realengine.SCALE_CASES
    scale_rows = [
        f"| {size} | {results.scale[size][preview_case].cell()} | {results.scale[size][up_case].cell()} "
        f"| {results.scale[size][apply_case].cell()} "
        f"| {results.scale[size][up_case].median() / results.scale[size][apply_case].median():.1f}x |"
        for size in sizes
    ]

    def marginal(case: str) -> str:
        return ", ".join(
            f"{a}→{b}: {(results.scale[b][case].median() - results.scale[a][case].median()) / (b - a):.2f} s"
            for a, b in itertools.pairwise(sizes)
        )

    largest = sizes[-1]
    scale_ratio = results.scale[largest][up_case].median() / results.scale[largest][apply_case].median()
    return [
        "## Real engine on the local control plane (dev stack)",
        "",
        "`pulumi up` runs with `--yes --skip-preview` (what the engine does to apply; a plain `pulumi up` also "
        "previews first, the preview row). floor: the same rendered objects (`tools.review dev`) through Pulumi's "
        "own raw-YAML path, `kubernetes:yaml/v2:ConfigGroup`. Ratios: `pulumi up` rows against kubectl apply + wait, "
        "preview rows against `kubectl diff`.",
        "",
        "| case | wall time | ratio to kubectl |",
        "| --- | --- | --- |",
        *rows,
        "",
        f"Of the preview's {preview:.2f} s, {empty:.2f} s is the CLI, the Python language host and the SDK with a "
        f"program that registers nothing ({empty / kubectl_diff:.1f}x `kubectl diff` on its own); one that registers "
        f"a single ConfigMap with pulumi-kubernetes' typed class, which also starts the provider, takes {one:.2f} s. "
        "The same program registering its objects with pulumi-kubernetes' typed classes instead of by type token "
        f"previews in {cases['typed classes: pulumi preview (no change)'].median():.2f} s "
        f"({cases['typed classes: pulumi preview (no change)'].median() - preview:+.2f} s).",
        "",
        "### The language host's toolchain",
        "",
        "The same no-change preview of dev, interleaved with the rows above, in three copies of the project that "
        "differ only in the toolchain, all in one runtime virtualenv made from one `uv lock` of requirements.txt "
        "(tools/bench/toolchains.py). The `ours` rows above run the checkout as it is, in the development "
        f"virtualenv (tests and linters too) that `make venv` makes: here with the {realengine.checkout_toolchain()} "
        "toolchain.",
        "",
        "| toolchain | no-change preview | ratio to kubectl diff | against pip |",
        "| --- | --- | --- | --- |",
        *toolchain_rows,
        "",
        "### One no-change preview, from the engine's trace",
        "",
        "`pulumi preview --otel-traces file://...` once per round for each (tools/bench/trace.py). The first seven "
        "rows follow each other and add up to the whole command; the `of which` rows overlap the program's run.",
        "",
        "| phase | " + " | ".join(traced) + " |",
        "| --- | " + " | ".join("---" for _ in traced) + " |",
        *phase_rows,
        "",
        "Before any code of ours runs, the language host's `About` and `GetRequiredPackages` take "
        + ", ".join(f"{seconds:.2f} s with {name}" for name, seconds in host.items())
        + f". Our program's evaluation takes {evaluation:.2f} s of the traced {whole:.2f} s "
        f"({evaluation / whole:.0%}): importing the input schema and the component, validating the stack and "
        f"building the manifests. The provider's diffs of all {results.resources_per_cluster} Kubernetes objects sum "
        f"to {diffs * 1000:.0f} ms. Even with no evaluation of ours at all, the untraced preview would be about "
        f"{(preview - evaluation) / kubectl_diff:.1f}x `kubectl diff`.",
        "",
        f"### Many clusters in one stack ({results.resources_per_cluster} Kubernetes objects each)",
        "",
        "The sizes interleaved in each round; kubectl applies the same rendered objects (`tools.review`) and waits "
        "for every Deployment to be Available.",
        "",
        "| clusters | pulumi preview (from empty) | pulumi up | kubectl apply --server-side + wait | up against kubectl |",
        "| --- | --- | --- | --- | --- |",
        *scale_rows,
        "",
        f"Cost per added cluster, `pulumi up`: {marginal(up_case)}; preview: {marginal(preview_case)}; "
        f"kubectl: {marginal(apply_case)}.",
        "",
        f"One `pulumi up` of {largest} clusters with `--otel-traces` (tools/bench/trace.py `up_phases`):",
        "",
        "| of the traced up | value |",
        "| --- | --- |",
        *(
            f"| {name} | {value:.0f} |" if name in trace.UP_COUNTS else f"| {name} | {value:.2f} s |"
            for name, value in results.scale_trace.items()
        ),
        "",
        "### Goals",
        "",
        f"- No-change preview at most 8x `kubectl diff`: ours {_met(preview / kubectl_diff, GOALS['preview'])}; "
        f"with the fastest toolchain ({best}) "
        f"{_met(results.toolchains[best].median() / kubectl_diff, GOALS['preview'])}.",
        f"- `pulumi up` at most 3x `kubectl apply` plus the wait: {_met(up / kubectl_up, GOALS['up'])}.",
        f"- {largest} clusters at most 3x kubectl for the same objects: {_met(scale_ratio, GOALS['scale'])}.",
        "",
    ]


NODE_GOAL_SECONDS = 45.0


def node_section(results: dict[str, dict[str, Sample]], rounds: int) -> list[str]:
    cases = list(results)
    usable = results["up from empty"][realnode.MILESTONES[-1]].median()
    rows = [f"| {name} | " + " | ".join(results[case][name].cell() for case in cases) + " |" for name in realnode.MILESTONES]
    return [
        "## What a user waits for on the real node (dev)",
        "",
        f"`python -m tools.bench` (tools/bench/realnode.py), {rounds} rounds, each from empty on the local cluster's real "
        "node: `pulumi up` of dev until `GET /overview` (through the Kubernetes API) shows every slot, then a "
        "`taskManager.slots` change until the new TaskManagers' slots show. Seconds from the start of `pulumi up`, for "
        "the TaskManager that registered last; the pod's creation, image and container start are the API server's "
        "records (to the second), the JVM's first log line and the registration Flink's own log (to the millisecond).",
        "",
        "| milestone | " + " | ".join(cases) + " |",
        "| --- | " + " | ".join("---" for _ in cases) + " |",
        *rows,
        "",
        f"- dev usable within 45 s of `pulumi up` starting: {usable:.1f} s "
        f"({'met' if usable <= NODE_GOAL_SECONDS else 'not met'}).",
        "",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench")
    parser.add_argument("--quick", action="store_true", help="3 runs; no real engine, no test tiers")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--skip-tiers", action="store_true", help="do not time the test tiers")
    parser.add_argument("--skip-node", action="store_true", help="do not start the real node (it needs root)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    options = parser.parse_args()
    runs = options.runs or (3 if options.quick else 7)

    engine = None if options.quick else realengine.run(rounds=5, scale_sizes=(1, 10, 50), scale_rounds=3)
    node_rounds = 3
    node = None if options.quick or options.skip_node else realnode.run(rounds=node_rounds)

    stacks = {stack: stack_config(stack) for stack in STACKS}
    cases: dict[str, Callable[[], tuple[float, int]]] = {
        "floor": functools.partial(evaluate, "floor", {}, "dev"),
        "floor-generic": functools.partial(evaluate, "floor-generic", {}, "dev"),
    }
    for stack, config in stacks.items():
        cases[stack] = functools.partial(evaluate, "program", config, stack)
    program = interleaved(cases, runs)
    counts = (1, 10, 50, 100, 200)
    configs = {count: many_clusters(count) for count in counts}
    scaling_cases: dict[str, Callable[[], tuple[float, int]]] = {
        str(c): functools.partial(evaluate, "program", configs[c], "dev") for c in counts
    }
    scaling = interleaved(scaling_cases, max(3, runs // 2))
    points = [(c, scaling[str(c)].median()) for c in counts]
    per_cluster = slope(points)
    memory_points = [(c, statistics.median(scaling[str(c)].peak_kib) / 1024) for c in counts]
    tiers = {} if options.quick or options.skip_tiers else test_tiers()

    floor = program["floor"].median()
    generic = program["floor-generic"].median()
    lines = [
        "# Benchmarks",
        "",
        f"Produced by `python -m tools.bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Machine: {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}. "
        + ", ".join(f"{k} {v}" for k, v in versions().items())
        + ", Pulumi CLI and pulumi-resource-kubernetes from tools/toolchain/versions.env. Each figure: median "
        "(min–max) of interleaved runs: 5 rounds for the real engine, 3 for 50 clusters, "
        f"{runs} fresh processes under mocks. The real engine's copies of the program are byte-compiled first, as "
        "after a user's first run (this machine sets PYTHONDONTWRITEBYTECODE).",
        "",
    ]
    lines += engine_section(engine) if engine is not None else ["Real engine: skipped (`--quick`).", ""]
    lines += node_section(node, node_rounds) if node is not None else ["Real node: skipped (`--quick` or `--skip-node`).", ""]
    lines += [
        "## Program evaluation under mocks (preview)",
        "",
        "floor: import `pulumi` and `pulumi_kubernetes` and register one empty ConfigMap with the typed class "
        "`k8s.core.v1.ConfigMap`, under the same mocks. floor-generic: the same ConfigMap registered by type token "
        "(`pulumi.CustomResource`), which skips importing the `core/v1` API-group module, as the program does "
        "(`components/resources/cluster.py`, `KubernetesObject`).",
        "",
        "| case | wall time | ratio to floor | ratio to floor-generic | peak RSS |",
        "| --- | --- | --- | --- | --- |",
        *(
            f"| {name} | {sample.cell()} | {sample.median() / floor:.2f}x | {sample.median() / generic:.2f}x "
            f"| {sample.memory()} |"
            for name, sample in program.items()
        ),
        "",
        "## Scaling under mocks: clusters in one stack (`flink-session:clusters`, dev-sized clusters)",
        "",
        "| clusters | wall time | peak RSS |",
        "| --- | --- | --- |",
        *(f"| {c} | {scaling[str(c)].cell()} | {scaling[str(c)].memory()} |" for c in counts),
        "",
        f"Least-squares slope: **{per_cluster * 1000:.1f} ms per cluster** ({slope(memory_points):.2f} MiB per cluster). "
        "Marginal cost per added cluster between consecutive sizes: "
        + ", ".join(f"{a}→{b}: {(tb - ta) / (b - a) * 1000:.1f} ms" for (a, ta), (b, tb) in itertools.pairwise(points))
        + ".",
        "",
    ]
    lines += ["## Test suite", ""]
    if tiers:
        lines += ["| tier | wall time (one run) |", "| --- | --- |", *(f"| {k} | {v:.1f} s |" for k, v in tiers.items()), ""]
    else:
        lines += [
            "Not timed in this run (`--quick` or `--skip-tiers`); the closing CI run's times are in docs/development.md.",
            "",
        ]
    lines += ANALYSIS
    text = "\n".join(lines) + "\n"
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(text)
    print(text)
    return 0


# What the figures above mean; written from the measurements of the run described in
# the closing note of the engine issue, and rechecked whenever this file is regenerated.
ANALYSIS: list[str] = [
    "## Where the engine's time goes, and what was ours",
    "",
    "- **What was ours, and is fixed.** pulumi-kubernetes awaits a Service until its endpoints target Ready pods "
    "and then waits 10 s more after every endpoints change (`provider/pkg/await/service.go`: a settle timer). Both "
    "of our Services select the JobManager pods, whose readiness the JobManager Deployment's own await already "
    "proves, and nothing depends on a Service, so they carry `pulumi.com/skipAwait` (components/manifests/"
    "services.py). That took dev's `pulumi up` from 13.9 s (the figure measured when the engine first ran here: "
    "12.7x kubectl) to the row above. The remaining ordering edges are needed: every object waits for the "
    "Namespace it lives in, and the Deployments wait for the ConfigMap, ServiceAccount, RBAC and Secret their "
    "pods use (without them a pod would start and fail, and a replaced ConfigMap could be deleted before the "
    "Deployments moved off it). The Deployments' own await (Available) is what `pulumi up` is for.",
    "- **What is the engine's.** A no-change preview cannot come near `kubectl diff`: the CLI, the Python language "
    "host and the SDK with a program that registers nothing already take most of it (the `empty program` row). The "
    "trace shows why: before the program starts, the language host runs `python -m pip` twice (`About`, "
    "`GetRequiredPackages`), then Python and the SDK start; the Kubernetes provider's start and its connection to "
    "the cluster come next. The engine floor, the same objects through Pulumi's own `yaml/v2:ConfigGroup`, is no "
    "faster than ours for `up` or `preview`. Ours is the trace's `program evaluation` row, a few hundred "
    "milliseconds of imports and validation: removing all of it would still leave the preview above 8x "
    "`kubectl diff`, so the 8x target is below what the engine itself needs on this machine. Pulumi's `uv` "
    "toolchain reads `uv.lock` instead of running pip and would likely remove most of the language host's share; "
    "it changes how users install the program (uv, `pyproject.toml`, a lock file), so it is not used or measured "
    "here.",
    "- **Type tokens or typed classes.** The program registers each object by its provider type token "
    "(components/resources/kubernetes_object.py) instead of through pulumi-kubernetes' typed classes, which import a large "
    "generated module per API group. In a real preview that is still a visible share: the `typed classes` row is "
    "the same program with the typed classes. So the type-token registration stays; a mocks test shows both send "
    "the engine identical registrations.",
    "- **Many clusters.** 50 dev-sized clusters (500 objects) preview in about 5x the time of one, and `up` is "
    "dominated by the provider's per-object create and await, run with the engine's default parallelism.",
    "",
]


if __name__ == "__main__":
    raise SystemExit(main())
