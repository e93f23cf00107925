"""Pure tests of the security posture: Pod Security "restricted" on every pod of every stack,
resources, probes, NetworkPolicies and the TaskManager PodDisruptionBudget."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from components.manifests.deployments import jobmanager_deployment, taskmanager_deployment
from components.manifests.disruption import taskmanager_disruption_budget
from components.manifests.namespace import namespace
from components.manifests.network_policy import network_policies
from components.model.cluster import Cluster
from tests.support.config import STACKS, minimal_cluster, resolve, stack_cluster


def settings_of(stack: str) -> Cluster:
    return stack_cluster(stack)


def pods(settings: Cluster) -> list[dict[str, Any]]:
    return [build(settings, "cm")["spec"]["template"]["spec"] for build in (jobmanager_deployment, taskmanager_deployment)]


def containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return [*pod.get("initContainers", []), *pod["containers"]]


@pytest.mark.parametrize("stack", STACKS)
def test_namespace_enforces_restricted(stack: str) -> None:
    labels = namespace(settings_of(stack))["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"


@pytest.mark.parametrize("stack", STACKS)
def test_every_pod_meets_the_restricted_profile(stack: str) -> None:
    settings = settings_of(stack)
    for pod in pods(settings):
        context = pod["securityContext"]
        assert context["runAsNonRoot"] is True
        assert context["runAsUser"] == context["runAsGroup"] == context["fsGroup"] == 9999
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}
        # the token only where Kubernetes HA needs the API server
        assert pod["automountServiceAccountToken"] is (settings.high_availability is not None)
        assert pod["serviceAccountName"] == f"{settings.name}-flink"
        assert "hostNetwork" not in pod and "hostPID" not in pod
        for container in containers(pod):
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, container["name"]
            assert security["capabilities"] == {"drop": ["ALL"]}, container["name"]
            assert security["readOnlyRootFilesystem"] is True, container["name"]
            assert security["runAsNonRoot"] is True, container["name"]
            assert security.get("privileged", False) is False


@pytest.mark.parametrize("stack", STACKS)
def test_everything_flink_writes_is_a_size_limited_volume(stack: str) -> None:
    for pod in pods(settings_of(stack)):
        volumes = {v["name"]: v for v in pod["volumes"]}
        flink = pod["containers"][0]
        mounts = {m["mountPath"]: m["name"] for m in flink["volumeMounts"]}
        for path in ("/tmp", "/opt/flink/log", "/opt/flink/conf"):
            assert "sizeLimit" in volumes[mounts[path]]["emptyDir"], path


@pytest.mark.parametrize("stack", STACKS)
def test_resources_memory_request_equals_limit_and_everything_is_set(stack: str) -> None:
    for pod in pods(settings_of(stack)):
        for container in containers(pod):
            requests, limits = container["resources"]["requests"], container["resources"]["limits"]
            assert requests["memory"] == limits["memory"]
            assert {"cpu", "memory", "ephemeral-storage"} <= requests.keys()
            assert {"cpu", "memory", "ephemeral-storage"} <= limits.keys()


def test_cpu_limit_is_configurable() -> None:
    settings = resolve(minimal_cluster(taskManager={"slots": 2, "cpu": 1, "memory": "1728Mi", "cpuLimit": 3}))
    limits = taskmanager_deployment(settings, "cm")["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
    assert limits["cpu"] == "3"


@pytest.mark.parametrize("stack", STACKS)
def test_probes(stack: str) -> None:
    settings = settings_of(stack)
    jm = jobmanager_deployment(settings, "cm")["spec"]["template"]["spec"]["containers"][0]
    assert jm["readinessProbe"]["httpGet"]["port"] == "rest"
    assert jm["livenessProbe"]["tcpSocket"]["port"] == "rpc"
    assert jm["startupProbe"]["failureThreshold"] * jm["startupProbe"]["periodSeconds"] >= 120
    tm = taskmanager_deployment(settings, "cm")["spec"]["template"]["spec"]["containers"][0]
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert tm[probe]["tcpSocket"]["port"] == "rpc"
    metrics = {"metrics": 9249} if settings.metrics.prometheus else {}
    assert {p["name"]: p["containerPort"] for p in tm["ports"]} == {"data": 6121, "rpc": 6122, **metrics}


def test_network_policies_deny_by_default_and_allow_only_flink_traffic() -> None:
    cluster = minimal_cluster(network={"restAccess": [{"namespaceLabels": {"team": "data"}, "podLabels": {"role": "client"}}]})
    settings = resolve(cluster)
    deny, jm, tm = network_policies(settings)
    # no rules at all (an empty list would be dropped by the API server and re-sent on every apply)
    assert "ingress" not in deny["spec"] and deny["spec"]["policyTypes"] == ["Ingress"]
    assert deny["spec"]["podSelector"]["matchLabels"] == settings.names.cluster_selector_labels()
    jm_ports = [sorted(p["port"] for p in rule["ports"]) for rule in jm["spec"]["ingress"]]
    assert jm_ports == [[6123, 6124], [8081]]
    rest_rule = jm["spec"]["ingress"][1]
    assert rest_rule["from"] == [
        {"namespaceSelector": {"matchLabels": {"team": "data"}}, "podSelector": {"matchLabels": {"role": "client"}}}
    ]
    tm_rules = {tuple(sorted(p["port"] for p in rule["ports"])) for rule in tm["spec"]["ingress"]}
    assert tm_rules == {(6122,), (6121, 6122)}


def test_rest_is_closed_unless_sources_are_configured() -> None:
    _, jm, _ = network_policies(settings_of("dev"))
    assert all(8081 not in [p["port"] for p in rule["ports"]] for rule in jm["spec"]["ingress"])


def test_taskmanagers_spread_at_any_count_and_have_a_budget_when_there_are_several() -> None:
    prod = settings_of("prod")
    spec = taskmanager_deployment(prod, "cm")["spec"]["template"]["spec"]
    assert {c["topologyKey"] for c in spec["topologySpreadConstraints"]} == {
        "kubernetes.io/hostname",
        "topology.kubernetes.io/zone",
    }
    budget = taskmanager_disruption_budget(prod)
    assert budget is not None and budget["spec"]["maxUnavailable"] == 1
    # Even for one TaskManager: scaling to more must not change the pod template (and replace the pods).
    dev = settings_of("dev")
    assert dev.task_manager.replicas == 1
    assert (
        taskmanager_deployment(dev, "cm")["spec"]["template"]
        == taskmanager_deployment(replace(dev, task_manager=replace(dev.task_manager, replicas=2)), "cm")["spec"]["template"]
    )
    assert taskmanager_disruption_budget(dev) is None


def test_scheduling_options_reach_the_pods() -> None:
    scheduling = {
        "nodeSelector": {"pool": "flink"},
        "tolerations": [{"key": "dedicated", "value": "flink", "effect": "NoSchedule"}],
        "priorityClassName": "streaming",
    }
    settings = resolve(minimal_cluster(scheduling=scheduling))
    for pod in pods(settings):
        assert pod["nodeSelector"] == {"pool": "flink"}
        assert pod["tolerations"] == [{"key": "dedicated", "operator": "Equal", "value": "flink", "effect": "NoSchedule"}]
        assert pod["priorityClassName"] == "streaming"
