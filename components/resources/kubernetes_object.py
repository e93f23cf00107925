"""One Kubernetes object as a Pulumi resource, registered by type token with its manifest as the inputs."""

from __future__ import annotations

import functools
import importlib.resources
import json
from typing import Any

import pulumi

from components.model.cluster import Sensitive, replace_sensitive

# Secret data is a secret output too, as pulumi-kubernetes' own Secret class declares.
_SECRET_OUTPUTS = {("v1", "Secret"): ["data", "stringData"]}


def type_token(api_version: str, kind: str) -> str:
    """The provider's type token: `kubernetes:core/v1:ConfigMap`, `kubernetes:apps/v1:Deployment`, ..."""
    group_version = "core/v1" if api_version == "v1" else api_version
    return f"kubernetes:{group_version}:{kind}"


def _as_secret(value: Sensitive) -> pulumi.Output[str]:
    """Sensitive values become Pulumi secrets: encrypted in state, masked in previews and outputs."""
    return pulumi.Output.secret(value.reveal())


class KubernetesObject(pulumi.CustomResource):
    """One Kubernetes object; `metadata` (and every other field) comes back as the provider's output.

    pulumi-kubernetes' typed classes (`k8s.apps.v1.Deployment`, ...) send exactly this
    to the engine (a test registers both ways and compares), but importing their API
    group modules costs ~0.25 s per program run, more than the rest of the program.
    Like them, it pins the provider to the installed pulumi-kubernetes version.
    """

    metadata: pulumi.Output[Any]

    def __init__(self, resource_name: str, manifest: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        props = {key: replace_sensitive(value, _as_secret) for key, value in manifest.items()}
        token = type_token(manifest["apiVersion"], manifest["kind"])
        super().__init__(token, resource_name, props, registration_options(manifest, opts))


@functools.cache
def provider_version() -> str:
    """The provider version the installed pulumi-kubernetes declares (pulumi-plugin.json), which its typed classes pin."""
    declared = importlib.resources.files("pulumi_kubernetes").joinpath("pulumi-plugin.json").read_text()
    version: str = json.loads(declared)["version"]
    return version


def registration_options(manifest: dict[str, Any], opts: pulumi.ResourceOptions) -> pulumi.ResourceOptions:
    """The provider version pin (and Secret's secret outputs) that the typed classes add, merged with `opts`."""
    defaults = pulumi.ResourceOptions(version=provider_version())
    secret_outputs = _SECRET_OUTPUTS.get((manifest["apiVersion"], manifest["kind"]))
    if secret_outputs:
        defaults = pulumi.ResourceOptions.merge(defaults, pulumi.ResourceOptions(additional_secret_outputs=secret_outputs))
    return pulumi.ResourceOptions.merge(defaults, opts)
