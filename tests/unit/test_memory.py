"""Pure tests of the Flink memory model and its preview-time validation.

Byte-exact agreement with Flink itself is proven in tests/flink/test_memory_oracle.py;
these pin the documented examples and the user-facing messages.
"""

from __future__ import annotations

import pytest

from components.errors import ConfigError
from components.flink.memory import jobmanager_memory, smallest_valid_process_size, taskmanager_memory
from components.flink.memory_options import MemoryModelError
from components.kubernetes.quantities import MIB
from components.resolution import parse_stack_config
from tests.support.config import minimal_cluster, resolution_of


def test_flink_documented_taskmanager_example() -> None:
    memory = taskmanager_memory(1728 * MIB, {})
    assert memory.jvm_overhead == 192 * MIB
    assert memory.flink == 1280 * MIB
    # Fractions are Java floats: 0.4f and 0.1f are a little above 0.4 and 0.1.
    assert memory.managed == 536870920
    assert memory.network == 134217730
    assert memory.jvm_flags() == "-Xmx536870902 -Xms536870902 -XX:MaxDirectMemorySize=268435458 -XX:MaxMetaspaceSize=268435456"


def test_flink_documented_jobmanager_example() -> None:
    memory = jobmanager_memory(1600 * MIB, {})
    assert memory.heap == 1024 * MIB
    assert memory.jvm_flags() == "-Xmx1073741824 -Xms1073741824 -XX:MaxMetaspaceSize=268435456"


def test_overhead_is_capped_at_its_maximum() -> None:
    assert taskmanager_memory(32 * 1024 * MIB, {}).jvm_overhead == 1024 * MIB


def test_smallest_sizes_with_default_options() -> None:
    assert smallest_valid_process_size(taskmanager_memory, {}) == 982 * MIB
    assert smallest_valid_process_size(jobmanager_memory, {}) == 577 * MIB
    with pytest.raises(MemoryModelError):
        taskmanager_memory(981 * MIB, {})


def test_options_change_the_smallest_size() -> None:
    options = {"taskmanager.memory.managed.fraction": 0.1}
    smallest = smallest_valid_process_size(taskmanager_memory, options)
    assert smallest is not None and smallest < 982 * MIB


@pytest.mark.parametrize(
    ("memory", "smallest"),
    [("900Mi", "982Mi"), ("981Mi", "982Mi")],
)
def test_too_small_taskmanager_names_reason_and_smallest_size(memory: str, smallest: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_stack_config({"cluster": minimal_cluster(taskManager={"slots": 2, "cpu": 1, "memory": memory})})
    (problem,) = info.value.problems
    assert problem.path == "cluster.taskManager.memory"
    assert f"{memory}' is too small" in str(problem) or f"= '{memory}': is too small" in str(problem)
    assert "JVM metaspace 256Mi + JVM overhead 192Mi leave" in str(problem)
    assert f"use at least {smallest}" in str(problem)


def test_smallest_accepted_sizes_pass_validation() -> None:
    cluster = minimal_cluster(taskManager={"slots": 2, "cpu": 1, "memory": "982Mi"}, jobManager={"cpu": 1, "memory": "577Mi"})
    resolution = resolution_of(cluster)
    assert resolution.cluster.task_manager.layout.process == 982 * MIB
    assert any("JVM heap is only" in w for w in resolution.warnings)


def test_per_slot_memory_suggests_a_per_slot_size() -> None:
    cluster = minimal_cluster(taskManager={"slots": 4, "cpuPerSlot": 1, "memoryPerSlot": "200Mi"})
    with pytest.raises(ConfigError) as info:
        parse_stack_config({"cluster": cluster})
    (problem,) = info.value.problems
    assert problem.path == "cluster.taskManager.memoryPerSlot"
    assert "use at least 246Mi" in str(problem)  # 4 x 246Mi >= 982Mi


def test_too_small_jobmanager() -> None:
    with pytest.raises(ConfigError) as info:
        parse_stack_config({"cluster": minimal_cluster(jobManager={"cpu": 1, "memory": "576Mi"})})
    assert "cluster.jobManager.memory" in info.value.paths
    assert "use at least 577Mi" in str(info.value)


def test_bad_memory_option_points_at_the_option() -> None:
    cluster = minimal_cluster(flinkConfiguration={"taskmanager.memory.network.fraction": "lots"})
    with pytest.raises(ConfigError) as info:
        parse_stack_config({"cluster": cluster})
    assert 'cluster.flinkConfiguration["taskmanager.memory.network.fraction"]' in info.value.paths


def test_legacy_memory_keys_are_refused_with_the_new_name() -> None:
    cluster = minimal_cluster(flinkConfiguration={"taskmanager.network.memory.fraction": 0.2})
    with pytest.raises(ConfigError, match=r"set taskmanager\.memory\.network\.fraction instead"):
        parse_stack_config({"cluster": cluster})


def test_low_managed_memory_per_slot_warns() -> None:
    # development: no HA warning beside the memory warnings
    cluster = minimal_cluster(taskManager={"slots": 16, "cpu": 1, "memory": "1728Mi"}, parallelism=16, environment="development")
    expected = (
        "cluster.taskManager: managed memory is 32Mi per slot, below 64Mi; RocksDB state and batch operators will spill or fail"
    )
    assert resolution_of(cluster).warnings == (expected,)
    assert resolution_of(minimal_cluster(environment="development")).warnings == ()
