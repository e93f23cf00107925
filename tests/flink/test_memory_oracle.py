"""Property test: the Python memory model agrees byte-for-byte with Flink's own computation.

Flink's BashJavaUtils (what the official image runs to size the JVM) is asked, in one
JVM per version, for hundreds of generated process sizes and memory options; the
Python model must accept exactly what Flink accepts, and produce the same JVM flags
and the same size for every memory pool.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from components.flink.memory import jobmanager_memory, taskmanager_memory
from components.flink.memory_options import MemoryModelError
from components.kubernetes.quantities import MIB
from tests.flink.conftest import ORACLE_VERSIONS, home_for
from tests.support.flink import MemoryOracle

CASES_PER_VERSION = 250


@pytest.fixture(scope="module", params=ORACLE_VERSIONS)
def oracle(
    request: pytest.FixtureRequest, flink_homes: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MemoryOracle]:
    home = home_for(flink_homes, request.param)
    oracle = MemoryOracle(home, tmp_path_factory.mktemp(f"oracle-{request.param}"))
    yield oracle
    oracle.close()


def sizes(low_mib: int, high_mib: int) -> st.SearchStrategy[str]:
    return st.integers(low_mib, high_mib).map(lambda m: f"{m}m")


def fractions(high: float) -> st.SearchStrategy[float]:
    return st.integers(0, int(high * 100)).map(lambda n: n / 100)


TM_OPTIONS: dict[str, st.SearchStrategy[Any]] = {
    "taskmanager.memory.managed.fraction": fractions(0.9),
    "taskmanager.memory.managed.size": sizes(0, 4096),
    "taskmanager.memory.network.fraction": fractions(0.5),
    "taskmanager.memory.network.min": sizes(0, 512),
    "taskmanager.memory.network.max": sizes(64, 4096),
    "taskmanager.memory.jvm-metaspace.size": sizes(64, 512),
    "taskmanager.memory.jvm-overhead.fraction": fractions(0.5),
    "taskmanager.memory.jvm-overhead.min": sizes(0, 512),
    "taskmanager.memory.jvm-overhead.max": sizes(64, 2048),
    "taskmanager.memory.task.off-heap.size": sizes(0, 512),
    "taskmanager.memory.framework.heap.size": sizes(16, 256),
    "taskmanager.memory.framework.off-heap.size": sizes(16, 256),
}
JM_OPTIONS: dict[str, st.SearchStrategy[Any]] = {
    "jobmanager.memory.off-heap.size": sizes(0, 512),
    "jobmanager.memory.jvm-metaspace.size": sizes(64, 512),
    "jobmanager.memory.jvm-overhead.fraction": fractions(0.5),
    "jobmanager.memory.jvm-overhead.min": sizes(0, 512),
    "jobmanager.memory.jvm-overhead.max": sizes(64, 2048),
    "jobmanager.memory.enable-jvm-direct-memory-limit": st.booleans(),
}


def option_subsets(strategies: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=strategies)


def dynamic_sizes(line: str) -> dict[str, int]:
    return {key: int(value) for key, value in re.findall(r"-D (\S+)=(\d+)b", line)}


@settings(
    max_examples=CASES_PER_VERSION, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(process_mib=st.integers(256, 65536), options=option_subsets(TM_OPTIONS))
def test_taskmanager_layout_matches_flink(oracle: MemoryOracle, process_mib: int, options: dict[str, Any]) -> None:
    flink_options = {"taskmanager.memory.process.size": f"{process_mib}m", **options}
    answer = oracle.ask("GET_TM_RESOURCE_PARAMS", flink_options)
    try:
        ours = taskmanager_memory(process_mib * MIB, options)
    except MemoryModelError as error:
        assert isinstance(answer, str), f"Python refused ({error}) what Flink accepts: {answer}"
        event("both refuse")
        return
    event("both accept")
    assert not isinstance(answer, str), f"Flink refused ({answer}) what Python accepts: {ours}"
    jvm_flags, dynamic = answer
    assert jvm_flags == ours.jvm_flags()
    flink = dynamic_sizes(dynamic)
    assert flink["taskmanager.memory.task.heap.size"] == ours.task_heap
    assert flink["taskmanager.memory.managed.size"] == ours.managed
    assert flink["taskmanager.memory.network.min"] == flink["taskmanager.memory.network.max"] == ours.network
    assert flink["taskmanager.memory.framework.heap.size"] == ours.framework_heap
    assert flink["taskmanager.memory.framework.off-heap.size"] == ours.framework_off_heap
    assert flink["taskmanager.memory.task.off-heap.size"] == ours.task_off_heap
    assert flink["taskmanager.memory.jvm-metaspace.size"] == ours.jvm_metaspace
    assert flink["taskmanager.memory.jvm-overhead.min"] == flink["taskmanager.memory.jvm-overhead.max"] == ours.jvm_overhead


@settings(
    max_examples=CASES_PER_VERSION, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(process_mib=st.integers(256, 32768), options=option_subsets(JM_OPTIONS))
def test_jobmanager_layout_matches_flink(oracle: MemoryOracle, process_mib: int, options: dict[str, Any]) -> None:
    flink_options = {"jobmanager.memory.process.size": f"{process_mib}m", **options}
    answer = oracle.ask("GET_JM_RESOURCE_PARAMS", flink_options)
    try:
        ours = jobmanager_memory(process_mib * MIB, options)
    except MemoryModelError as error:
        assert isinstance(answer, str), f"Python refused ({error}) what Flink accepts: {answer}"
        event("both refuse")
        return
    event("both accept")
    assert not isinstance(answer, str), f"Flink refused ({answer}) what Python accepts: {ours}"
    jvm_flags, dynamic = answer
    assert jvm_flags == ours.jvm_flags()
    flink = dynamic_sizes(dynamic)
    assert flink["jobmanager.memory.heap.size"] == ours.heap
    assert flink["jobmanager.memory.off-heap.size"] == ours.off_heap
    assert flink["jobmanager.memory.jvm-metaspace.size"] == ours.jvm_metaspace
    assert flink["jobmanager.memory.jvm-overhead.min"] == ours.jvm_overhead


def test_the_oracle_refuses_what_flink_refuses(oracle: MemoryOracle) -> None:
    """Guards the property tests: a too-small size must come back as an error, not as empty output."""
    answer = oracle.ask("GET_TM_RESOURCE_PARAMS", {"taskmanager.memory.process.size": "900m"})
    assert isinstance(answer, str)
    assert "exceed configured Total Flink Memory" in answer
