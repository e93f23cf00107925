"""How `pulumi up` reaches a cluster's REST API: a port-forward to a JobManager pod through the Kubernetes API.

As `kubectl port-forward` does, with the kubeconfig and context the stack's Kubernetes
provider uses: the kubelet connects inside the pod's network namespace, so the
cluster's default-deny NetworkPolicies need no hole for it, and it works from anywhere
`pulumi up` can reach the API server. A local listener on 127.0.0.1 relays each
connection over its own port-forward stream to one Ready JobManager pod, picked once
per operation, so a jar uploaded to a JobManager is run by the same one. `jobsRestUrl`,
when a stack sets it, is used as given instead.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from components.jobs.rest import FlinkError, FlinkRest, wait_until
from components.model.naming import JOBMANAGER

# A relayed connection that carries nothing for this long is closed (Flink's REST calls are short).
_IDLE_SECONDS = 600
# How long to wait for a Ready JobManager pod (a rollout or an HA failover leaves a gap).
READY_WAIT_SECONDS = 120


@dataclass(frozen=True)
class RestAccess:
    """Where one cluster's REST API is: its JobManager pods (and port), or the URL a stack gives."""

    cluster: str
    namespace: str
    # label selector of the JobManager pods
    selector: str
    port: int
    url: str | None = None
    # the stack's kubernetes:context and kubernetes:kubeconfig (a path or the file's content)
    context: str | None = None
    kubeconfig: str | None = None

    @property
    def where(self) -> str:
        shown = self.url or f"port {self.port} of its JobManager pods, through the Kubernetes API"
        return f"cluster {self.cluster} (namespace {self.namespace}, {shown})"

    def props(self) -> dict[str, Any]:
        return {
            "cluster": self.cluster,
            "namespace": self.namespace,
            "selector": self.selector,
            "port": self.port,
            "url": self.url,
            "context": self.context,
            "kubeconfig": self.kubeconfig,
        }

    @classmethod
    def from_props(cls, props: dict[str, Any]) -> RestAccess:
        return cls(
            cluster=str(props["cluster"]),
            namespace=str(props["namespace"]),
            selector=str(props["selector"]),
            port=int(props["port"]),
            url=props.get("url") or None,
            context=props.get("context") or None,
            kubeconfig=props.get("kubeconfig") or None,
        )


def access_as_kept(props: dict[str, Any]) -> dict[str, Any]:
    """Access props as a resource's state keeps them: without the kubeconfig (a secret given again on every run).

    The key is left out rather than kept as null, so a refresh (whose props come back
    without nulls) reads the same value and reports no drift.
    """
    return {key: value for key, value in props.items() if key != "kubeconfig"}


@contextlib.contextmanager
def rest_api(access: RestAccess, *, ready_wait: float = READY_WAIT_SECONDS) -> Iterator[FlinkRest]:
    """A REST client for the cluster, through a port-forward unless the stack gives a URL; closed afterwards.

    `ready_wait`: how long to wait for a Ready JobManager pod.
    """
    if access.url is not None:
        rest = FlinkRest(access.url, where=access.where)
        try:
            yield rest
        finally:
            rest.close()
        return
    with kubernetes_api(access) as api, _port_forward(api, access, ready_wait) as port:
        rest = FlinkRest(f"http://127.0.0.1:{port}", where=access.where)
        try:
            yield rest
        finally:
            rest.close()


@contextlib.contextmanager
def api_client(context: str | None, kubeconfig: str | None, where: str) -> Iterator[Any]:
    """A Kubernetes ApiClient on a kubeconfig (a path or the file's content) and context, or, inside a pod, its
    service account; `where` names what is reached, in the error when neither works."""
    from kubernetes import client, config  # noqa: PLC0415 - a large import, only where a cluster is reached

    try:
        if kubeconfig is not None and "\n" in kubeconfig:
            import yaml  # noqa: PLC0415

            api = config.new_client_from_config_dict(yaml.safe_load(kubeconfig), context=context)
        else:
            api = config.new_client_from_config(config_file=kubeconfig, context=context)
    except config.ConfigException as error:
        try:
            config.load_incluster_config()
        except config.ConfigException:
            raise FlinkError(f"cannot reach {where}: no usable kubeconfig ({error})") from None
        api = client.ApiClient()
    try:
        yield api
    finally:
        api.close()


@contextlib.contextmanager
def kubernetes_api(access: RestAccess) -> Iterator[Any]:
    """A CoreV1Api on the stack's kubeconfig and context (or, inside a pod, its service account)."""
    from kubernetes import client  # noqa: PLC0415

    with api_client(access.context, access.kubeconfig, access.where) as api:
        yield client.CoreV1Api(api)


def ready_pods(api: Any, access: RestAccess) -> list[str]:
    """The JobManager pods that are Running and Ready, by name."""
    from kubernetes.client.exceptions import ApiException  # noqa: PLC0415

    try:
        pods = api.list_namespaced_pod(access.namespace, label_selector=access.selector).items
    except ApiException as error:
        raise FlinkError(f"cannot reach {access.where}: the Kubernetes API refused to list its pods: {error.reason}") from None
    except OSError as error:
        raise FlinkError(f"cannot reach {access.where}: the Kubernetes API is unreachable: {error}") from None

    def ready(pod: Any) -> bool:
        conditions = {c.type: c.status for c in (pod.status.conditions or [])}
        return pod.status.phase == "Running" and conditions.get("Ready") == "True" and not pod.metadata.deletion_timestamp

    return sorted(pod.metadata.name for pod in pods if ready(pod))


@contextlib.contextmanager
def _port_forward(api: Any, access: RestAccess, ready_wait: float) -> Iterator[int]:
    try:
        pods = wait_until(lambda: ready_pods(api, access), bool, timeout=ready_wait, what="a Ready pod", interval=2)
    except FlinkError:
        raise FlinkError(
            f"cannot reach {access.where}: no JobManager pod was Running and Ready within {ready_wait:.0f} s "
            f"(selector {access.selector}); check the pods with kubectl, and run `pulumi up` again once one is Ready"
        ) from None
    pod = pods[0]
    server = socket.create_server(("127.0.0.1", 0))
    serving = threading.Thread(target=_serve, args=(server, api, access, pod), daemon=True, name=f"port-forward {pod}")
    serving.start()
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


def _serve(server: socket.socket, api: Any, access: RestAccess, pod: str) -> None:
    while True:
        try:
            local, _ = server.accept()
        except OSError:  # the listener was closed: the operation is over
            return
        threading.Thread(target=_relay, args=(local, api, access, pod), daemon=True).start()


def _relay(local: socket.socket, api: Any, access: RestAccess, pod: str) -> None:
    """One local connection over one port-forward stream to the pod, until either side closes."""
    from kubernetes.stream import portforward  # noqa: PLC0415

    try:
        forward = portforward(api.connect_get_namespaced_pod_portforward, pod, access.namespace, ports=str(access.port))
        remote = forward.socket(access.port)
    except Exception:
        local.close()
        return
    ends = [local, remote]
    try:
        while True:
            readable, _, _ = select.select(ends, [], [], _IDLE_SECONDS)
            if not readable:
                return
            for end in readable:
                data = end.recv(1 << 16)
                if not data:
                    return
                (remote if end is local else local).sendall(data)
    except OSError:
        return
    finally:
        local.close()
        remote.close()


# Lists `<dir>/<name prefix>*/_metadata` with their modification times; the directory and prefix are
# positional arguments, never part of the script.
_LIST_SNAPSHOTS = 'for d in "$1"/"$2"*; do [ -f "$d/_metadata" ] && echo "$(stat -c %Y "$d/_metadata") $d"; done; true'


def snapshots_on_disk(access: RestAccess, directory: str, name_prefix: str) -> list[tuple[int, str]] | None:
    """(modified, path) of each snapshot under a local (`file://`) directory, as a JobManager pod sees it.

    None when that cannot be looked at from here: the stack gives a URL (no pod to look
    in), or no JobManager pod is Ready.
    """
    if access.url is not None:
        return None
    from kubernetes.stream import stream  # noqa: PLC0415

    with kubernetes_api(access) as api:
        pods = ready_pods(api, access)
        if not pods:
            return None
        output = stream(
            api.connect_get_namespaced_pod_exec,
            pods[0],
            access.namespace,
            container=JOBMANAGER,
            command=["sh", "-c", _LIST_SNAPSHOTS, "sh", directory.removeprefix("file://"), name_prefix],
            stderr=False,
            stdin=False,
            stdout=True,
            tty=False,
        )
    found = []
    for line in str(output).splitlines():
        seconds, _, path = line.partition(" ")
        if seconds.isdigit() and path:
            found.append((int(seconds) * 1000, f"file://{path}" if directory.startswith("file://") else path))
    return found
