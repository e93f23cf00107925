"""The CrossGuard policy pack (policy/): every rule on a passing and a violating resource.

Passing resources are the real ones: what tools/render produces for each stack. Each
violating case mutates one field of them. Rules are called through the pack's own
policies (pulumi_policy's ResourceValidationArgs / StackValidationArgs), so the
wiring to resource types and policy config is tested too.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from tests.support.config import STACKS
from tools.review.render import render_objects

import rules
from pack import POLICIES

TYPES = {
    "Deployment": rules.DEPLOYMENT,
    "ConfigMap": rules.CONFIG_MAP,
    "Service": rules.SERVICE,
    "Namespace": rules.NAMESPACE,
    "NetworkPolicy": rules.NETWORK_POLICY,
    # the scaling guard, as its props reach the pack (no Kubernetes kind of its own)
    "TaskManagerScaling": rules.DYNAMIC,
}


def policy(name: str) -> Any:
    (match,) = [p for p in POLICIES if p.name == name]
    return match


def _options() -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=False,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
    )


def _urn(stack: str, kind: str, name: str) -> str:
    return f"urn:pulumi:{stack}::flink-session::flink-session:index:FlinkSessionCluster${TYPES[kind]}::{name}"


def resource_violations(
    name: str, manifest: dict[str, Any], stack: str = "test", config: dict[str, Any] | None = None
) -> list[str]:
    found: list[str] = []
    args = ResourceValidationArgs(
        TYPES[manifest["kind"]],
        manifest,
        _urn(stack, manifest["kind"], manifest["metadata"]["name"]),
        manifest["metadata"]["name"],
        _options(),
        None,
        config,
    )
    checked: ResourceValidationPolicy = policy(name)
    validate: Callable[..., None] = checked.validate  # type: ignore[assignment]
    validate(args, lambda message, urn=None: found.append(message))
    return found


def stack_violations(name: str, manifests: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    resources = [
        PolicyResource(
            TYPES[m["kind"]],
            m,
            _urn("test", m["kind"], m["metadata"]["name"]),
            m["metadata"]["name"],
            _options(),
            None,
            None,
            [],
            {},
        )
        for m in manifests
        if m["kind"] in TYPES
    ]
    checked: StackValidationPolicy = policy(name)
    validate: Callable[..., None] = checked.validate  # type: ignore[assignment]
    validate(StackValidationArgs(resources), lambda message, urn=None: found.append(message))
    return found


@pytest.fixture(scope="module")
def stacks() -> dict[str, list[dict[str, Any]]]:
    return {stack: render_objects(stack) for stack in STACKS}


def of_kind(manifests: list[dict[str, Any]], kind: str, name_suffix: str = "") -> dict[str, Any]:
    return copy.deepcopy(next(m for m in manifests if m["kind"] == kind and m["metadata"]["name"].endswith(name_suffix)))


def main_container(deployment: dict[str, Any]) -> dict[str, Any]:
    container: dict[str, Any] = deployment["spec"]["template"]["spec"]["containers"][0]
    return container


RESOURCE_RULES = [
    "flink-resources-set",
    "restricted-security-context",
    "pinned-images",
    "flink-rest-not-exposed",
    "namespace-enforces-restricted",
]


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_passes_every_rule(stacks: dict[str, list[dict[str, Any]]], stack: str) -> None:
    manifests = stacks[stack]
    for name in RESOURCE_RULES:
        for manifest in manifests:
            if manifest["kind"] in TYPES:
                assert resource_violations(name, manifest, stack) == [], (name, manifest["metadata"]["name"])
    for name in ("flink-process-size-equals-limit", "network-policy-selects-flink-pods", "force-scale-down-in-production"):
        assert stack_violations(name, manifests) == [], name
    assert all(resource_violations("ha-in-production", m, stack) == [] for m in manifests if m["kind"] == "ConfigMap")


def test_enforcement_levels() -> None:
    levels = {p.name: p.enforcement_level for p in POLICIES}
    assert levels.pop("ha-in-production") == EnforcementLevel.ADVISORY
    assert levels.pop("force-scale-down-in-production") == EnforcementLevel.ADVISORY
    assert set(levels.values()) == {EnforcementLevel.MANDATORY}


def test_resources_rule(stacks: dict[str, list[dict[str, Any]]]) -> None:
    deployment = of_kind(stacks["dev"], "Deployment", "-taskmanager")
    main_container(deployment)["resources"]["limits"]["memory"] = "4Gi"
    assert any("memory limit 4Gi != request" in v for v in resource_violations("flink-resources-set", deployment))
    del main_container(deployment)["resources"]["requests"]["cpu"]
    assert any("no cpu request" in v for v in resource_violations("flink-resources-set", deployment))


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda c: c["securityContext"].update(allowPrivilegeEscalation=True), "allowPrivilegeEscalation"),
        (lambda c: c["securityContext"].update(readOnlyRootFilesystem=False), "readOnlyRootFilesystem"),
        (lambda c: c["securityContext"].update(capabilities={"add": ["SYS_ADMIN"], "drop": ["ALL"]}), "adds capabilities"),
        (lambda c: c["securityContext"].update(privileged=True), "privileged"),
        (lambda c: c["securityContext"].pop("runAsNonRoot"), None),  # the pod's runAsNonRoot still applies
    ],
)
def test_security_context_rule(
    stacks: dict[str, list[dict[str, Any]]], mutate: Callable[[dict[str, Any]], Any], fragment: str | None
) -> None:
    deployment = of_kind(stacks["dev"], "Deployment", "-jobmanager")
    mutate(main_container(deployment))
    found = resource_violations("restricted-security-context", deployment)
    if fragment is None:
        assert found == []
    else:
        assert any(fragment in v for v in found), found


def test_security_context_rule_without_a_pod_level_non_root(stacks: dict[str, list[dict[str, Any]]]) -> None:
    deployment = of_kind(stacks["dev"], "Deployment", "-jobmanager")
    main_container(deployment)["securityContext"].pop("runAsNonRoot")
    deployment["spec"]["template"]["spec"]["securityContext"].pop("runAsNonRoot")
    assert any("runAsNonRoot" in v for v in resource_violations("restricted-security-context", deployment))


@pytest.mark.parametrize(
    ("image", "violates"),
    [
        ("flink:latest", True),
        ("flink", True),
        ("registry:5000/flink", True),
        ("flink:2.2.1-java17", False),
        ("flink@sha256:" + "a" * 64, False),
    ],
)
def test_pinned_images_rule(stacks: dict[str, list[dict[str, Any]]], image: str, violates: bool) -> None:
    deployment = of_kind(stacks["dev"], "Deployment", "-taskmanager")
    main_container(deployment)["image"] = image
    assert bool(resource_violations("pinned-images", deployment)) is violates


@pytest.mark.parametrize("service_type", ["NodePort", "LoadBalancer"])
def test_rest_exposure_rule_and_its_config(stacks: dict[str, list[dict[str, Any]]], service_type: str) -> None:
    service = of_kind(stacks["dev"], "Service", "-rest")
    service["spec"]["type"] = service_type
    assert resource_violations("flink-rest-not-exposed", service)
    assert resource_violations("flink-rest-not-exposed", service, config={"allowExposedRest": True}) == []
    rpc = of_kind(stacks["dev"], "Service", "-jobmanager")
    rpc["spec"]["type"] = service_type  # not the REST API: another rule's business
    assert resource_violations("flink-rest-not-exposed", rpc) == []


@pytest.mark.parametrize(("port", "what"), [(8082, "History Server"), (8083, "SQL Gateway")])
def test_the_other_web_endpoints_are_not_exposed_either(stacks: dict[str, list[dict[str, Any]]], port: int, what: str) -> None:
    service = of_kind(stacks["dev"], "Service", "-rest")
    service["spec"]["type"] = "LoadBalancer"
    service["spec"]["ports"] = [{"name": "http", "port": port, "targetPort": "http"}]
    (found,) = resource_violations("flink-rest-not-exposed", service)
    assert f"Service exposes the Flink {what}" in found and "as LoadBalancer" in found
    assert resource_violations("flink-rest-not-exposed", service, config={"allowExposedRest": True}) == []


def _scaling_guard(namespace: str, cluster: str, *, force: bool) -> dict[str, Any]:
    return {
        "kind": "TaskManagerScaling",
        "metadata": {"name": f"{cluster}-taskmanager-scaling"},
        "access": {"cluster": cluster, "namespace": namespace, "port": 8081, "selector": "a=b"},
        "replicas": 2,
        "slots": 2,
        "forceScaleDown": force,
    }


def test_force_scale_down_is_advised_against_only_in_production(stacks: dict[str, list[dict[str, Any]]]) -> None:
    prod, dev = stacks["prod"], stacks["dev"]
    prod_tm, dev_tm = of_kind(prod, "Deployment", "-taskmanager"), of_kind(dev, "Deployment", "-taskmanager")
    in_prod = (prod_tm["metadata"]["namespace"], prod_tm["metadata"]["labels"]["app.kubernetes.io/instance"])
    in_dev = (dev_tm["metadata"]["namespace"], dev_tm["metadata"]["labels"]["app.kubernetes.io/instance"])
    assert stack_violations("force-scale-down-in-production", [*prod, _scaling_guard(*in_prod, force=False)]) == []
    assert stack_violations("force-scale-down-in-production", [*dev, _scaling_guard(*in_dev, force=True)]) == []
    assert stack_violations("force-scale-down-in-production", [*prod, _scaling_guard(*in_prod, force=True)]) == [
        f"cluster '{in_prod[1]}' in environment 'production' sets taskManager.forceScaleDown: "
        "a scale-down may take slots running jobs hold"
    ]


def test_namespace_rule(stacks: dict[str, list[dict[str, Any]]]) -> None:
    namespace = of_kind(stacks["dev"], "Namespace")
    namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] = "baseline"
    assert resource_violations("namespace-enforces-restricted", namespace)


def test_process_size_rule(stacks: dict[str, list[dict[str, Any]]]) -> None:
    manifests = copy.deepcopy(stacks["prod"])
    deployment = next(m for m in manifests if m["kind"] == "Deployment" and m["metadata"]["name"].endswith("-taskmanager"))
    main_container(deployment)["resources"]["limits"]["memory"] = "9Gi"
    found = stack_violations("flink-process-size-equals-limit", manifests)
    assert found == [
        "taskmanager of 'analytics': taskmanager.memory.process.size is 8g but the container memory limit is 9Gi; "
        "the JVM would be sized for a different container"
    ]


def test_network_policy_rule(stacks: dict[str, list[dict[str, Any]]]) -> None:
    manifests = [m for m in stacks["dev"] if m["kind"] != "NetworkPolicy" or not m["metadata"]["name"].endswith("-default-deny")]
    manifests = [
        m for m in manifests if not (m["kind"] == "NetworkPolicy" and m["metadata"]["name"].endswith("-taskmanager-ingress"))
    ]
    found = stack_violations("network-policy-selects-flink-pods", manifests)
    assert found == ["Deployment 'analytics-taskmanager': no NetworkPolicy in namespace 'flink-dev' selects its pods"]


def test_ha_advisory_only_in_production_by_the_environment_label(stacks: dict[str, list[dict[str, Any]]]) -> None:
    """The label the program puts on every object decides, whatever the stack is called."""
    config_map = of_kind(stacks["dev"], "ConfigMap")  # dev: development, without HA
    assert config_map["metadata"]["labels"]["flink-session.dev/environment"] == "development"
    assert resource_violations("ha-in-production", config_map, "prod") == []
    config_map["metadata"]["labels"]["flink-session.dev/environment"] = "production"
    assert resource_violations("ha-in-production", config_map, "dev") == [
        "cluster 'analytics' in environment 'production' runs without high availability"
    ]
    ha = of_kind(stacks["prod"], "ConfigMap")
    assert ha["metadata"]["labels"]["flink-session.dev/environment"] == "production"
    assert resource_violations("ha-in-production", ha, "prod") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1728m", 1728 * 2**20), ("8g", 8 * 2**30), ("1024 mb", 2**30), ("12345", 12345), ("lots", None)],
)
def test_flink_sizes(text: str, expected: int | None) -> None:
    assert rules.flink_bytes(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"), [("1728Mi", 1728 * 2**20), ("2Gi", 2 * 2**30), ("1G", 10**9), ("1.5Gi", 3 * 2**29)]
)
def test_kubernetes_quantities(text: str, expected: int) -> None:
    assert rules.kubernetes_bytes(text) == expected
