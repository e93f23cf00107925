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
        "unit + mocks + scan + policy (`-m 'not flink and not e2e and not node and not pods and not faults' -n 2`)": [
            "-m",
            "not flink and not e2e and not node and not pods and not faults",
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
        "differ only in the toolchain, all in one runtime virtualenv made from one `uv lock` of pyproject.toml's runtime pins "
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
    parser.add_argument("--engine-rounds", type=int, default=5, help="rounds of the real engine's cases")
    parser.add_argument("--scale-rounds", type=int, default=3, help="rounds of 1, 10 and 50 clusters")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    options = parser.parse_args()
    runs = options.runs or (3 if options.quick else 7)

    node_rounds = 3
    node = None if options.quick or options.skip_node else realnode.run(rounds=node_rounds)
    engine = (
        None
        if options.quick
        else realengine.run(rounds=options.engine_rounds, scale_sizes=(1, 10, 50), scale_rounds=options.scale_rounds)
    )

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
        f"(min–max) of interleaved runs: {options.engine_rounds} rounds for the real engine, {options.scale_rounds} for "
        "1, 10 and 50 clusters, "
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
    lines += analysis(engine, node)
    text = "\n".join(lines) + "\n"
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(text)
    print(text)
    return 0


def analysis(engine: realengine.EngineResults | None, node: dict[str, dict[str, Sample]] | None) -> list[str]:
    """What the figures mean: the mechanisms, read from the sources and the traces, with this run's numbers."""
    lines = ["## Where the time goes, and what was ours", ""]
    if engine is not None:
        phases = engine.phases
        pip, uv = phases[toolchains.PIP], phases[toolchains.UV_SYNC]

        def host(of: dict[str, Sample]) -> float:
            return of[trace.ABOUT].median() + of[trace.REQUIRED_PACKAGES].median()

        saved = engine.toolchains[toolchains.PIP].median() - engine.toolchains[toolchains.UV_SYNC].median()
        ours = phases[realengine.OURS]
        before_program = host(ours) + ours["Python start and the SDK, to its first request"].median()
        largest = max(engine.scale)
        up_trace = engine.scale_trace
        creates_wall = up_trace["provider creates, wall time with at least one running"]
        program_run = next(seconds for name, seconds in up_trace.items() if name.startswith("program run"))
        provider = sum(
            ours[name].median() for name in ours if name.startswith(("of which: provider process", "of which: provider Conf"))
        )
        lines += [
            "- **The language host's toolchain: ours, and changed.** With `pip`, Pulumi's Python language host runs "
            "`python -m pip --version` and `python -m pip list` before any code of ours "
            f"(`About` and `GetRequiredPackages`: {host(pip):.2f} s in the trace). With `uv` it reads `uv.lock` and "
            f"runs `uv sync --inexact`, a no-op when `.venv` matches the lock ({host(uv):.2f} s). Interleaved, that "
            f"takes {saved:.2f} s off every preview. The sync costs "
            f"{engine.toolchains[toolchains.UV_SYNC].median() - engine.toolchains[toolchains.UV_LOCK_ONLY].median():.2f} s "
            "of what uv could save: a lock without `pyproject.toml` would skip it, but `pulumi about` then cannot list "
            "the direct dependencies and the lock would have no source of its own. "
            "So the checkout uses uv whenever `make venv` made a lock (docs/development.md#dependencies); the lock "
            "names the index it came from, so it is made locally and not committed, and pip users keep pip.",
            "- **What is the engine's.** In ours, "
            f"{before_program:.2f} s pass before our program's first line (language host, Python start, the SDK's "
            f"imports and its connection to the engine); then our evaluation ({ours[trace.EVALUATION].median():.2f} s: "
            "importing the schema and the component, validating the stack, building the manifests), the provider's "
            f"start and connection ({provider:.2f} s), "
            f"{engine.resources_per_cluster} diffs ({ours[trace.DIFFS].median() * 1000:.0f} ms in all), the exits and "
            "the CLI's own work (state, plan, output). The `empty program` row is the floor: the CLI, the language "
            "host and the SDK with nothing registered.",
            "- **Many clusters.** The traced "
            f"{largest}-cluster `pulumi up` takes {up_trace[trace.WHOLE]:.1f} s: the program's run (the language host's "
            f"`Run`, registrations included) {program_run:.1f} s, "
            f"the first create after {up_trace['from the start to the first create']:.1f} s, and "
            f"{up_trace['provider creates']:.0f} creates that sum to {up_trace['provider creates, summed']:.1f} s but "
            f"overlap, at most {up_trace['provider creates, most at once']:.0f} at once, over {creates_wall:.1f} s: "
            f"creates run during only {creates_wall / up_trace[trace.WHOLE]:.0%} of the command, and what fills the "
            "rest (the provider's checks and diffs, the dynamic resources' calls, the SDK's registrations) is not "
            "split out yet. "
            "Each object waits only for what it needs (its Namespace; the Deployments for the ConfigMap, "
            "ServiceAccount, RBAC and Secret their pods use, and the scaling guard); the Services skip the "
            "provider's await (`pulumi.com/skipAwait`, components/manifests/services.py: the JobManager "
            "Deployment's Available already proves their endpoints, and the await adds a 10 s settle timer). The "
            "Deployments' await for Available is what `pulumi up` is for.",
            "- **Type tokens or typed classes.** The program registers each object by its provider type token "
            "(components/resources/kubernetes_object.py) instead of pulumi-kubernetes' typed classes, which import a "
            "large generated module per API group: the `typed classes` row is the same program with them.",
        ]
    if node is not None:
        up = node["up from empty"]
        first = realnode.MILESTONES
        lines += [
            "- **On the real node.** From `pulumi up` of dev, the last TaskManager's pod exists after "
            f"{up[first[0]].median():.1f} s, its container starts at {up[first[2]].median():.1f} s, Flink logs its "
            f"first line at {up[first[3]].median():.1f} s and registers at {up[first[4]].median():.1f} s; "
            f"`pulumi up` returns at {up[first[5]].median():.1f} s (both Deployments Available: the probes' first "
            f"success) and /overview shows every slot at {up[first[6]].median():.1f} s. The JVM's start, from the "
            "container to Flink's first log line and on to the registration, is Flink's own.",
        ]
    return [*lines, ""]


if __name__ == "__main__":
    raise SystemExit(main())
