"""Property test, fast profile: any YAML value in any key is a ConfigError naming that key, or a valid render.

A few hundred examples (derandomized, so CI sees the same ones) over every key of the
spec and the memory options in flinkConfiguration; each render must pass the strict
OpenAPI schema of Kubernetes 1.29. The long profile (tests/flink/test_fuzz.py) runs
thousands more and also asks Flink's BashJavaUtils about every rendered memory layout.
"""

from __future__ import annotations

from typing import Any

import jsonschema  # type: ignore[import-untyped]  # kubernetes-validate's dependency; no stubs are pinned
import kubernetes_validate
import pytest
from hypothesis import HealthCheck, event, given, settings

from components.resolution import parse_stack_config
from tests.support.fuzz import KEY_PATHS, Path, bases, check_example, examples, full_cluster, path_text, spec_paths, targets
from tests.support.kube_schema import validate_strict
from tools.mocks import rendered_manifests

FAST_EXAMPLES = 400


@settings(
    max_examples=FAST_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(example=examples())
def test_any_value_in_any_key_is_an_error_naming_it_or_a_valid_render(example: tuple[str, Path, dict[str, Any]]) -> None:
    _, path, config = example
    rendered = check_example(path, config, kubernetes_versions=("1.29.0",))
    event("rendered" if rendered else "refused")


def test_every_spec_key_is_a_fuzz_target() -> None:
    """Guards the property: a key added to the spec is fuzzed without anyone listing it."""
    fuzzed = {path for _, path in targets()}
    missing = [path_text(("cluster", *p)) for p in spec_paths() if ("cluster", *p) not in fuzzed]
    assert not missing
    assert ("cluster", "taskManager", "slots") in KEY_PATHS
    assert ("cluster", "scheduling", "tolerations", 0, "tolerationSeconds") in KEY_PATHS
    assert ("cluster", "flinkConfiguration", "taskmanager.memory.managed.fraction") in KEY_PATHS
    assert ("cluster", "storage", "sharedVolume", "mountPath") in KEY_PATHS
    assert ("cluster", "environment") in KEY_PATHS


@pytest.mark.parametrize("index", range(len(bases())))
def test_every_base_is_valid(index: int) -> None:
    _, config = bases()[index]
    assert parse_stack_config(config)


def test_the_full_base_renders_every_optional_object() -> None:
    kinds = {m["kind"] for m in rendered_manifests({"cluster": full_cluster()})}
    assert {"Role", "RoleBinding", "Secret", "PodMonitor", "Ingress", "PodDisruptionBudget"} <= kinds


def test_the_cached_schema_check_agrees_with_kubernetes_validate() -> None:
    manifests = rendered_manifests({"cluster": full_cluster()})
    deployment = next(m for m in manifests if m["kind"] == "Deployment")
    for manifest in manifests:
        if manifest["kind"] != "PodMonitor":
            validate_strict(manifest, "1.29.0")
            kubernetes_validate.validate(manifest, "1.29.0", strict=True)
    deployment["spec"]["replica"] = 2
    with pytest.raises(jsonschema.ValidationError):
        validate_strict(deployment, "1.29.0")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, "1.29.0", strict=True)
