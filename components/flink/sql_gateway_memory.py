"""The SQL Gateway's JVM, sized from its container's memory limit.

Flink's scripts size a JobManager or TaskManager from `*.memory.process.size`; the SQL
Gateway has no such option and a bare JVM would take a quarter of the container for its
heap and bound neither metaspace nor direct memory. So its process is laid out the way
Flink lays out a JobManager: fixed metaspace and direct memory, a JVM overhead of a tenth
of the process between 192Mi and 1Gi, and the rest, in whole MiB, as heap. The flags go
in JVM_ARGS (not config.yaml), so a gateway change rolls only the gateway.
"""

from __future__ import annotations

from components.kubernetes.quantities import MIB
from components.model.memory import SqlGatewayMemory

METASPACE = 256 * MIB
DIRECT = 128 * MIB
OVERHEAD_MIN = 192 * MIB
OVERHEAD_MAX = 1024 * MIB
OVERHEAD_DIVISOR = 10  # a tenth of the process, as Flink's jvm-overhead.fraction 0.1
# Below this the planner has little room for a session's catalogs, plans and result buffers.
MIN_HEAP = 256 * MIB


def _overhead(process: int) -> int:
    return min(max(process // OVERHEAD_DIVISOR, OVERHEAD_MIN), OVERHEAD_MAX)


def sql_gateway_memory(process: int) -> SqlGatewayMemory | None:
    """The layout for a container of `process` bytes, or None when the heap would be below MIN_HEAP."""
    heap = (process - METASPACE - DIRECT - _overhead(process)) // MIB * MIB
    if heap < MIN_HEAP:
        return None
    return SqlGatewayMemory(
        process=process, heap=heap, metaspace=METASPACE, direct=DIRECT, overhead=process - heap - METASPACE - DIRECT
    )


def smallest_sql_gateway_memory() -> int:
    """The smallest container memory (whole MiB) that gives MIN_HEAP; the overhead is at its minimum there."""
    return MIN_HEAP + METASPACE + DIRECT + OVERHEAD_MIN
