"""After `make up`: each cluster's `GET /overview`, through the Kubernetes API, until it shows the stack's slots.

Reads the stack's `clusters` output (JSON on stdin, as `pulumi stack output --json
clusters` prints it) and reaches each REST API the way the job resources do
(components/jobs/access.py: a port-forward to a JobManager pod with the ambient
kubeconfig), so `make up` needs no kubectl. Prints one line per cluster; exits 1 if a
cluster does not show its slots within the wait.

    pulumi stack output --json clusters | python -m tools.overview
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

from components.jobs.access import RestAccess, rest_api
from components.jobs.rest import FlinkError
from components.model import ports
from components.model.naming import JOBMANAGER, ClusterNames

WAIT_SECONDS = 180


def rest_access(name: str, namespace: str, kubeconfig: str | None = None) -> RestAccess:
    """How the job resources reach cluster `name`'s REST API: its JobManager pods, through the Kubernetes API."""
    names = ClusterNames(cluster=name, namespace=namespace)
    selector = ",".join(f"{key}={value}" for key, value in names.selector_labels(JOBMANAGER).items())
    return RestAccess(cluster=name, namespace=namespace, selector=selector, port=ports.REST, kubeconfig=kubeconfig)


def wait_for_overview(access: RestAccess, done: Callable[[dict[str, Any]], bool], timeout: float, what: str) -> dict[str, Any]:
    """GET /overview until `done` says it shows `what` (FlinkError after `timeout` s); unreachable is not yet."""
    deadline = time.monotonic() + timeout
    last: dict[str, Any] = {}
    while time.monotonic() < deadline:
        try:
            with rest_api(access) as rest:
                last = rest.overview()
        except FlinkError:
            last = {}
        if done(last):
            return last
        time.sleep(0.5)
    raise FlinkError(f"cluster {access.cluster}: GET /overview did not show {what} within {timeout:.0f} s: {last}")


def overview(name: str, summary: dict[str, Any]) -> dict[str, Any]:
    """The cluster's /overview once every slot of the stack has registered (FlinkError after WAIT_SECONDS)."""
    slots = summary["totalSlots"]
    access = rest_access(name, summary["namespace"])
    return wait_for_overview(access, lambda shown: shown.get("slots-total") == slots, WAIT_SECONDS, f"{slots} slots")


def main() -> int:
    clusters: dict[str, dict[str, Any]] = json.load(sys.stdin)
    for name, summary in clusters.items():
        try:
            shown = overview(name, summary)
        except FlinkError as error:
            print(f"flink-session: {error} (kubectl -n {summary['namespace']} get pods)", file=sys.stderr)
            return 1
        print(f"flink-session: cluster {name}: GET /overview -> {json.dumps(shown, separators=(',', ':'))}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
