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
from typing import Any

from components.jobs.access import RestAccess, rest_api
from components.jobs.rest import FlinkError
from components.model import ports
from components.model.naming import JOBMANAGER, ClusterNames

WAIT_SECONDS = 180


def overview(name: str, summary: dict[str, Any]) -> dict[str, Any]:
    """The cluster's /overview once every slot of the stack has registered (FlinkError after WAIT_SECONDS)."""
    names = ClusterNames(cluster=name, namespace=summary["namespace"])
    selector = ",".join(f"{key}={value}" for key, value in names.selector_labels(JOBMANAGER).items())
    access = RestAccess(cluster=name, namespace=summary["namespace"], selector=selector, port=ports.REST)
    deadline = time.monotonic() + WAIT_SECONDS
    last: dict[str, Any] = {}
    while time.monotonic() < deadline:
        try:
            with rest_api(access) as rest:
                last = rest.overview()
        except FlinkError:
            last = {}
        if last.get("slots-total") == summary["totalSlots"]:
            return last
        time.sleep(2)
    raise FlinkError(f"cluster {name}: GET /overview did not show {summary['totalSlots']} slots within {WAIT_SECONDS} s: {last}")


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
