"""A real SQL Gateway on loopback, started from what the component renders, and a small client for its REST API.

The gateway is started the way its pod starts it: the rendered Deployment's own args
(`/opt/flink/bin/sql-gateway.sh start-foreground -D...`) and its `JVM_ARGS`, through the
release's own scripts (`tools.images.flink_scripts`: the same `bin/` the local images
carry) on a Flink home of the PyPI jars plus the gateway jar (`tools.flink_dist`), with
the rendered config.yaml as its conf directory. Only what must differ on one machine is
changed, as in `harness.session_cluster`: `/opt/flink` is that home, `$(POD_IP)` is
127.0.0.1, and -D properties appended after the rendered ones (later wins) bind it to
127.0.0.1 on a free port, point `rest.address`/`rest.port` at the loopback cluster
instead of the REST Service, and turn object-store paths into local directories.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.flink.config_files import render_config_files
from components.manifests.sql_gateway import sql_gateway_deployment
from components.model.cluster import Cluster
from components.model.paths import FLINK_HOME
from tests.support.flink import free_port, loopback_state_overrides, rest_get, wait_for
from tools.flink_dist import flink_home, sql_gateway_jar
from tools.images.flink_scripts import flink_scripts

POD_IP = "$(POD_IP)"
LOOPBACK = "127.0.0.1"


def gateway_home(version: str, workdir: Path) -> Path:
    """A Flink home laid out like the image's: the release's bin/ scripts, and lib/, opt/, plugins/ of the jars.

    Real directories of symlinks: the scripts `find` jars in lib/ and opt/, and find
    does not descend into a directory that is itself a symlink.
    """
    jars = flink_home(version)
    sql_gateway_jar(version)
    home = workdir / "flink-home"
    shutil.copytree(flink_scripts(version) / "bin", home / "bin")
    (home / "bin" / "bash-java-utils.jar").symlink_to(jars / "bin" / "bash-java-utils.jar")
    for part in ("lib", "opt", "plugins"):
        shutil.copytree(jars / part, home / part, copy_function=os.symlink)
    return home


@dataclass
class GatewayClient:
    """The SQL Gateway's REST API on a loopback port (its own, or a `kubectl port-forward`)."""

    port: int

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            f"http://{LOOPBACK}:{self.port}{path}",
            data=json.dumps(body or {}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())

    def delete(self, path: str) -> Any:
        request = urllib.request.Request(f"http://{LOOPBACK}:{self.port}{path}", method="DELETE")
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def get(self, path: str) -> Any:
        return rest_get(self.port, path)


@dataclass
class RunningGateway(GatewayClient):
    process: subprocess.Popen[bytes]
    log: Path


def _loopback(value: str, home: Path) -> str:
    return value.replace(FLINK_HOME, str(home)).replace(POD_IP, LOOPBACK)


@contextmanager
def sql_gateway(cluster: Cluster, home: Path, cluster_rest_port: int, workdir: Path) -> Iterator[RunningGateway]:
    """The cluster's SQL Gateway, as its Deployment renders it, against a loopback session cluster."""
    manifest = sql_gateway_deployment(cluster, "config")
    assert manifest is not None, "the cluster has no sqlGateway"
    (container,) = manifest["spec"]["template"]["spec"]["containers"]
    conf = workdir / "gateway-conf"
    conf.mkdir(parents=True)
    files = render_config_files(cluster)
    for name, text in files.items():
        (conf / name).write_text(text)
    (workdir / "gateway-tmp").mkdir()
    port = free_port()
    overrides = {
        "sql-gateway.endpoint.rest.bind-address": LOOPBACK,
        "sql-gateway.endpoint.rest.port": str(port),
        "sql-gateway.endpoint.rest.bind-port": str(port),
        "rest.address": LOOPBACK,
        "rest.port": str(cluster_rest_port),
        "io.tmp.dirs": str(workdir / "gateway-tmp"),
        **loopback_state_overrides(files["config.yaml"], workdir / "gateway"),
    }
    args = [_loopback(arg, home) for arg in container["args"]] + [f"-D{key}={value}" for key, value in overrides.items()]
    rendered_env = {e["name"]: e["value"] for e in container["env"] if "value" in e}
    env = {
        **os.environ,
        "JVM_ARGS": rendered_env["JVM_ARGS"],
        "FLINK_CONF_DIR": str(conf),
        # env.log.dir and the pid dir of config.yaml are the pod's volumes
        "FLINK_LOG_DIR": str(workdir / "gateway-log"),
        "FLINK_PID_DIR": str(workdir / "gateway-tmp"),
    }
    log = workdir / "gateway.out"
    with log.open("wb") as out:
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
    gateway = RunningGateway(port=port, process=process, log=log)
    try:
        wait_for(lambda: process.poll() is None and gateway.get("/v1/info"), timeout=180, what="the SQL Gateway's REST API")
        yield gateway
    except BaseException:
        print(f"----- gateway.out (last 60 lines) -----\n{chr(10).join(log.read_text(errors='replace').splitlines()[-60:])}")
        raise
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class Statement:
    rows: list[dict[str, Any]]
    job_id: str | None


def run_statement(gateway: GatewayClient, session: str, statement: str, timeout: float = 240) -> Statement:
    """Submit one statement and fetch every page of its result (following nextResultUri until EOS)."""
    operation = gateway.post(f"/v1/sessions/{session}/statements", {"statement": statement})["operationHandle"]
    rows: list[dict[str, Any]] = []
    job_id: str | None = None
    uri: str | None = f"/v1/sessions/{session}/operations/{operation}/result/0"
    deadline = time.monotonic() + timeout
    while uri is not None:
        assert time.monotonic() < deadline, f"{statement}: no end of results after {timeout}s"
        page = gateway.get(uri)
        if page.get("resultType") == "NOT_READY":
            time.sleep(0.5)
            continue
        rows += page.get("results", {}).get("data", [])
        job_id = page.get("jobID") or job_id
        uri = None if page.get("resultType") == "EOS" else page.get("nextResultUri")
    return Statement(rows, job_id)


def final_value(rows: list[dict[str, Any]]) -> Any:
    """A one-row streaming result's last value: the changelog's last INSERT or UPDATE_AFTER."""
    values = [row["fields"][0] for row in rows if row["kind"] in ("INSERT", "UPDATE_AFTER")]
    return values[-1] if values else None
