"""Flink's memory model for TaskManagers and JobManagers, computed exactly as Flink does.

This follows Flink's `ProcessMemoryUtils`, `TaskExecutorFlinkMemoryUtils` and
`JobManagerFlinkMemoryUtils` for the path this project uses: the total *process*
size is configured (it equals the container's memory limit) and everything else is
derived. The defaults are the same in every supported line (1.19 to 2.3; the network
maximum has been unbounded since 1.17).

How each option is read (Java floats, MemorySize arithmetic: byte-exact, not roughly
right) is in `memory_options.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from components.flink.memory_options import (
    JM_DEFAULTS,
    MANAGED_SIZE,
    TM_DEFAULTS,
    MemoryModelError,
    MemoryOptions,
    Range,
)
from components.kubernetes.quantities import MIB, mib_text
from components.model.limits import INT64_MAX
from components.model.memory import JobManagerMemory, TaskManagerMemory


def _metaspace_and_overhead(options: MemoryOptions, prefix: str, process: int) -> tuple[int, int]:
    metaspace = options.size(f"{prefix}.jvm-metaspace.size")
    overhead = options.range(f"{prefix}.jvm-overhead").derive(process)
    if metaspace + overhead > process:
        raise MemoryModelError(
            f"JVM metaspace {mib_text(metaspace)} + JVM overhead {mib_text(overhead)} exceed the process size {mib_text(process)}"
        )
    return metaspace, overhead


def taskmanager_memory(process: int, flink_options: Mapping[str, object]) -> TaskManagerMemory:
    """Derive a TaskManager's layout from its process size; raise MemoryModelError as Flink would refuse it."""
    options = MemoryOptions(flink_options, TM_DEFAULTS)
    metaspace, overhead = _metaspace_and_overhead(options, "taskmanager.memory", process)
    flink = process - metaspace - overhead
    framework_heap = options.size("taskmanager.memory.framework.heap.size")
    framework_off_heap = options.size("taskmanager.memory.framework.off-heap.size")
    task_off_heap = options.size("taskmanager.memory.task.off-heap.size")
    if options.has(MANAGED_SIZE):
        managed = options.size(MANAGED_SIZE)
    else:
        managed = Range(0, INT64_MAX, options.fraction("taskmanager.memory.managed.fraction")).derive(flink)
    network = options.range("taskmanager.memory.network").derive(flink)
    needed = framework_heap + framework_off_heap + task_off_heap + managed + network
    if needed > flink:
        raise MemoryModelError(
            f"JVM metaspace {mib_text(metaspace)} + JVM overhead {mib_text(overhead)} leave {mib_text(flink)} of Flink memory, "
            f"below the {mib_text(needed)} that framework heap {mib_text(framework_heap)}, framework off-heap "
            f"{mib_text(framework_off_heap)}, task off-heap {mib_text(task_off_heap)}, managed {mib_text(managed)} and "
            f"network {mib_text(network)} need"
        )
    return TaskManagerMemory(
        process=process,
        flink=flink,
        framework_heap=framework_heap,
        framework_off_heap=framework_off_heap,
        task_heap=flink - needed,
        task_off_heap=task_off_heap,
        managed=managed,
        network=network,
        jvm_metaspace=metaspace,
        jvm_overhead=overhead,
    )


def jobmanager_memory(process: int, flink_options: Mapping[str, object]) -> JobManagerMemory:
    """Derive a JobManager's layout from its process size; raise MemoryModelError as Flink would refuse it."""
    options = MemoryOptions(flink_options, JM_DEFAULTS)
    metaspace, overhead = _metaspace_and_overhead(options, "jobmanager.memory", process)
    flink = process - metaspace - overhead
    off_heap = options.size("jobmanager.memory.off-heap.size")
    if flink <= off_heap:
        raise MemoryModelError(
            f"JVM metaspace {mib_text(metaspace)} + JVM overhead {mib_text(overhead)} leave {mib_text(flink)} of Flink memory, "
            f"not more than the {mib_text(off_heap)} of off-heap memory, so no heap is left"
        )
    return JobManagerMemory(
        process=process,
        flink=flink,
        heap=flink - off_heap,
        off_heap=off_heap,
        jvm_metaspace=metaspace,
        jvm_overhead=overhead,
        direct_memory_limit=options.flag("jobmanager.memory.enable-jvm-direct-memory-limit"),
    )


def smallest_valid_process_size(
    derive: Callable[[int, Mapping[str, object]], object], options: Mapping[str, object]
) -> int | None:
    """The smallest whole-MiB process size Flink accepts with these options (None if none up to 1 TiB).

    Acceptance is monotonic in the process size (every pool grows no faster than the
    process), so a binary search over MiB finds the boundary.
    """
    low, high = 1, 1024 * 1024  # in MiB

    def works(size_mib: int) -> bool:
        try:
            derive(size_mib * MIB, options)
        except MemoryModelError:
            return False
        return True

    if not works(high):
        return None
    while low < high:
        middle = (low + high) // 2
        if works(middle):
            high = middle
        else:
            low = middle + 1
    return low * MIB
