"""The benchmark's reading of the engine's own trace, on a real `pulumi preview --otel-traces` of dev.

`tools/bench/trace.py` splits a no-change preview into the engine's phases from the
OpenTelemetry spans the CLI, the language host, the SDK and the provider write. The
span names and attributes it relies on belong to the pinned engine, so this checks them
on a real trace: the seven sequential phases add up to the whole command, each is a real share of it, and
the provider calls it counts are the diffs of exactly the custom resources the program
registers: its Kubernetes objects and its dynamic resources (the TaskManager scaling guard).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.bench.trace import phases, read_spans
from tools.engine import Workspace

STACK = "dev"


def test_phases_of_a_real_no_change_preview(workspace: Workspace, tmp_path: Path) -> None:
    workspace.add_stack(STACK)
    workspace.up(STACK)
    custom = ("$kubernetes:", "$pulumi-python:dynamic:")
    objects = len([urn for urn in workspace.urns(STACK) if any(kind in urn.split("::")[2] for kind in custom)])
    trace = tmp_path / "preview.json"

    workspace.cli("preview", "--expect-no-changes", "--otel-traces", f"file://{trace}", stack=STACK)

    spans = read_spans(trace)
    found = phases(spans)
    sequential = list(found.values())[:7]
    assert sum(sequential) == pytest.approx(found["whole command"], abs=1e-6)
    assert all(seconds > 0 for seconds in sequential), found
    overlapping = found["provider start, registrations, checks and diffs"]
    assert (
        0
        < found["of which: provider process start"] + found["of which: provider Configure (connects to the cluster)"]
        < overlapping
    )
    assert found["of which: object diffs, summed"] > 0, found
    diffs = [s for s in spans if s.service == "pulumi-cli" and s.name == "pulumirpc.ResourceProvider/Diff"]
    assert len(diffs) == objects, (len(diffs), objects)
