"""Real Flink on loopback for the test suite: the memory oracle and session clusters.

Flink processes are started the way the official image's scripts start them: JVM
flags from BashJavaUtils, then the standalone entrypoints with `--configDir` and
`-D` dynamic properties.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from components.jobs.rest import FlinkRest, JarRun

JAVA_SOURCES = Path(__file__).parent / "java"
RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:"


def classpath(home: Path) -> str:
    return f"{home / 'bin' / 'bash-java-utils.jar'}:{home / 'lib'}/*"


def compile_java(home: Path, source: str, out: Path) -> Path:
    """Compile one of tests/support/java against this Flink's jars; return the class directory."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["javac", "-d", str(out), "-cp", classpath(home), str(JAVA_SOURCES / source)], check=True)
    return out


def job_jar(home: Path, source: str, jar: Path) -> Path:
    """One of tests/support/java (a job with a main()) compiled against this Flink and packed as `jar`."""
    classes = compile_java(home, source, jar.parent / f"{jar.stem}-classes")
    subprocess.run(["jar", "cf", str(jar), "-C", str(classes), "."], check=True)
    return jar


class MemoryOracle:
    """Asks Flink's BashJavaUtils for the memory layout of many configurations in one JVM."""

    def __init__(self, home: Path, workdir: Path) -> None:
        classes = compile_java(home, "MemoryOracle.java", workdir / "oracle")
        self._conf = workdir / "oracle-conf"
        self._conf.mkdir(exist_ok=True)
        (self._conf / "config.yaml").write_text("{}\n")
        self._process = subprocess.Popen(
            ["java", "-Xmx256m", "-Dlog4j2.level=OFF", "-cp", f"{classes}:{classpath(home)}", "MemoryOracle"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    def ask(self, command: str, options: Mapping[str, object], conf_dir: Path | None = None) -> list[str] | str:
        """The two result lines (JVM flags, dynamic properties), or the error text.

        `conf_dir` (default: an empty config.yaml) is read as Flink reads a conf directory,
        e.g. one holding a rendered config.yaml.
        """
        args = [command, "--configDir", str(conf_dir or self._conf)]
        for key, value in options.items():
            args += ["-D", f"{key}={value}"]
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write("\t".join(args) + "\n")
        self._process.stdin.flush()
        results: list[str] = []
        error = ""
        for raw_line in self._process.stdout:
            line = raw_line.rstrip("\n")
            if line == "END":
                break
            if line.startswith(RESULT_PREFIX):
                results.append(line.removeprefix(RESULT_PREFIX))
            elif line.startswith("ERROR:"):
                error = line.removeprefix("ERROR:")
        return error or results

    def close(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        self._process.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _call(request: urllib.request.Request | str, timeout: float) -> Any:
    """One REST call; an HTTP error carries Flink's own error text into the assertion."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise AssertionError(f"Flink REST {error.code}: {error.read().decode(errors='replace')}") from None


def rest_get(port: int, path: str) -> Any:
    return _call(f"http://127.0.0.1:{port}{path}", timeout=10)


def rest_upload_jar(port: int, jar: Path) -> str:
    """Upload through the same REST client the FlinkSessionJob provider uses."""
    return FlinkRest(f"http://127.0.0.1:{port}").upload_jar(jar)


def rest_run_jar(port: int, jar_id: str, entry_class: str, parallelism: int) -> str:
    # Explicit: REST submissions without a parallelism ran at 1 here, not at parallelism.default.
    run = JarRun(job_id=uuid.uuid4().hex, entry_class=entry_class, args=(), parallelism=parallelism)
    return FlinkRest(f"http://127.0.0.1:{port}").run_jar(jar_id, run, restore_from=None)


def wait_for(predicate: Any, timeout: float, what: str, interval: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = predicate()
            if result:
                return result
        except OSError as error:  # connection refused while the JVM starts
            last_error = error
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last error: {last_error})")


def resource_params(home: Path, conf_dir: Path, command: str, overrides: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """JVM flags and -D properties, exactly as the image's jobmanager.sh / taskmanager.sh compute them."""
    args = [
        "java",
        "-cp",
        classpath(home),
        "org.apache.flink.runtime.util.bash.BashJavaUtils",
        command,
        "--configDir",
        str(conf_dir),
    ]
    for key, value in overrides.items():
        args += ["-D", f"{key}={value}"]
    output = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    lines = [line.removeprefix(RESULT_PREFIX) for line in output.splitlines() if line.startswith(RESULT_PREFIX)]
    jvm_flags = lines[0].split()
    dynamic = lines[1].split() if len(lines) > 1 else []
    return jvm_flags, dynamic


@dataclass
class RunningCluster:
    rest_port: int
    logs: Path
    # the JobManager's Prometheus reporter port on loopback, when the config enables it
    metrics_port: int | None = None


PROMETHEUS_PORT_KEY = "metrics.reporter.prom.port"


def loopback_state_overrides(config_yaml: str, workdir: Path) -> dict[str, str]:
    """Object-store paths (s3://, gs://, ...) become local directories: loopback has no bucket.

    Nothing else about HA or state changes; high-availability.type is set to NONE by
    `session_cluster`, as a loopback run has no Kubernetes API server.
    """
    from components.flink.storage import DURABLE_SCHEMES  # noqa: PLC0415

    options = yaml.safe_load(config_yaml)
    overrides = {}
    for key, value in options.items():
        if isinstance(value, str) and value.split("://", 1)[0] in DURABLE_SCHEMES and "://" in value:
            local = workdir / "state" / key
            local.mkdir(parents=True, exist_ok=True)
            overrides[key] = local.as_uri()
    return overrides


def java_opts(config_yaml: str, role: str) -> list[str]:
    """The JVM options Flink's config.sh adds from the config file, for `role`."""
    options = yaml.safe_load(config_yaml)
    return " ".join(str(options.get(key, "")) for key in ("env.java.opts.all", f"env.java.opts.{role}")).split()


@contextmanager
def session_cluster(home: Path, config_yaml: str, taskmanagers: int, workdir: Path) -> Iterator[RunningCluster]:
    """Start a JobManager and `taskmanagers` TaskManagers on loopback from this config.yaml.

    Only what must differ on one machine is overridden (as -D properties, leaving the
    file as the ConfigMap holds it): addresses and bind hosts (127.0.0.1 instead of
    the Services and 0.0.0.0), ports (free ports; TaskManagers' RPC/data ports are
    random so several fit on one host), the tmp/log directories, HA off (no API
    server) and object-store paths as local directories.
    """
    conf_dir = workdir / "conf"
    conf_dir.mkdir(parents=True)
    has_metrics = PROMETHEUS_PORT_KEY in yaml.safe_load(config_yaml)
    (conf_dir / "config.yaml").write_text(config_yaml)
    logs = workdir / "log"
    logs.mkdir()
    rest_port, rpc_port, blob_port = free_port(), free_port(), free_port()
    common = {
        "jobmanager.rpc.address": "127.0.0.1",
        "jobmanager.bind-host": "127.0.0.1",
        "jobmanager.rpc.port": str(rpc_port),
        "blob.server.port": str(blob_port),
        "rest.address": "127.0.0.1",
        "rest.bind-address": "127.0.0.1",
        "rest.port": str(rest_port),
        "taskmanager.host": "127.0.0.1",
        "taskmanager.bind-host": "127.0.0.1",
        "taskmanager.rpc.port": "0",
        "taskmanager.data.port": "0",
        "io.tmp.dirs": str(workdir / "tmp"),
        "env.log.dir": str(logs),
        "high-availability.type": "NONE",
        **loopback_state_overrides(config_yaml, workdir),
    }
    # One reporter port per process on one host: the JobManager's own, a range for the rest.
    metrics_port = free_port() if has_metrics else None
    role_overrides: dict[str, dict[str, str]] = {}
    if metrics_port is not None:
        first = free_port()
        role_overrides["jobmanager"] = {PROMETHEUS_PORT_KEY: str(metrics_port)}
        role_overrides["taskmanager"] = {PROMETHEUS_PORT_KEY: f"{first}-{first + taskmanagers + 20}"}
    (workdir / "tmp").mkdir()
    with ExitStack() as stack:
        processes: list[subprocess.Popen[bytes]] = []

        def start(role: str, command: str, main_class: str) -> None:
            kind = role.split("-", maxsplit=1)[0]
            overrides = {**common, **role_overrides.get(kind, {})}
            jvm, dynamic = resource_params(home, conf_dir, command, overrides)
            jvm += java_opts(config_yaml, kind)
            props = [arg for key, value in overrides.items() for arg in ("-D", f"{key}={value}")]
            log = stack.enter_context((logs / f"{role}.out").open("wb"))
            process = subprocess.Popen(
                [
                    "java",
                    *jvm,
                    f"-Dlog.file={logs / role}.log",
                    "-cp",
                    f"{home / 'lib'}/*",
                    main_class,
                    "--configDir",
                    str(conf_dir),
                    *props,
                    *dynamic,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                # the distribution's plugins/ (the Prometheus reporter), as in the image
                env={**os.environ, "FLINK_PLUGINS_DIR": str(home / "plugins")},
            )
            processes.append(process)

        try:
            start(
                "jobmanager", "GET_JM_RESOURCE_PARAMS", "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint"
            )
            for index in range(taskmanagers):
                start(f"taskmanager-{index}", "GET_TM_RESOURCE_PARAMS", "org.apache.flink.runtime.taskexecutor.TaskManagerRunner")
            yield RunningCluster(rest_port=rest_port, logs=logs, metrics_port=metrics_port)
        except BaseException:
            # pytest shows captured output of a failed test: make the failure diagnosable.
            for out in sorted(logs.glob("*.out")):
                print(f"----- {out.name} (last 40 lines) -----")
                print("\n".join(out.read_text(errors="replace").splitlines()[-40:]))
            raise
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
