"""The SQL Gateway, started from its rendered Deployment and config.yaml, runs SQL on a real session cluster.

For each Flink line (2.2.1: the dev stack with the smallest gateway the component
accepts; 1.20.4: the staging stack as committed, HA and RocksDB included, whose gateway
jar is 1.20.3, see tools/flink_dist.py) a session cluster boots on loopback from the
rendered config.yaml (`harness.session_cluster`) and the gateway starts from its
Deployment's own command line and JVM_ARGS through the release's scripts
(`sql_gateway.sql_gateway`). Then, over the gateway's REST API as a client would:
open a session, `CREATE TABLE` a bounded datagen source and a blackhole sink, `INSERT`
(the job runs on the session cluster, at its parallelism, and FINISHES), `SELECT
COUNT(*)` (rows come back through the gateway), close the session. The gateway's JVM
runs with the heap the component computed from the container limit.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from components.flink.config_files import CONFIG_FILE, render_config_files
from components.flink.jvm_memory import smallest_jvm_memory
from components.model.cluster import Cluster
from components.resolution import parse_stack_config
from tests.flink.conftest import home_for
from tests.support.config import stack_cluster, stack_config
from tests.support.flink import rest_get, session_cluster, wait_for
from tests.support.sql_gateway import final_value, gateway_home, run_statement, sql_gateway

ROWS = 1000


def dev_with_the_smallest_gateway() -> Cluster:
    config = stack_config("dev")
    config["cluster"]["sqlGateway"] = {"cpu": "250m", "memory": f"{smallest_jvm_memory() // 2**20}Mi"}
    (resolution,) = parse_stack_config(config)
    return resolution.cluster


def staging() -> Cluster:
    return stack_cluster("staging")


CASES: dict[str, Callable[[], Cluster]] = {"2.2.1": dev_with_the_smallest_gateway, "1.20.4": staging}


@pytest.mark.parametrize("version", CASES)
def test_sql_gateway_runs_statements_as_jobs_on_the_session_cluster(
    version: str, flink_homes: dict[str, Path], tmp_path: Path
) -> None:
    cluster = CASES[version]()
    assert str(cluster.flink_version) == version and cluster.sql_gateway is not None
    home = home_for(flink_homes, version)
    config_yaml = render_config_files(cluster)[CONFIG_FILE]
    with (
        session_cluster(home, config_yaml, cluster.task_manager.replicas, tmp_path / "cluster") as running,
        sql_gateway(cluster, gateway_home(version, tmp_path), running.rest_port, tmp_path) as gateway,
    ):
        assert gateway.get("/v1/info") == {"productName": "Apache Flink", "version": version}
        # the JVM was sized by the component, through JVM_ARGS and the release's scripts
        command_line = Path(f"/proc/{gateway_jvm(gateway.process.pid)}/cmdline").read_bytes().split(b"\0")
        assert f"-Xmx{cluster.sql_gateway.layout.heap}".encode() in command_line

        session = gateway.post("/v1/sessions", {"sessionName": "test"})["sessionHandle"]
        source = f"CREATE TABLE src (n BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '{ROWS}')"
        assert run_statement(gateway, session, source).rows == [{"kind": "INSERT", "fields": ["OK"]}]
        sink = "CREATE TABLE sink (n BIGINT) WITH ('connector' = 'blackhole')"
        assert run_statement(gateway, session, sink).rows == [{"kind": "INSERT", "fields": ["OK"]}]

        insert = run_statement(gateway, session, "INSERT INTO sink SELECT n FROM src")
        assert insert.job_id is not None and insert.rows == [{"kind": "INSERT", "fields": [insert.job_id]}]
        job = wait_for(
            lambda: (j := rest_get(running.rest_port, f"/jobs/{insert.job_id}"))["state"] in ("FINISHED", "FAILED") and j,
            timeout=240,
            what="the INSERT job to end on the session cluster",
        )
        assert job["state"] == "FINISHED", job
        assert job["name"] == "insert-into_default_catalog.default_database.sink"
        # the cluster's parallelism.default reached the job
        assert max(v["parallelism"] for v in job["vertices"]) == cluster.parallelism

        select = run_statement(gateway, session, "SELECT COUNT(*) FROM src")
        assert final_value(select.rows) == ROWS
        assert select.job_id in {j["jid"] for j in rest_get(running.rest_port, "/jobs/overview")["jobs"]}
        assert gateway.delete(f"/v1/sessions/{session}") == {"status": "CLOSED"}


def gateway_jvm(script_pid: int) -> int:
    """sql-gateway.sh execs flink-console.sh, which execs java: the same process id ends up running the JVM."""
    wait_for(lambda: b"SqlGateway" in Path(f"/proc/{script_pid}/cmdline").read_bytes(), timeout=30, what="the JVM")
    return script_pid


def test_the_cases_cover_both_lines_and_a_gateway_under_ha() -> None:
    clusters = [make() for make in CASES.values()]
    assert {c.flink_version.is_2x for c in clusters} == {True, False}
    assert any(c.high_availability is not None for c in clusters)
    assert any(c.sql_gateway is not None and c.sql_gateway.memory_bytes == smallest_jvm_memory() for c in clusters)
