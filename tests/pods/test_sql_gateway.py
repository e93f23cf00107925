"""The SQL Gateway in a real pod beside a real session cluster, deployed by the real `pulumi up`.

The `sqlgw` test stack (a JobManager, a TaskManager and a gateway, small requests) goes
up on the local real node, as committed (Flink 2.2.1) and with flinkVersion 1.20.4
(whose image carries the 1.20.3 gateway jar). `pulumi up` returns only when the
gateway's Deployment is Available, i.e. its pod passed its own startup and readiness
probes on `GET /v1/info`. The pod runs on the real node as UID 9999, cannot write to
`/`, and its JVM has the heap the stack reports. Then, as docs/sql-gateway.md says, through
`kubectl port-forward` to the gateway's Service (the `sqlGatewayPortForward` output):
open a session, `CREATE TABLE` datagen and blackhole, `INSERT` (the job appears on the
session cluster, seen through the REST Service, and FINISHES), `SELECT COUNT(*)` (the
rows come back through the gateway, which fetched them from the JobManager's REST
API through the REST Service that config.yaml names).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.flink import rest_get, wait_for
from tests.support.kube import Kube
from tests.support.sql_gateway import GatewayClient, final_value, run_statement
from tools.engine import Workspace

STACK = "sqlgw"
STACK_FILE = Path(__file__).parent / "stacks" / f"Pulumi.{STACK}.yaml"
REAL_NODE = "real-node"
ROWS = 1000


def service_of(port_forward: str) -> str:
    """`svc/<name>` from a `kubectl port-forward` command (the stack's portForward outputs)."""
    return next(word for word in port_forward.split() if word.startswith("svc/"))


def running_pods(kube: Kube, namespace: str, component: str) -> list[dict[str, Any]]:
    pods = kube.get("pods", "-n", namespace, "-l", f"app.kubernetes.io/component={component}")["items"]
    return [p for p in pods if "deletionTimestamp" not in p["metadata"]]


@pytest.mark.parametrize("version", ["2.2.1", "1.20.4"])
def test_the_gateway_pod_runs_sql_as_jobs_on_the_session_cluster(kube: Kube, workspace: Workspace, version: str) -> None:
    text = STACK_FILE.read_text().replace('flinkVersion: "2.2.1"', f'flinkVersion: "{version}"')
    workspace.add_stack(STACK, text)
    workspace.up(STACK)
    outputs = workspace.outputs(STACK)
    summary: dict[str, Any] = outputs["cluster"]
    namespace = summary["namespace"]
    assert summary["flinkVersion"] == version
    assert outputs["sqlGatewayEndpoint"] == f"http://sqlgw-sql-gateway.{namespace}.svc:8083"

    (pod,) = running_pods(kube, namespace, "sql-gateway")
    name = pod["metadata"]["name"]
    assert pod["spec"]["nodeName"] == REAL_NODE
    assert {c["type"]: c["status"] for c in pod["status"]["conditions"]}["Ready"] == "True"
    assert pod["status"]["containerStatuses"][0]["restartCount"] == 0
    assert kube.exec(namespace, name, "id", "-u").stdout.strip() == "9999"
    write = kube.exec(namespace, name, "touch", "/written-by-a-test")
    assert write.returncode != 0 and "Read-only file system" in write.stderr, (write.stdout, write.stderr)
    # PID 1 is the JVM: the entrypoint and both scripts exec; JVM_ARGS carried the heap the stack reports
    command_line = kube.exec(namespace, name, "cat", "/proc/1/cmdline").stdout.split("\0")
    assert "org.apache.flink.table.gateway.SqlGateway" in command_line
    heap = summary["sqlGatewayMemory"]["jvmFlags"].split()[0]
    assert heap in command_line, command_line

    with (
        kube.port_forward(namespace, service_of(summary["sqlGatewayPortForward"]), 8083) as gateway_port,
        kube.port_forward(namespace, service_of(summary["portForward"]), 8081) as rest_port,
    ):
        gateway = GatewayClient(gateway_port)
        assert gateway.get("/v1/info") == {"productName": "Apache Flink", "version": version}
        wait_for(lambda: rest_get(rest_port, "/overview")["slots-total"] == summary["totalSlots"], 240, "the TaskManager's slots")
        session = gateway.post("/v1/sessions", {"sessionName": "pods"})["sessionHandle"]
        source = f"CREATE TABLE src (n BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '{ROWS}')"
        run_statement(gateway, session, source)
        run_statement(gateway, session, "CREATE TABLE sink (n BIGINT) WITH ('connector' = 'blackhole')")
        insert = run_statement(gateway, session, "INSERT INTO sink SELECT n FROM src", timeout=300)
        assert insert.job_id is not None
        job = wait_for(
            lambda: (j := rest_get(rest_port, f"/jobs/{insert.job_id}"))["state"] in ("FINISHED", "FAILED") and j,
            timeout=300,
            what="the INSERT job to end on the session cluster",
        )
        assert job["state"] == "FINISHED", job
        assert max(v["parallelism"] for v in job["vertices"]) == summary["parallelism"]
        select = run_statement(gateway, session, "SELECT COUNT(*) FROM src", timeout=300)
        assert final_value(select.rows) == ROWS
        gateway.delete(f"/v1/sessions/{session}")
