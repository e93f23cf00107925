"""Flink's memory model at preview time: a layout Flink would refuse becomes a Problem, a poor one a warning."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from components.errors import Problem, key_path
from components.flink.memory import jobmanager_memory, smallest_valid_process_size, taskmanager_memory
from components.flink.memory_options import JM_OPTION_KEYS, TM_OPTION_KEYS, MemoryModelError
from components.kubernetes.quantities import MIB, mib_text
from components.model.memory import JobManagerMemory, TaskManagerMemory
from components.resolution.problems import given
from components.resolution.sizing import Sized

# Below this much managed memory per slot, RocksDB and batch operators spill or thrash.
MANAGED_MEMORY_PER_SLOT_FLOOR = 64 * MIB
# Flink warns below this JobManager heap.
JOB_MANAGER_HEAP_FLOOR = 128 * MIB

Layout = TypeVar("Layout", TaskManagerMemory, JobManagerMemory)


def _layout(
    derive: Callable[[int, Mapping[str, object]], Layout],
    sized: Sized,
    role: str,
    *,
    keys: frozenset[str],
    options: Mapping[str, object],
    raw: Mapping[str, Any],
    prefix: str,
    problems: list[Problem],
) -> Layout | None:
    """The layout Flink derives for one role, or None with the problem appended (naming the option, or the size to use)."""
    try:
        return derive(sized.memory_bytes, options)
    except MemoryModelError as error:
        if error.option is not None:
            problems.append(Problem(key_path(prefix, ("flinkConfiguration", error.option)), str(error), has_value=False))
            return None
        path, value = f"{prefix}.{role}.{sized.memory_key}", given(raw, role, sized.memory_key)
        # The memory options the user set take part: say so, they may be what to change.
        used = sorted(keys & set(options))
        with_options = f" (with {', '.join(used)} from {prefix}.flinkConfiguration)" if used else ""
        minimum = smallest_valid_process_size(derive, options)
        if minimum is None:
            problems.append(Problem(path, f"cannot work with these Flink memory options: {error}{with_options}", value))
        else:
            smallest = -(-minimum // (sized.memory_divisor * MIB))  # ceiling, in MiB
            problems.append(Problem(path, f"is too small: {error}; use at least {smallest}Mi{with_options}", value))
        return None


def resolve_layouts(
    task_managers: Sized | None,
    job_managers: Sized,
    *,
    slots: int,
    options: Mapping[str, object],
    raw: Mapping[str, Any],
    prefix: str,
    problems: list[Problem],
    warnings: list[str],
) -> tuple[TaskManagerMemory | None, JobManagerMemory | None]:
    """Both roles' layouts (None where Flink would refuse it, with the problem appended)."""
    common: dict[str, Any] = {"options": options, "raw": raw, "prefix": prefix, "problems": problems}
    tm = None
    if task_managers is not None:
        tm = _layout(taskmanager_memory, task_managers, "taskManager", keys=TM_OPTION_KEYS, **common)
    if tm is not None and 0 < tm.managed // slots < MANAGED_MEMORY_PER_SLOT_FLOOR:
        warnings.append(
            f"{prefix}.taskManager: managed memory is {mib_text(tm.managed // slots)} per slot, below "
            f"{mib_text(MANAGED_MEMORY_PER_SLOT_FLOOR)}; RocksDB state and batch operators will spill or fail"
        )
    jm = _layout(jobmanager_memory, job_managers, "jobManager", keys=JM_OPTION_KEYS, **common)
    if jm is not None and jm.heap < JOB_MANAGER_HEAP_FLOOR:
        warnings.append(f"{prefix}.jobManager.memory: JVM heap is only {mib_text(jm.heap)}; Flink warns below 128Mi")
    return tm, jm
