"""kubectl against a local cluster (every real tier uses it), and the objects the node tests create."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESTRICTED = {
    "runAsNonRoot": True,
    "runAsUser": 9999,
    "runAsGroup": 9999,
    "seccompProfile": {"type": "RuntimeDefault"},
}
LOCKED_DOWN = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}


@dataclass(frozen=True)
class Kube:
    kubectl: Path
    kubeconfig: Path

    def run(
        self, *args: str, stdin: str | None = None, check: bool = True, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(self.kubectl), "--kubeconfig", str(self.kubeconfig), *args],
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({result.returncode}):\n{result.stderr}{result.stdout}")
        return result

    def get(self, *args: str) -> Any:
        return json.loads(self.run("get", *args, "-o", "json").stdout)

    def exists(self, *args: str) -> bool:
        return self.run("get", *args, check=False).returncode == 0

    def apply(self, *objects: dict[str, Any]) -> None:
        self.run("apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": list(objects)}))

    def wait(self, namespace: str, condition: str, *targets: str, timeout: int = 240) -> None:
        """Wait for `condition` on `targets`; on timeout, fail with the pods' events."""
        result = self.run("-n", namespace, "wait", f"--for={condition}", *targets, f"--timeout={timeout}s", check=False)
        if result.returncode != 0:
            events = self.run("-n", namespace, "get", "events", "--sort-by=.lastTimestamp", check=False).stdout
            raise AssertionError(f"{targets} not {condition} in {timeout}s: {result.stderr}\nevents:\n{events[-4000:]}")

    def exec(self, namespace: str, pod: str, *command: str) -> subprocess.CompletedProcess[str]:
        return self.run("-n", namespace, "exec", pod, "--", *command, check=False)

    def logs(self, namespace: str, pod: str) -> str:
        return self.run("-n", namespace, "logs", pod).stdout

    @contextlib.contextmanager
    def port_forward(self, namespace: str, target: str, port: int) -> Iterator[int]:
        """`kubectl port-forward` from a free loopback port; yields that port."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            local = int(probe.getsockname()[1])
        forward = subprocess.Popen(
            [
                str(self.kubectl),
                "--kubeconfig",
                str(self.kubeconfig),
                "-n",
                namespace,
                "port-forward",
                "--address",
                "127.0.0.1",
                target,
                f"{local}:{port}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert forward.stdout is not None
            line = forward.stdout.readline()
            if not line.startswith("Forwarding from"):
                raise AssertionError(f"port-forward did not start: {line}{forward.stderr.read() if forward.stderr else ''}")
            yield local
        finally:
            forward.terminate()
            forward.wait(timeout=30)


def namespace(name: str) -> dict[str, Any]:
    """A namespace that enforces Pod Security `restricted`, as the product's do."""
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": {"pod-security.kubernetes.io/enforce": "restricted"}},
    }


def pod(
    name: str,
    namespace_name: str,
    image: str,
    *,
    args: list[str] | None = None,
    command: list[str] | None = None,
    env: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
    read_only_root: bool = True,
    restart: str = "Always",
    ready_when_listening: int | None = None,
) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": "main",
        "image": image,
        "imagePullPolicy": "Always",
        "securityContext": {**LOCKED_DOWN, "readOnlyRootFilesystem": read_only_root},
    }
    if command is not None:
        container["command"] = command
    if args is not None:
        container["args"] = args
    if env:
        container["env"] = [{"name": key, "value": value} for key, value in env.items()]
    if ready_when_listening is not None:
        container["readinessProbe"] = {"tcpSocket": {"port": ready_when_listening}, "periodSeconds": 2}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace_name, "labels": labels or {"app": name}},
        "spec": {
            "restartPolicy": restart,
            "securityContext": RESTRICTED,
            "terminationGracePeriodSeconds": 1,
            "containers": [container],
        },
    }


def service(name: str, namespace_name: str, selector: dict[str, str], ports: dict[str, int]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace_name},
        "spec": {
            "selector": selector,
            "ports": [{"name": port_name, "port": port} for port_name, port in ports.items()],
        },
    }


def http_get_json(port: int, path: str, attempts: int = 60) -> Any:
    """GET http://127.0.0.1:<port><path> as JSON, retrying while the server comes up."""
    error: Exception | None = None
    for _ in range(attempts):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
                return json.loads(response.read())
        except OSError as failure:
            error = failure
            time.sleep(1)
    raise AssertionError(f"GET {path} never answered: {error}")


FLINK_UID = 9999


def provide_namespace_and_volume(kube: Kube, namespace_name: str, directory: Path, claim: str = "flink-state") -> None:
    """What a platform team provides for createNamespace: false and storage.sharedVolume: the namespace and a
    ReadWriteMany claim, bound to a hostPath PersistentVolume on `directory` that the flink user owns."""
    directory.mkdir(parents=True)
    os.chown(directory, FLINK_UID, FLINK_UID)
    volume_name = f"{namespace_name}-state"
    volume = {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": volume_name},
        "spec": {
            "capacity": {"storage": "1Gi"},
            "accessModes": ["ReadWriteMany"],
            "storageClassName": "",
            "hostPath": {"path": str(directory), "type": "Directory"},
            "claimRef": {"namespace": namespace_name, "name": claim},
        },
    }
    pvc = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": claim, "namespace": namespace_name},
        "spec": {
            "accessModes": ["ReadWriteMany"],
            "storageClassName": "",
            "volumeName": volume_name,
            "resources": {"requests": {"storage": "1Gi"}},
        },
    }
    kube.apply(namespace(namespace_name), volume, pvc)
    kube.wait(namespace_name, "jsonpath={.status.phase}=Bound", f"pvc/{claim}", timeout=60)
