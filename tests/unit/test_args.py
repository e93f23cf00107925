"""The component's public arguments are the input schema in Python spelling, validated by the same code.

Args turn into exactly the stack's keys (only what differs from a default), resolve to
the same model as the same cluster written in a stack file, and fail with the same
problems and key paths.
"""

from __future__ import annotations

import dataclasses

import pytest

from components.errors import ConfigError
from components.input.schema import (
    FlinkSessionClusterArgs,
    HighAvailabilityArgs,
    JobManagerArgs,
    MetricsArgs,
    PeerArgs,
    S3Args,
    SchedulingArgs,
    StorageArgs,
    TaskManagerArgs,
    TolerationArgs,
    stack_keys,
)
from components.resolution import parse_stack_config, resolve_args
from tests.support.config import minimal_cluster, resolve, stack_cluster, stack_config

DEV_AS_ARGS = FlinkSessionClusterArgs(
    namespace="flink-dev",
    environment="development",
    flink_version="2.2.1",
    image="flink:2.2.1-scala_2.12-java17",
    parallelism=2,
    task_manager=TaskManagerArgs(slots=2, cpu="1", memory="1728Mi", scratch_size="1Gi"),
    job_manager=JobManagerArgs(cpu="500m", memory="1024Mi"),
    labels={"environment": "dev"},
)


def test_the_dev_stack_written_as_args_resolves_to_the_same_model() -> None:
    assert stack_keys(DEV_AS_ARGS) == {k: v for k, v in stack_config("dev")["cluster"].items() if k != "name"}
    resolution = resolve_args("analytics", DEV_AS_ARGS)
    assert resolution.cluster == stack_cluster("dev")
    assert resolution.warnings == parse_stack_config(stack_config("dev"))[0].warnings


def test_nested_args_become_the_stacks_keys_and_lists() -> None:
    args = FlinkSessionClusterArgs(
        flink_version="2.2.1",
        parallelism=4,
        task_manager=TaskManagerArgs(slots=2, cpu_per_slot="500m", memory_per_slot="1Gi"),
        job_manager=JobManagerArgs(cpu=1, memory="1Gi"),
        scheduling=SchedulingArgs(tolerations=(TolerationArgs(key="pool", operator="Exists"),)),
        high_availability=HighAvailabilityArgs(enabled=True, storage_dir="s3://b/ha"),
        storage=StorageArgs(s3=S3Args(access_key="a", secret_key="s")),
        metrics=MetricsArgs(prometheus=True, scrapers=[PeerArgs(cidr="10.0.0.0/8")]),
        flink_configuration={"pipeline.object_reuse": True},
    )
    assert stack_keys(args) == {
        "flinkVersion": "2.2.1",
        "parallelism": 4,
        "taskManager": {"slots": 2, "cpuPerSlot": "500m", "memoryPerSlot": "1Gi"},
        "jobManager": {"cpu": 1, "memory": "1Gi"},
        "scheduling": {"tolerations": [{"key": "pool", "operator": "Exists"}]},
        "highAvailability": {"enabled": True, "storageDir": "s3://b/ha"},
        "storage": {"s3": {"accessKey": "a", "secretKey": "s"}},
        "metrics": {"prometheus": True, "scrapers": [{"cidr": "10.0.0.0/8"}]},
        # the user's own keys are kept as written, underscores and all
        "flinkConfiguration": {"pipeline.object_reuse": True},
    }


def test_invalid_args_fail_with_the_stacks_problems_and_key_paths() -> None:
    args = dataclasses.replace(DEV_AS_ARGS, task_manager=TaskManagerArgs(slots=2, cpu="1", memory="900Mi", cpu_limit="500m"))
    with pytest.raises(ConfigError) as from_args:
        resolve_args("analytics", args)
    with pytest.raises(ConfigError) as from_stack:
        resolve(minimal_cluster(**{**stack_keys(args), "name": "analytics"}))
    assert from_args.value.paths == from_stack.value.paths
    assert {"cluster.taskManager.cpuLimit", "cluster.taskManager.memory"} <= set(from_args.value.paths)
    assert str(from_args.value) == str(from_stack.value)


def test_a_wrong_type_is_reported_at_its_key_path() -> None:
    args = dataclasses.replace(DEV_AS_ARGS, parallelism="2")  # type: ignore[arg-type]
    with pytest.raises(ConfigError) as caught:
        resolve_args("analytics", args)
    assert caught.value.paths == ("cluster.parallelism",)


def test_the_components_name_is_validated_as_the_clusters_name() -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_args("Not_A_Name", DEV_AS_ARGS)
    assert caught.value.paths == ("cluster.name",)
