"""The real __main__.py under Pulumi mocks, for each stack file and for bad input.

Asserts what the program registers (as the engine would receive it): the set of
objects, parentage under the component, concrete fields, and the stack outputs;
and that invalid config stops the program before any resource is registered.
"""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pytest
import yaml

from tests.support.config import STACKS, minimal_cluster, stack_config
from tools.mocks import Registered, run_program

COMPONENT = "flink-session:index:FlinkSessionCluster"


def by_kind(registered: list[Registered], kind: str) -> list[Registered]:
    return [r for r in registered if r.type == kind]


def one(registered: list[Registered], kind: str, name: str) -> dict[str, Any]:
    (match,) = [r for r in registered if r.type == kind and r.name == name]
    return match.inputs


@pytest.fixture(scope="module", params=STACKS)
def stack_run(request: pytest.FixtureRequest) -> tuple[str, list[Registered], dict[str, Any]]:
    stack = request.param
    registered, outputs = run_program(stack_config(stack), stack)
    return stack, registered, outputs


def test_registers_the_session_cluster_objects(stack_run: tuple[str, list[Registered], dict[str, Any]]) -> None:
    _, registered, _ = stack_run
    config = stack_config(stack_run[0])["cluster"]
    gateway = config.get("sqlGateway")  # a Deployment, a Service and a NetworkPolicy more
    kinds = sorted(r.type for r in registered)
    assert kinds.count("kubernetes:apps/v1:Deployment") == 2 + bool(gateway)
    assert kinds.count("kubernetes:core/v1:Service") == 2 + bool(gateway)
    assert kinds.count("kubernetes:core/v1:ConfigMap") == 1
    assert kinds.count("kubernetes:core/v1:Namespace") == 1
    assert kinds.count(COMPONENT) == 1
    assert kinds.count("kubernetes:networking.k8s.io/v1:NetworkPolicy") == 3 + bool(gateway)
    assert kinds.count("kubernetes:core/v1:ServiceAccount") == 1
    ha = config.get("highAvailability", {}).get("enabled", False)
    gateways = gateway.get("replicas", 1) if gateway else 0
    expected_budgets = (1 if config["parallelism"] > 2 else 0) + (1 if ha else 0) + (1 if gateways >= 2 else 0)
    assert kinds.count("kubernetes:policy/v1:PodDisruptionBudget") == expected_budgets
    assert kinds.count("kubernetes:rbac.authorization.k8s.io/v1:Role") == (1 if ha else 0)
    assert kinds.count("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding") == (1 if ha else 0)
    assert kinds.count("kubernetes:core/v1:Secret") == (1 if "storage" in config else 0)
    assert kinds.count("kubernetes:monitoring.coreos.com/v1:PodMonitor") == (1 if "metrics" in config else 0)


def test_every_child_is_parented_by_the_component(stack_run: tuple[str, list[Registered], dict[str, Any]]) -> None:
    _, registered, _ = stack_run
    children = [r for r in registered if r.type != COMPONENT]
    assert children
    for child in children:
        # urn:pulumi:<stack>::<project>::<parent type>$<own type>::<name>; the SDK's mock
        # monitor fills stack and project with its own placeholders since pulumi 3.259.
        assert re.fullmatch(rf"urn:pulumi:[^:]+::[^:]+::{re.escape(COMPONENT)}\$[^$]+::{child.name}", child.urn), child.urn


def test_deployments_and_services_agree(stack_run: tuple[str, list[Registered], dict[str, Any]]) -> None:
    stack, registered, _ = stack_run
    config = stack_config(stack)["cluster"]
    name = config["name"]
    jm = one(registered, "kubernetes:apps/v1:Deployment", f"{name}-jobmanager")
    tm = one(registered, "kubernetes:apps/v1:Deployment", f"{name}-taskmanager")
    for deployment in (jm, tm):
        assert deployment["metadata"]["namespace"] == config["namespace"]
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    for service_name in (f"{name}-jobmanager-service", f"{name}-rest-service"):
        service = one(registered, "kubernetes:core/v1:Service", service_name)
        assert service["spec"]["selector"].items() <= jm["spec"]["template"]["metadata"]["labels"].items()
    rest = one(registered, "kubernetes:core/v1:Service", f"{name}-rest-service")
    assert rest["spec"]["ports"] == [{"name": "rest", "port": 8081, "targetPort": "rest", "protocol": "TCP"}]
    assert rest["spec"]["type"] == "ClusterIP"
    assert jm["spec"]["replicas"] == config.get("highAvailability", {}).get("jobManagerReplicas", 1)


def test_configmap_is_mounted_by_its_content_name(stack_run: tuple[str, list[Registered], dict[str, Any]]) -> None:
    stack, registered, _ = stack_run
    name = stack_config(stack)["cluster"]["name"]
    config_map = one(registered, "kubernetes:core/v1:ConfigMap", f"{name}-config")
    assert re.fullmatch(rf"{name}-config-[0-9a-f]{{10}}", config_map["metadata"]["name"])
    for role in ("jobmanager", "taskmanager"):
        deployment = one(registered, "kubernetes:apps/v1:Deployment", f"{name}-{role}")
        volume = next(v for v in deployment["spec"]["template"]["spec"]["volumes"] if v["name"] == "flink-config")
        assert volume["configMap"]["name"] == config_map["metadata"]["name"]


def test_configmap_content_matches_the_stack(stack_run: tuple[str, list[Registered], dict[str, Any]]) -> None:
    stack, registered, outputs = stack_run
    config = stack_config(stack)["cluster"]
    (cm,) = by_kind(registered, "kubernetes:core/v1:ConfigMap")
    options = yaml.safe_load(cm.inputs["data"]["config.yaml"])
    assert options["taskmanager.numberOfTaskSlots"] == config["taskManager"]["slots"]
    assert options["parallelism.default"] == config["parallelism"]
    tm = one(registered, "kubernetes:apps/v1:Deployment", f"{config['name']}-taskmanager")
    assert tm["spec"]["replicas"] == outputs["taskManagers"]


def test_stack_outputs(stack_run: tuple[str, list[Registered], dict[str, Any]]) -> None:
    stack, _, outputs = stack_run
    config = stack_config(stack)["cluster"]
    ns, name = config["namespace"], config["name"]
    assert outputs["namespace"] == ns
    assert outputs["jobManagerService"] == f"{name}-jobmanager.{ns}.svc:6123"
    assert outputs["restEndpoint"] == f"http://{name}-rest.{ns}.svc:8081"
    assert outputs["totalSlots"] == outputs["taskManagers"] * config["taskManager"]["slots"]
    assert outputs["totalSlots"] >= config["parallelism"]
    assert outputs["portForward"] == f"kubectl -n {ns} port-forward svc/{name}-rest 8081:8081"


def test_prod_namespace_is_sized_and_derived_as_configured() -> None:
    _, outputs = run_program(stack_config("prod"), "prod")
    assert outputs["taskManagers"] == 10
    assert outputs["totalSlots"] == 40
    _, outputs = run_program(stack_config("staging"), "staging")
    assert outputs["taskManagers"] == 2  # derived: ceil(8 / 4)


def test_existing_namespace_is_not_created() -> None:
    registered, _ = run_program({"cluster": minimal_cluster(createNamespace=False, namespace="shared")})
    assert not by_kind(registered, "kubernetes:core/v1:Namespace")
    for deployment in by_kind(registered, "kubernetes:apps/v1:Deployment"):
        assert deployment.inputs["metadata"]["namespace"] == "shared"


@pytest.mark.parametrize(
    ("cluster", "path"),
    [
        (minimal_cluster(parallelism=0), "cluster.parallelism"),
        (minimal_cluster(taskManager={"slots": 2, "cpu": 1}), "cluster.taskManager.memory"),
        (minimal_cluster(flinkConfiguration={"taskmanager.numberOfTaskSlots": 8}), "cluster.flinkConfiguration"),
        (minimal_cluster(name="UPPER"), "cluster.name"),
    ],
)
def test_invalid_config_registers_nothing(cluster: dict[str, Any], path: str) -> None:
    registered: list[Registered] = []
    with pytest.raises(pulumi.RunError, match=path.replace(".", r"\.")):
        run_program({"cluster": cluster}, sink=registered)
    assert registered == []


def test_the_same_harness_does_record_a_valid_program() -> None:
    """Guards the test above: an empty sink must mean 'nothing registered', not 'not recorded'."""
    registered: list[Registered] = []
    run_program({"cluster": minimal_cluster()}, sink=registered)
    # component, namespace, service account, configmap, 2 services, 2 deployments, 3 network policies, 1 PDB,
    # and the TaskManager scaling resource
    assert len(registered) == 13


@pytest.mark.parametrize("preview", [True, False])
def test_too_small_memory_fails_preview_and_smallest_size_passes(preview: bool) -> None:
    too_small = minimal_cluster(taskManager={"slots": 2, "cpu": 1, "memory": "981Mi"})
    registered: list[Registered] = []
    with pytest.raises(pulumi.RunError, match=r"cluster\.taskManager\.memory = '981Mi': is too small.*use at least 982Mi"):
        run_program({"cluster": too_small}, preview=preview, sink=registered)
    assert registered == []
    smallest = minimal_cluster(taskManager={"slots": 2, "cpu": 1, "memory": "982Mi"})
    registered, outputs = run_program({"cluster": smallest}, preview=preview)
    assert outputs["taskManagerMemory"]["processMiB"] == 982


def test_memory_breakdown_is_exported(stack_run: tuple[str, list[Registered], dict[str, Any]]) -> None:
    _, _, outputs = stack_run
    tm = outputs["taskManagerMemory"]
    parts = ("frameworkHeapMiB", "taskHeapMiB", "frameworkOffHeapMiB", "taskOffHeapMiB", "managedMiB", "networkMiB")
    assert abs(sum(tm[p] for p in parts) - tm["flinkMiB"]) < 0.1
    assert tm["flinkMiB"] + tm["jvmMetaspaceMiB"] + tm["jvmOverheadMiB"] == pytest.approx(tm["processMiB"], abs=0.05)
    assert tm["jvmFlags"].startswith("-Xmx")
    assert outputs["jobManagerMemory"]["jvmFlags"].startswith("-Xmx")


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("cluster", "analytics", r"cluster = 'analytics': must be a mapping of cluster settings"),
        ("cluster", "5", r"cluster = 5: must be a mapping of cluster settings"),
        ("cluster", "[1, 2]", r"cluster = \[1, 2\]: must be a mapping of cluster settings"),
        ("cluster", '{"name": ', r"""cluster = '\{"name": ': must be a mapping of cluster settings"""),
        ("clusters", "team-a", r"clusters = 'team-a': must be a non-empty list of clusters"),
        ("clusters", "7", r"clusters = 7: must be a non-empty list of clusters"),
    ],
)
def test_a_malformed_stack_value_is_the_programs_own_error(key: str, text: str, message: str) -> None:
    """A string, number or list where a map belongs: the program's ConfigError, not Pulumi's ConfigTypeError."""
    registered: list[Registered] = []
    with pytest.raises(pulumi.RunError, match=rf"invalid flink-session configuration \(1 problem\):\n  - {message}"):
        run_program({}, sink=registered, config_text={key: text})
    assert registered == []


def test_a_malformed_secret_stack_value_is_not_echoed() -> None:
    """`pulumi config set --secret flink-session:cluster <text>`: the error says what is wrong, not the secret."""
    with pytest.raises(pulumi.RunError, match=r"  - cluster: must be a mapping of cluster settings") as caught:
        run_program({}, config_text={"cluster": "hunter2-not-a-map"}, secret_keys=("cluster",))
    assert "hunter2" not in str(caught.value)
