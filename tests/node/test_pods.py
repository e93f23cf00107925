"""Pods on the real node: the Flink image as a restricted pod, cluster DNS, Services,
the API server from a pod, no route beyond the node, `kubectl port-forward`, `exec` and
`logs`, and the images' entrypoint (help, the config rewrite, USER flink on 2.2, the gosu
step-down on 1.20, built-in plugins): this project's own, and the official one where a
reference copy is given (FLINK_DOCKER_DIR).

Manifests name the images as the product's stacks do (`flink:<tag>`, pulled with
`imagePullPolicy: Always`): the node's containerd resolves docker.io to its own registry.
"""

from __future__ import annotations

import os
import urllib.request
from typing import Any

import pytest

from tests.node.conftest import NodeCluster
from tests.support.kube import Kube, namespace, pod, service

NS = "node-pods"
ROOT_NS = "node-root"  # no Pod Security enforcement: the 1.20 image starts as root
FLINK = {"2.2.1": "flink:2.2.1-scala_2.12-java17", "1.20.4": "flink:1.20.4-scala_2.12-java17"}
# The same contract on the official entrypoint, where a reference copy is given (CI):
# tests/node/test_official_entrypoint.py names these images.
OFFICIAL = "localhost:5000/flink-session/flink-official-entrypoint"
ENTRYPOINTS = ["own", *(["official"] if os.environ.get("FLINK_DOCKER_DIR") else [])]
USAGE = "Usage: docker-entrypoint.sh (jobmanager|standalone-job|taskmanager|history-server)"


def flink_image(version: str, entrypoint: str) -> str:
    return FLINK[version] if entrypoint == "own" else f"{OFFICIAL}:{FLINK[version].split(':', 1)[1]}"


@pytest.fixture(scope="module")
def kube(node_cluster: NodeCluster) -> Kube:
    kube = node_cluster.kube
    toolbox = node_cluster.image("localhost:5000/flink-session/toolbox")
    kube.apply(
        namespace(NS),
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ROOT_NS}},
        pod("flink", NS, FLINK["2.2.1"], command=["sleep", "infinity"]),
        pod("web", NS, toolbox, command=["httpd", "-f", "-p", "8080", "-h", "/www"], ready_when_listening=8080),
        service("web", NS, {"app": "web"}, {"http": 8080}),
        pod("client", NS, toolbox, command=["sleep", "3600"]),
        pod("talker", NS, toolbox, command=["sh", "-c", "echo talker-uid-$(id -u); exec sleep 3600"]),
    )
    kube.wait(NS, "condition=Ready", "pod/flink", "pod/web", "pod/client", "pod/talker")
    return kube


def test_flink_image_runs_as_9999_with_a_read_only_root(kube: Kube) -> None:
    assert kube.exec(NS, "flink", "id", "-u").stdout.strip() == "9999"
    touched = kube.exec(NS, "flink", "touch", "/")
    assert touched.returncode != 0
    assert "Read-only file system" in touched.stderr
    # Pulled by its official name, through the node's mirror for docker.io.
    status = kube.get("-n", NS, "pod/flink")["status"]["containerStatuses"][0]
    assert status["imageID"].startswith("docker.io/library/flink@sha256:"), status["imageID"]
    node = kube.get("-n", NS, "pod/flink")["spec"]["nodeName"]
    assert kube.get(f"node/{node}")["metadata"]["labels"]["type"] == "real"


def test_service_names_resolve_through_coredns(kube: Kube) -> None:
    cluster_ip = kube.get("-n", NS, "service/web")["spec"]["clusterIP"]
    looked_up = kube.exec(NS, "client", "nslookup", f"web.{NS}.svc.cluster.local")
    assert looked_up.returncode == 0, looked_up.stderr
    assert cluster_ip in looked_up.stdout
    # The short name through the pod's search path, as Flink resolves its JobManager Service.
    assert kube.exec(NS, "flink", "getent", "hosts", "web").stdout.split()[0] == cluster_ip
    assert kube.exec(NS, "flink", "getent", "hosts", "kubernetes.default").stdout.split()[0] == "10.0.0.1"


def test_cluster_ip_service_reaches_a_pod(kube: Kube) -> None:
    cluster_ip = kube.get("-n", NS, "service/web")["spec"]["clusterIP"]
    # (no `wget -T`: busybox 1.35's static wget crashes with it)
    fetched = kube.exec(NS, "client", "wget", "-q", "-O", "-", f"http://{cluster_ip}:8080/")
    assert fetched.stdout == "flink-session toolbox\n", fetched.stderr
    # By the Service's name, from the Flink image's own (glibc) resolver: the static busybox
    # in the toolbox cannot use glibc's name service switch.
    request = 'exec 3<>/dev/tcp/web/8080 && printf "GET / HTTP/1.0\\r\\n\\r\\n" >&3 && cat <&3'
    fetched = kube.exec(NS, "flink", "bash", "-c", request)
    assert fetched.stdout.endswith("flink-session toolbox\n"), fetched.stdout + fetched.stderr


def test_a_pod_reaches_the_api_server_through_the_kubernetes_service(kube: Kube) -> None:
    """What Flink's Kubernetes HA and CoreDNS depend on: kubernetes.default.svc:443 is the
    API server. A plain-HTTP request gets Go's TLS server's own answer, which proves the
    other end without a TLS client in the image."""
    request = 'exec 3<>/dev/tcp/kubernetes.default.svc/443 && printf "GET / HTTP/1.0\\r\\n\\r\\n" >&3 && cat <&3'
    fetched = kube.exec(NS, "flink", "bash", "-c", request)
    assert "Client sent an HTTP request to an HTTPS server" in fetched.stdout, fetched.stdout + fetched.stderr


def test_pods_cannot_reach_beyond_the_node(kube: Kube) -> None:
    """The node's namespace has no route past the machine's end of its veth: a packet for
    any other address fails at once and never leaves the node (TEST-NET-2 here)."""
    attempt = kube.exec(NS, "flink", "bash", "-c", "exec 3<>/dev/tcp/198.51.100.1/80")
    assert attempt.returncode != 0
    assert "Network is unreachable" in attempt.stderr


def test_port_forward_and_logs(kube: Kube) -> None:
    with (
        kube.port_forward(NS, "service/web", 8080) as port,
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response,
    ):
        assert response.read() == b"flink-session toolbox\n"
    assert "talker-uid-9999" in kube.logs(NS, "talker")


def _run_once(kube: Kube, name: str, spec: dict[str, Any], namespace_name: str = NS) -> str:
    """Run a pod to completion and return its log."""
    kube.apply(spec)
    kube.wait(namespace_name, "jsonpath={.status.phase}=Succeeded", f"pod/{name}", timeout=180)
    return kube.logs(namespace_name, name)


@pytest.mark.parametrize("entrypoint", ENTRYPOINTS)
@pytest.mark.parametrize("version", sorted(FLINK))
def test_entrypoint_prints_help_by_default(kube: Kube, version: str, entrypoint: str) -> None:
    name = f"help-{entrypoint}-{version.replace('.', '-')}"
    assert USAGE in _run_once(kube, name, pod(name, NS, flink_image(version, entrypoint), restart="Never"))


@pytest.mark.parametrize("entrypoint", ENTRYPOINTS)
@pytest.mark.parametrize("version", sorted(FLINK))
def test_entrypoint_rewrites_the_config(kube: Kube, version: str, entrypoint: str) -> None:
    """Before running any command, the entrypoint writes the JobManager address and the
    blob/query ports into conf/config.yaml (a writable root here, as in the official image)."""
    name = f"conf-{entrypoint}-{version.replace('.', '-')}"
    spec = pod(
        name,
        NS,
        flink_image(version, entrypoint),
        args=["cat", "/opt/flink/conf/config.yaml"],
        env={"JOB_MANAGER_RPC_ADDRESS": "jobmanager.example", "FLINK_PROPERTIES": "taskmanager.numberOfTaskSlots: 3"},
        read_only_root=False,
        restart="Never",
    )
    config = _run_once(kube, name, spec)
    assert "address: jobmanager.example" in config
    assert "port: '6124'" in config  # blob.server.port
    assert "port: '6125'" in config  # query.server.port
    assert "numberOfTaskSlots: '3'" in config
    # The Dockerfile's -repKV edits: jobmanager/taskmanager.bind-host and rest.address.
    assert config.count("bind-host: 0.0.0.0") == 2
    assert "address: 0.0.0.0" in config


@pytest.mark.parametrize("entrypoint", ENTRYPOINTS)
def test_flink_2_2_image_user_is_flink_by_name(kube: Kube, entrypoint: str) -> None:
    """As the official 2.2 image (USER flink): runAsNonRoot without a numeric runAsUser
    cannot be verified by the kubelet, which is why the product sets runAsUser: 9999."""
    name = f"by-name-{entrypoint}"
    spec = pod(name, NS, flink_image("2.2.1", entrypoint), command=["id", "-u"], restart="Never")
    spec["spec"]["securityContext"] = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    kube.apply(spec)
    kube.wait(NS, "jsonpath={.status.containerStatuses[0].state.waiting.reason}=CreateContainerConfigError", f"pod/{name}")
    message = kube.get("-n", NS, f"pod/{name}")["status"]["containerStatuses"][0]["state"]["waiting"]["message"]
    assert "non-numeric user (flink)" in message


@pytest.mark.parametrize("entrypoint", ENTRYPOINTS)
def test_flink_1_20_image_steps_down_from_root_with_gosu(kube: Kube, entrypoint: str) -> None:
    """As the official 1.20 image: it starts as root and the entrypoint runs every command
    as flink through gosu."""
    name = f"gosu-{entrypoint}"
    spec = pod(name, ROOT_NS, flink_image("1.20.4", entrypoint), args=["id", "-u"], read_only_root=False, restart="Never")
    spec["spec"]["securityContext"] = {}
    spec["spec"]["containers"][0]["securityContext"] = {}
    assert _run_once(kube, name, spec, ROOT_NS).strip() == "9999"


def test_the_own_entrypoint_links_built_in_plugins_and_refuses_a_missing_one(kube: Kube) -> None:
    """ENABLE_BUILT_IN_PLUGINS links opt/<jar> into plugins/<name>/ before the command runs; a missing jar stops it."""
    plugin = "flink-sql-client-2.2.1.jar"  # any jar of opt/ (the PyPI distribution has no filesystem plugins)
    name = "plugins-own"
    spec = pod(
        name,
        NS,
        FLINK["2.2.1"],
        args=["ls", "-l", "/opt/flink/plugins/flink-sql-client-2.2.1/"],
        env={"ENABLE_BUILT_IN_PLUGINS": plugin},
        read_only_root=False,
        restart="Never",
    )
    assert f"-> /opt/flink/opt/{plugin}" in _run_once(kube, name, spec)
    missing = pod(
        "plugins-missing", NS, FLINK["2.2.1"], args=["true"], env={"ENABLE_BUILT_IN_PLUGINS": "nope.jar"}, restart="Never"
    )
    kube.apply(missing)
    kube.wait(NS, "jsonpath={.status.phase}=Failed", "pod/plugins-missing", timeout=180)
    assert "Plugin nope.jar does not exist" in kube.logs(NS, "plugins-missing")
