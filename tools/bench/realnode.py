"""What a user waits for on the real node: from `pulumi up` of dev to every slot usable, and a slot change.

Each round, from empty, on the local cluster's real node (tools/localcluster/cluster.sh up,
the product's pods from the locally built images):
  up     `pulumi up --yes --skip-preview` of dev, then `GET /overview` through the Kubernetes
         API (as tools/overview.py does after `make up`) until it shows every slot;
  slots  `taskManager.slots` changed with `pulumi config set`, `pulumi up`, until /overview
         shows the new total from the new TaskManagers;
then `pulumi destroy`. The milestones, in seconds from the start of `pulumi up`, come from
the cluster's own records of the TaskManager that registered last: its pod's creation, the
kubelet's image events, its container's start (the API server keeps these to the second),
Flink's first log line and its "Successful registration at resource manager" line (to the
millisecond), and the moment /overview first showed the slots.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from components.jobs.access import RestAccess
from components.model.naming import TASKMANAGER, ClusterNames
from tools.bench.realengine import Kubectl, local_cluster, timed
from tools.bench.stats import Sample
from tools.engine import Toolchain, Workspace
from tools.overview import rest_access, wait_for_overview
from tools.stack_files import stack_config

STACK = "dev"
# Flink's console layout (components/flink/config_files.py): `2026-12-04 20:01:02,345 INFO ...`
_LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ")
_REGISTERED = "Successful registration at resource manager"

MILESTONES = (
    "pod created",
    "image ready (the kubelet's Pulled event)",
    "container started",
    "JVM: Flink's first log line",
    "TaskManager registered with the ResourceManager",
    "pulumi up returned",
    "/overview shows every slot",
)


def _api_time(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()


def _log_time(line: str) -> float | None:
    found = _LOG_TIME.match(line)
    if found is None:
        return None
    return datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=UTC).timestamp()


def _wait_for_slots(access: RestAccess, slots: int) -> float:
    """The wall-clock time at which /overview first showed `slots` slots in all, every one free."""
    wait_for_overview(
        access, lambda shown: shown.get("slots-total") == shown.get("slots-available") == slots, 300, f"{slots} free slots"
    )
    return time.time()


def _last_taskmanager(kubectl: Kubectl, names: ClusterNames, since: float) -> dict[str, float]:
    """The milestones of the TaskManager pod created after `since` that registered last."""
    namespace = names.namespace
    selector = ",".join(f"{key}={value}" for key, value in names.selector_labels(TASKMANAGER).items())
    pods = json.loads(kubectl("-n", namespace, "get", "pods", "-l", selector, "-o", "json").stdout)
    events = json.loads(kubectl("-n", namespace, "get", "events", "-o", "json").stdout)["items"]
    found = []
    for pod in pods["items"]:
        name = pod["metadata"]["name"]
        created = _api_time(pod["metadata"]["creationTimestamp"])
        if created < since - 1 or "deletionTimestamp" in pod["metadata"]:
            continue
        started = min(_api_time(s["state"]["running"]["startedAt"]) for s in pod["status"]["containerStatuses"])
        pulled = [
            _api_time(e.get("lastTimestamp") or e["eventTime"][:19] + "Z")
            for e in events
            if e["involvedObject"].get("name") == name and e["reason"] == "Pulled"
        ]
        lines = kubectl("-n", namespace, "logs", name).stdout.splitlines()
        stamped = [(t, line) for line in lines if (t := _log_time(line)) is not None]
        registered = next(t for t, line in stamped if _REGISTERED in line)
        found.append(
            {
                MILESTONES[0]: created,
                MILESTONES[1]: max(pulled) if pulled else created,
                MILESTONES[2]: started,
                MILESTONES[3]: stamped[0][0],
                MILESTONES[4]: registered,
            }
        )
    if not found:
        raise SystemExit(f"bench: no TaskManager pod in {namespace} was created by this round")
    return max(found, key=lambda milestones: milestones[MILESTONES[4]])


def _round(workspace: Workspace, kubectl: Kubectl, names: ClusterNames, access: RestAccess, slots: int) -> dict[str, float]:
    start = time.time()
    engine = timed(lambda: workspace.cli("up", "--yes", "--skip-preview", stack=STACK))
    usable = _wait_for_slots(access, slots)
    milestones = {name: at - start for name, at in _last_taskmanager(kubectl, names, start).items()}
    return {**milestones, MILESTONES[5]: engine, MILESTONES[6]: usable - start}


def run(rounds: int) -> dict[str, dict[str, Sample]]:
    """Per case (`up from empty`, `slot change`): milestone -> seconds from the start of `pulumi up`."""
    toolchain = Toolchain.load()
    cluster = stack_config(STACK)["cluster"]
    replicas = int(cluster["taskManager"].get("replicas", 1))
    slots = int(cluster["taskManager"]["slots"])
    names = ClusterNames(cluster=cluster["name"], namespace=cluster["namespace"])
    results: dict[str, dict[str, Sample]] = {"up from empty": {}, "slot change": {}}
    with (
        local_cluster(kwok_only=False) as (kubeconfig, kubectl_binary),
        tempfile.TemporaryDirectory(prefix="bench-node-") as scratch,
    ):
        kubectl = Kubectl(kubectl_binary, kubeconfig)
        access = rest_access(names.cluster, names.namespace, kubeconfig=str(kubeconfig))
        workspace = Workspace.copy_of_project(Path(scratch) / "ours", toolchain, kubeconfig, Path(sys.prefix))
        workspace.add_stack(STACK)
        for _ in range(rounds):
            for case, total in (("up from empty", replicas * slots), ("slot change", replicas * (slots + 1))):
                if case == "slot change":
                    workspace.config_set(STACK, "cluster.taskManager.slots", str(slots + 1))
                for name, seconds in _round(workspace, kubectl, names, access, total).items():
                    results[case].setdefault(name, Sample()).seconds.append(seconds)
            workspace.destroy(STACK)
            workspace.config_set(STACK, "cluster.taskManager.slots", str(slots))
    return results


if __name__ == "__main__":  # a quick look: `python -m tools.bench.realnode`
    print(json.dumps({c: {m: s.seconds for m, s in ms.items()} for c, ms in run(rounds=1).items()}, indent=2))
