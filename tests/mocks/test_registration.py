"""KubernetesObject registers exactly what pulumi-kubernetes' typed classes register.

The component registers manifests by type token (to skip ~0.25 s of API-group
imports per run); this compares, under mocks and for every object of every stack,
the type, name and inputs (including which values are secrets) of both ways, and
the options the typed classes add (provider version pin, Secret's secret outputs).
"""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
from pulumi_kubernetes import _utilities

from components.resources.kubernetes_object import KubernetesObject, registration_options, type_token
from tests.support.config import STACKS
from tools.mocks import unwrap_secrets
from tools.review.render import render_objects

PROVIDER_VERSION: str = _utilities.get_version()  # type: ignore[no-untyped-call]

TYPED = {
    ("v1", "Namespace"): k8s.core.v1.Namespace,
    ("v1", "ConfigMap"): k8s.core.v1.ConfigMap,
    ("v1", "Service"): k8s.core.v1.Service,
    ("v1", "ServiceAccount"): k8s.core.v1.ServiceAccount,
    ("v1", "Secret"): k8s.core.v1.Secret,
    ("apps/v1", "Deployment"): k8s.apps.v1.Deployment,
    ("networking.k8s.io/v1", "NetworkPolicy"): k8s.networking.v1.NetworkPolicy,
    ("networking.k8s.io/v1", "Ingress"): k8s.networking.v1.Ingress,
    ("policy/v1", "PodDisruptionBudget"): k8s.policy.v1.PodDisruptionBudget,
    ("rbac.authorization.k8s.io/v1", "Role"): k8s.rbac.v1.Role,
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): k8s.rbac.v1.RoleBinding,
}


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def _typed(name: str, manifest: dict[str, Any]) -> None:
    cls = TYPED.get((manifest["apiVersion"], manifest["kind"]))
    fields = {_snake(k): v for k, v in manifest.items() if k not in ("apiVersion", "kind")}
    if "string_data" in fields:
        fields["string_data"] = {k: pulumi.Output.secret("<redacted>") for k in fields["string_data"]}
    if cls is None:
        k8s.apiextensions.CustomResource(name, api_version=manifest["apiVersion"], kind=manifest["kind"], **fields)
    else:
        cls(name, **fields)


def _generic(name: str, manifest: dict[str, Any]) -> None:
    manifest = dict(manifest)
    if "stringData" in manifest:
        manifest["stringData"] = {k: pulumi.Output.secret("<redacted>") for k in manifest["stringData"]}
    KubernetesObject(name, manifest, pulumi.ResourceOptions())


def registrations(register: Any, manifests: list[dict[str, Any]]) -> list[tuple[str, str, Any, list[str]]]:
    seen: list[tuple[str, str, Any, list[str]]] = []

    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[Any, Any]]:
            inputs, secret_paths = unwrap_secrets(dict(args.inputs))
            seen.append((args.typ, args.name, inputs, sorted(secret_paths)))
            return f"{args.name}-id", dict(args.inputs)

        def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
            return {}, None

    pulumi.runtime.set_mocks(Mocks(), project="flink-session", stack="test", preview=True)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def run() -> None:
        for index, manifest in enumerate(manifests):
            register(f"object-{index}", manifest)

    run()
    return sorted(seen, key=lambda r: r[1])


@pytest.mark.parametrize("stack", STACKS)
def test_generic_registration_equals_the_typed_classes(stack: str) -> None:
    manifests = render_objects(stack)
    typed, generic = registrations(_typed, manifests), registrations(_generic, manifests)
    assert sorted(r[0] for r in generic) == sorted(type_token(m["apiVersion"], m["kind"]) for m in manifests)
    assert generic == typed


def test_options_pin_the_provider_version_and_keep_secret_outputs() -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}
    options = registration_options(secret, pulumi.ResourceOptions(protect=True))
    assert options.version == PROVIDER_VERSION
    assert options.additional_secret_outputs == ["data", "stringData"]
    assert options.protect is True
    plain = registration_options({"apiVersion": "apps/v1", "kind": "Deployment"}, pulumi.ResourceOptions())
    assert plain.version == PROVIDER_VERSION and not plain.additional_secret_outputs
