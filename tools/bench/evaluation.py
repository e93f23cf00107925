"""Program evaluation under Pulumi mocks, each run a fresh Python process: the program against two floors.

floor: import `pulumi` and `pulumi_kubernetes` and register one empty typed ConfigMap;
floor-generic: the same by type token (no API-group module import).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

# One evaluation in a fresh process: the program (or the floor) under Pulumi mocks.
# Prints wall seconds (from before the first import) and peak RSS in KiB.
_EVALUATE = r"""
import time
start = time.perf_counter()
import json, resource, runpy, sys
mode, payload = sys.argv[1], sys.argv[2]
import pulumi

class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        outputs = dict(args.inputs)
        metadata = dict(outputs.get("metadata") or {})
        if args.typ.startswith("kubernetes:") and "name" not in metadata:
            metadata["name"] = args.name + "-mock1234"
            outputs["metadata"] = metadata
        return args.name + "-id", outputs
    def call(self, args):
        return {}, None

pulumi.runtime.set_mocks(Mocks(), project="flink-session", stack=sys.argv[3], preview=True)

@pulumi.runtime.test
def evaluate():
    if mode == "floor":
        import pulumi_kubernetes as k8s
        k8s.core.v1.ConfigMap("empty")
    elif mode == "floor-generic":
        import pulumi_kubernetes
        pulumi.CustomResource("kubernetes:core/v1:ConfigMap", "empty", {"apiVersion": "v1", "kind": "ConfigMap"})
    else:
        pulumi.runtime.set_all_config({"flink-session:" + k: json.dumps(v) for k, v in json.loads(payload).items()})
        runpy.run_path("__main__.py", run_name="__main__")

evaluate()
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def evaluate(mode: str, config: dict[str, Any], stack: str) -> tuple[float, int]:
    result = subprocess.run(
        [PYTHON, "-c", _EVALUATE, mode, json.dumps(config), stack], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"bench: {mode} {stack} failed:\n{result.stderr[-3000:]}")
    seconds, peak = result.stdout.split()[-2:]
    return float(seconds), int(peak)


def stack_config(stack: str) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from tests.support import stack_config as load  # noqa: PLC0415 - decrypts the example secrets

    return load(stack)


def many_clusters(count: int) -> dict[str, Any]:
    base = stack_config("dev")["cluster"]
    clusters = []
    for index in range(count):
        cluster = json.loads(json.dumps(base))
        cluster["name"] = f"team-{index:03d}"
        cluster["namespace"] = f"flink-team-{index:03d}"
        clusters.append(cluster)
    return {"clusters": clusters}
