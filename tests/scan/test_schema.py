"""Every rendered object validates against the official Kubernetes OpenAPI schema, strictly.

Checked for the oldest (1.29) and newest (1.37) Kubernetes minors this project
supports, with kubernetes-validate's offline schemas; strict mode rejects unknown
fields, which catches misspelt keys that the API server would silently drop.
"""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest

from tests.support.config import STACKS, stack_config
from tools.mocks import rendered_manifests

KUBERNETES_VERSIONS = ("1.29.0", "1.37.0")
# Custom resources have no schema in kubernetes-validate; their structure is unit-tested
# (tests/unit/test_operations.py) and they are the only kinds left out here.
CUSTOM_RESOURCE_KINDS = frozenset({"PodMonitor"})


@pytest.fixture(scope="module", params=STACKS)
def manifests(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    return rendered_manifests(stack_config(request.param), request.param)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_object_matches_the_schema(manifests: list[dict[str, Any]], version: str) -> None:
    kinds = set()
    for manifest in manifests:
        kinds.add(manifest["kind"])
        if manifest["kind"] in CUSTOM_RESOURCE_KINDS:
            continue
        kubernetes_validate.validate(manifest, version, strict=True)
    assert {"Namespace", "ConfigMap", "Service", "Deployment", "NetworkPolicy", "ServiceAccount"} <= kinds


def test_the_validator_rejects_a_misspelt_field() -> None:
    """Guards the test above: strict validation must fail on an unknown field."""
    manifest = rendered_manifests(stack_config("dev"), "dev")
    deployment = next(m for m in manifest if m["kind"] == "Deployment")
    deployment["spec"]["replica"] = 2
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[0], strict=True)
