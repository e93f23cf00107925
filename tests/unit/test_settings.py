"""Pure tests of resolution (spec -> model): defaults, derivations, and every bad-input message.

Each invalid case checks that the error names the key path, shows the bad value
and says what would be accepted, and that all problems come in one error.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.errors import ConfigError
from components.model.naming import MAX_CLUSTER_NAME_LENGTH
from components.resolution import parse_stack_config
from tests.support.config import STACKS, minimal_cluster, resolve, stack_cluster


def problems_of(cluster: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_stack_config({"cluster": cluster})
    return info.value


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_file_is_valid(stack: str) -> None:
    cluster = stack_cluster(stack)
    assert cluster.total_slots >= cluster.parallelism


def test_stacks_differ_like_real_environments() -> None:
    dev, staging, prod = (stack_cluster(s) for s in STACKS)
    assert dev.task_manager.replicas < staging.task_manager.replicas < prod.task_manager.replicas
    assert dev.task_manager.memory_bytes < staging.task_manager.memory_bytes < prod.task_manager.memory_bytes
    assert dev.parallelism < staging.parallelism < prod.parallelism
    assert {dev.flink_version.major, prod.flink_version.major} == {1, 2}


def test_replicas_are_derived_from_parallelism_and_slots() -> None:
    cluster = resolve(minimal_cluster(parallelism=5))
    assert cluster.task_manager.replicas == 3  # ceil(5 / 2)


def test_per_slot_resources_multiply_by_slots() -> None:
    cluster = minimal_cluster(taskManager={"slots": 4, "cpuPerSlot": "500m", "memoryPerSlot": "1Gi"})
    resolved = resolve(cluster)
    assert resolved.task_manager.cpu_millis == 2000
    assert resolved.task_manager.memory_bytes == 4 * 2**30


def test_defaults() -> None:
    cluster = resolve(minimal_cluster())
    assert cluster.namespace == "demo"
    assert cluster.create_namespace
    assert str(cluster.image) == "flink:2.2.1-scala_2.12-java17"
    assert cluster.image_pull_policy == "Always"
    assert cluster.environment == "production"
    assert cluster.task_manager.cpu_limit_millis == cluster.task_manager.cpu_millis


def test_the_model_is_immutable() -> None:
    cluster = resolve(minimal_cluster(labels={"team": "a"}))
    with pytest.raises(AttributeError):
        cluster.parallelism = 9  # type: ignore[misc]
    with pytest.raises(TypeError):
        cluster.labels["team"] = "b"  # type: ignore[index]


@pytest.mark.parametrize(
    ("overrides", "path", "fragment"),
    [
        ({"parallelism": 0}, "cluster.parallelism", "greater than or equal to 1"),
        ({"parallelism": -3}, "cluster.parallelism", "greater than or equal to 1"),
        ({"parallelism": "4"}, "cluster.parallelism", "valid integer"),
        ({"taskManager": {"slots": 0, "cpu": 1, "memory": "1728Mi"}}, "cluster.taskManager.slots", "greater than or equal to 1"),
        (
            {"taskManager": {"slots": 2, "replicas": 0, "cpu": 1, "memory": "1728Mi"}},
            "cluster.taskManager.replicas",
            "greater than or equal to 1",
        ),
        ({"taskManager": {"slots": 2, "cpu": 0, "memory": "1728Mi"}}, "cluster.taskManager.cpu", "greater than zero"),
        ({"taskManager": {"slots": 2, "cpu": 1, "memory": "0Mi"}}, "cluster.taskManager.memory", "greater than zero"),
        ({"taskManager": {"slots": 2, "cpu": 1, "memory": "much"}}, "cluster.taskManager.memory", "1728Mi, 2Gi"),
        ({"jobManager": {"cpu": "1", "memory": "1G"}}, "cluster.jobManager.memory", "953Mi or 954Mi"),
        ({"jobManager": {"cpu": "x", "memory": "1Gi"}}, "cluster.jobManager.cpu", "not a Kubernetes quantity"),
        ({"name": "Analytics"}, "cluster.name", "DNS-1035"),
        ({"name": "9lives"}, "cluster.name", "DNS-1035"),
        ({"name": "a" * (MAX_CLUSTER_NAME_LENGTH + 1)}, "cluster.name", f"at most {MAX_CLUSTER_NAME_LENGTH}"),
        ({"namespace": "Flink_Dev"}, "cluster.namespace", "DNS-1123"),
        ({"flinkVersion": 1.2}, "cluster.flinkVersion", "must be quoted"),
        ({"flinkVersion": "1.18.1"}, "cluster.flinkVersion", "supported: 1.19, 1.20, 2.0"),
        ({"flinkVersion": "two"}, "cluster.flinkVersion", "X.Y.Z"),
        ({"image": "flink:latest"}, "cluster.image", "pin a version tag or a digest"),
        ({"image": "flink"}, "cluster.image", "no tag or digest"),
        ({"image": "flink:1.20.4-java17"}, "cluster.image", "flinkVersion is 2.2.1"),
        ({"imagePullPolicy": "Sometimes"}, "cluster.imagePullPolicy", "'Always', 'IfNotPresent' or 'Never'"),
        ({"labels": {"app.kubernetes.io/instance": "x"}}, 'cluster.labels["app.kubernetes.io/instance"]', "used in selectors"),
        ({"labels": {"team": "not valid!"}}, "cluster.labels.team", "valid label value"),
        ({"annotations": {"bad key!": "v"}}, 'cluster.annotations["bad key!"]', "not a valid key"),
        ({"flinkConfiguration": {"state": {"nested": 1}}}, "cluster.flinkConfiguration.state", "string, number, boolean"),
    ],
)
def test_bad_values_name_path_value_and_accepted_range(overrides: dict[str, Any], path: str, fragment: str) -> None:
    error = problems_of(minimal_cluster(**overrides))
    assert path in error.paths, str(error)
    line = next(line for line in str(error).splitlines() if line.strip().startswith(f"- {path}"))
    assert fragment in line, line


@pytest.mark.parametrize(
    "key",
    [
        "taskmanager.numberOfTaskSlots",
        "parallelism.default",
        "taskmanager.memory.process.size",
        "jobmanager.rpc.address",
        "rest.port",
    ],
)
def test_owned_flink_keys_are_rejected_with_the_reason(key: str) -> None:
    error = problems_of(minimal_cluster(flinkConfiguration={key: "1"}))
    assert f'cluster.flinkConfiguration["{key}"]' in error.paths
    assert "may not be overridden" in str(error)


def test_unknown_keys_get_a_did_you_mean() -> None:
    error = problems_of(minimal_cluster(taskManager={"slotz": 2, "cpu": 1, "memory": "1728Mi"}, paralelism=3))
    text = str(error)
    assert "cluster.taskManager.slotz" in error.paths
    assert "did you mean 'slots'?" in text
    assert "cluster.paralelism" in error.paths
    assert "did you mean 'parallelism'?" in text


def test_both_resource_styles_are_rejected() -> None:
    error = problems_of(minimal_cluster(taskManager={"slots": 2, "cpu": 1, "memory": "2Gi", "memoryPerSlot": "1Gi"}))
    assert "cluster.taskManager" in error.paths
    assert "exactly one style" in str(error)


def test_no_resource_style_is_rejected() -> None:
    error = problems_of(minimal_cluster(taskManager={"slots": 2}))
    assert "either cpu + memory" in str(error)


def test_half_a_resource_style_is_rejected() -> None:
    error = problems_of(minimal_cluster(taskManager={"slots": 2, "cpuPerSlot": 1}))
    assert "cluster.taskManager.memoryPerSlot" in error.paths


def test_too_few_replicas_for_parallelism() -> None:
    error = problems_of(minimal_cluster(parallelism=9, taskManager={"slots": 2, "replicas": 4, "cpu": 1, "memory": "1728Mi"}))
    assert "cluster.taskManager.replicas" in error.paths
    assert "4 x 2 = 8 slots, fewer than cluster.parallelism 9; use at least 5 replicas" in str(error)


def test_missing_required_keys() -> None:
    error = problems_of({"name": "x"})
    for key in ("flinkVersion", "parallelism", "taskManager", "jobManager"):
        assert f"cluster.{key}" in error.paths


def test_missing_cluster_key() -> None:
    with pytest.raises(ConfigError, match="flink-session:cluster"):
        parse_stack_config({})


def test_all_problems_are_reported_together() -> None:
    error = problems_of(
        minimal_cluster(
            name="Bad_Name",
            parallelism=0,
            jobManager={"cpu": 0, "memory": "1Gi"},
            flinkConfiguration={"parallelism.default": 4},
            labels={"app.kubernetes.io/name": "x"},
        )
    )
    assert len(error.problems) == 5, str(error)
    assert str(error).startswith("invalid flink-session configuration (5 problems):")


def test_digest_pinned_images_are_accepted() -> None:
    digest = "sha256:" + "a" * 64
    cluster = resolve(minimal_cluster(image=f"registry.example.com:5000/flink@{digest}"))
    assert cluster.image.digest == digest
    assert str(cluster.image) == f"registry.example.com:5000/flink@{digest}"


def test_cpu_limit_below_request_is_rejected() -> None:
    error = problems_of(minimal_cluster(taskManager={"slots": 2, "cpu": 2, "memory": "1728Mi", "cpuLimit": 1}))
    assert "cluster.taskManager.cpuLimit" in error.paths
