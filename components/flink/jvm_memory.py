"""The JVM of a Flink process without a Flink memory model (SQL Gateway, History Server), sized from its container.

Flink's scripts size a JobManager or TaskManager from `*.memory.process.size`; the SQL
Gateway and the History Server have no such option, and a bare JVM would take a quarter
of the container for its heap and bound neither metaspace nor direct memory. So their
process is laid out the way Flink lays out a JobManager: fixed metaspace and direct
memory, a JVM overhead of a tenth of the process between 192Mi and 1Gi, and the rest, in
whole MiB, as heap. The flags go in JVM_ARGS (not config.yaml), so a change to one of
them rolls only its own pods.
"""

from __future__ import annotations

from components.kubernetes.quantities import MIB
from components.model.memory import JvmMemory

METASPACE = 256 * MIB
DIRECT = 128 * MIB
OVERHEAD_MIN = 192 * MIB
OVERHEAD_MAX = 1024 * MIB
OVERHEAD_DIVISOR = 10  # a tenth of the process, as Flink's jvm-overhead.fraction 0.1
# Below this the gateway's planner has little room for a session's catalogs, plans and result buffers,
# and the History Server for the archives it unpacks and serves.
MIN_HEAP = 256 * MIB


def _overhead(process: int) -> int:
    return min(max(process // OVERHEAD_DIVISOR, OVERHEAD_MIN), OVERHEAD_MAX)


def jvm_memory(process: int) -> JvmMemory | None:
    """The layout for a container of `process` bytes, or None when the heap would be below MIN_HEAP."""
    heap = (process - METASPACE - DIRECT - _overhead(process)) // MIB * MIB
    if heap < MIN_HEAP:
        return None
    return JvmMemory(process=process, heap=heap, metaspace=METASPACE, direct=DIRECT, overhead=process - heap - METASPACE - DIRECT)


def smallest_jvm_memory() -> int:
    """The smallest container memory (whole MiB) that gives MIN_HEAP; the overhead is at its minimum there."""
    return MIN_HEAP + METASPACE + DIRECT + OVERHEAD_MIN
