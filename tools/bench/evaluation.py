"""Program evaluation under Pulumi mocks, each run a fresh Python process: the program against two floors.

floor: import `pulumi` and `pulumi_kubernetes` and register one empty typed ConfigMap;
floor-generic: the same by type token (no API-group module import). All three use the
mocks harness of `tools.mocks`, as the mocks tests do.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tools.stack_files import PROJECT, stack_config

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

# One evaluation in a fresh process; prints wall seconds (from before the first import) and peak RSS in KiB.
_EVALUATE = r"""
import time
start = time.perf_counter()
import resource, sys
from tools.bench.evaluation import run_mode
run_mode(*sys.argv[1:4])
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def run_mode(mode: str, payload: str, stack: str) -> None:
    """In the fresh process: the program (mode `program`) or one of the floors, under the mocks harness."""
    import pulumi  # noqa: PLC0415 - timed: the import is part of what is measured

    from tools.mocks import evaluate, program_mocks  # noqa: PLC0415

    if mode == "program":
        evaluate(json.loads(payload), stack)
        return
    pulumi.runtime.set_mocks(program_mocks(), project=PROJECT, stack=stack, preview=True)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def floor() -> None:
        if mode == "floor":
            import pulumi_kubernetes as k8s  # noqa: PLC0415

            k8s.core.v1.ConfigMap("empty")
        else:
            import pulumi_kubernetes  # noqa: F401, PLC0415 - the package root, as the program imports it

            pulumi.CustomResource("kubernetes:core/v1:ConfigMap", "empty", {"apiVersion": "v1", "kind": "ConfigMap"})

    floor()


def evaluate(mode: str, config: dict[str, Any], stack: str) -> tuple[float, int]:
    result = subprocess.run(
        [PYTHON, "-c", _EVALUATE, mode, json.dumps(config), stack], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"bench: {mode} {stack} failed:\n{result.stderr[-3000:]}")
    seconds, peak = result.stdout.split()[-2:]
    return float(seconds), int(peak)


def many_clusters(count: int) -> dict[str, Any]:
    base = stack_config("dev")["cluster"]
    clusters = []
    for index in range(count):
        cluster = json.loads(json.dumps(base))
        cluster["name"] = f"team-{index:03d}"
        cluster["namespace"] = f"flink-team-{index:03d}"
        clusters.append(cluster)
    return {"clusters": clusters}
