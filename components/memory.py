"""Flink's memory model for TaskManagers and JobManagers, computed exactly as Flink does.

This follows Flink's `ProcessMemoryUtils`, `TaskExecutorFlinkMemoryUtils` and
`JobManagerFlinkMemoryUtils` for the path this project uses: the total *process*
size is configured (it equals the container's memory limit) and everything else is
derived. The defaults are the same in every supported line (1.19 to 2.3; the network
maximum has been unbounded since 1.17).

Two details make the result byte-exact rather than roughly right:
  * Flink reads fractions as Java `float` and widens them to `double`, so 0.1 is
    really 0.10000000149011612 (network memory of 1280m is 134217730 bytes, not 128m);
  * `MemorySize.multiply` goes through `BigDecimal.valueOf(double)` and truncates.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from components.errors import echo
from components.quantities import MIB, QuantityError, java_trim, parse_flink_memory_size

GIB = 1024 * MIB
JAVA_LONG_MAX = 2**63 - 1

TM_DEFAULTS: Mapping[str, object] = {
    "taskmanager.memory.framework.heap.size": "128m",
    "taskmanager.memory.framework.off-heap.size": "128m",
    "taskmanager.memory.task.off-heap.size": "0b",
    "taskmanager.memory.managed.fraction": 0.4,
    "taskmanager.memory.network.fraction": 0.1,
    "taskmanager.memory.network.min": "64m",
    "taskmanager.memory.network.max": f"{JAVA_LONG_MAX}b",
    "taskmanager.memory.jvm-metaspace.size": "256m",
    "taskmanager.memory.jvm-overhead.fraction": 0.1,
    "taskmanager.memory.jvm-overhead.min": "192m",
    "taskmanager.memory.jvm-overhead.max": "1g",
}
JM_DEFAULTS: Mapping[str, object] = {
    "jobmanager.memory.off-heap.size": "128m",
    "jobmanager.memory.jvm-metaspace.size": "256m",
    "jobmanager.memory.jvm-overhead.fraction": 0.1,
    "jobmanager.memory.jvm-overhead.min": "192m",
    "jobmanager.memory.jvm-overhead.max": "1g",
    "jobmanager.memory.enable-jvm-direct-memory-limit": False,
}
MANAGED_SIZE = "taskmanager.memory.managed.size"
# The options each role's memory model reads from flinkConfiguration.
TM_OPTION_KEYS = frozenset({*TM_DEFAULTS, MANAGED_SIZE})
JM_OPTION_KEYS = frozenset(JM_DEFAULTS)

# Deprecated spellings. Flink still reads some of them (it falls back to them when the
# current key is unset) and ignores others; either way the memory model here reads only
# the current keys, so a stack using them would not get the layout it previews. Checked
# against the ConfigOption fallback keys in flink-dist 1.19.3, 1.20.4, 2.2.1 and 2.3.0.
LEGACY_MEMORY_KEYS: Mapping[str, str] = {
    # deprecated keys of the taskmanager.memory.network.* options (all four lines)
    "taskmanager.network.memory.fraction": "taskmanager.memory.network.fraction",
    "taskmanager.network.memory.min": "taskmanager.memory.network.min",
    "taskmanager.network.memory.max": "taskmanager.memory.network.max",
    # deprecated key of taskmanager.memory.managed.size (all four lines; Flink 2.2.1 sizes
    # managed memory from it, e.g. 100m instead of the 512m the fraction gives at 1728m)
    "taskmanager.memory.size": "taskmanager.memory.managed.size",
    # pre-1.10 heap options (1.19 and 1.20 still define them; 2.x dropped them)
    "taskmanager.heap.size": "cluster.taskManager.memory",
    "taskmanager.heap.mb": "cluster.taskManager.memory",
    "jobmanager.heap.size": "cluster.jobManager.memory",
    "jobmanager.heap.mb": "cluster.jobManager.memory",
    # not a Flink key: a common misspelling of the metaspace size
    "taskmanager.memory.jvm-metaspace": "taskmanager.memory.jvm-metaspace.size",
}


class MemoryModelError(ValueError):
    """Flink would refuse this memory configuration; `option` names the offending Flink option, if any."""

    def __init__(self, message: str, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option


def mib(size: int) -> str:
    """Human-readable MiB: whole numbers plainly, others with one decimal."""
    value = size / MIB
    return f"{value:.0f}Mi" if size % MIB == 0 else f"{value:.1f}Mi"


def _java_float(value: float) -> float:
    """The double that Java gets from `(double) Float.parseFloat(text)`."""
    widened: float = struct.unpack("f", struct.pack("f", value))[0]
    return widened


# The decimal texts that Java's Float.parseFloat reads the same way as Python's float()
# (no 'nan', 'inf', '_' or non-ASCII digits, which only one of them accepts).
_DECIMAL = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")
_FLOAT_MIN, _FLOAT_MAX = 1.4e-45, 3.4028234663852886e38


def _read_float(raw: object) -> float | None:
    """A Flink float option's value as Flink reads it from YAML, or None where Flink refuses it."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return float(raw) if abs(raw) <= 2**24 else None
    if isinstance(raw, float):
        # Flink narrows a YAML double to a float only if it fits (ConfigurationUtils.convertToFloat).
        fits = raw == 0 or _FLOAT_MIN <= abs(raw) <= _FLOAT_MAX
        return raw if fits else None
    if isinstance(raw, str):
        text = java_trim(raw)
        if _DECIMAL.match(text) and len(text) <= 64:
            return float(text)
    return None


def _multiply(size: int, fraction: float) -> int:
    """Flink's MemorySize.multiply: exact BigDecimal product of Double.toString(fraction), truncated."""
    return int(Decimal(size) * Decimal(repr(fraction)))


@dataclass(frozen=True)
class _Range:
    minimum: int
    maximum: int
    fraction: float

    def derive(self, base: int) -> int:
        return min(max(_multiply(base, self.fraction), self.minimum), self.maximum)


class _Options:
    """Typed reads of Flink memory options with Flink's defaults; errors name the option."""

    def __init__(self, options: Mapping[str, object], defaults: Mapping[str, object]) -> None:
        self._options = options
        self._defaults = defaults

    def _raw(self, key: str) -> object:
        return self._options.get(key, self._defaults.get(key))

    def size(self, key: str) -> int:
        try:
            return parse_flink_memory_size(self._raw(key))
        except QuantityError as exc:
            raise MemoryModelError(f"{key} {exc}", key) from exc

    def fraction(self, key: str) -> float:
        raw = self._raw(key)
        value = _read_float(raw)
        if value is None or not 0 <= value < 1:
            raise MemoryModelError(f"{key} must be a fraction in [0, 1), got {echo(raw)}", key)
        return _java_float(value)

    def flag(self, key: str) -> bool:
        """Flink's boolean conversion: true or false in any case; anything else is refused."""
        raw = self._raw(key)
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.upper() in ("TRUE", "FALSE"):
            return raw.upper() == "TRUE"
        raise MemoryModelError(f"{key} must be true or false, got {echo(raw)}", key)

    def has(self, key: str) -> bool:
        return key in self._options

    def range(self, prefix: str) -> _Range:
        low, high = self.size(f"{prefix}.min"), self.size(f"{prefix}.max")
        if low > high:
            raise MemoryModelError(f"{prefix}.min ({mib(low)}) is greater than {prefix}.max ({mib(high)})", f"{prefix}.min")
        return _Range(low, high, self.fraction(f"{prefix}.fraction"))


@dataclass(frozen=True)
class TaskManagerMemory:
    """A TaskManager's memory layout in bytes, and the JVM flags Flink derives from it."""

    process: int
    flink: int
    framework_heap: int
    framework_off_heap: int
    task_heap: int
    task_off_heap: int
    managed: int
    network: int
    jvm_metaspace: int
    jvm_overhead: int

    @property
    def jvm_heap(self) -> int:
        return self.framework_heap + self.task_heap

    @property
    def jvm_direct(self) -> int:
        return self.framework_off_heap + self.task_off_heap + self.network

    def jvm_flags(self) -> str:
        return (
            f"-Xmx{self.jvm_heap} -Xms{self.jvm_heap} -XX:MaxDirectMemorySize={self.jvm_direct} "
            f"-XX:MaxMetaspaceSize={self.jvm_metaspace}"
        )


@dataclass(frozen=True)
class JobManagerMemory:
    process: int
    flink: int
    heap: int
    off_heap: int
    jvm_metaspace: int
    jvm_overhead: int
    direct_memory_limit: bool

    def jvm_flags(self) -> str:
        direct = f" -XX:MaxDirectMemorySize={self.off_heap}" if self.direct_memory_limit else ""
        return f"-Xmx{self.heap} -Xms{self.heap}{direct} -XX:MaxMetaspaceSize={self.jvm_metaspace}"


def _metaspace_and_overhead(options: _Options, prefix: str, process: int) -> tuple[int, int]:
    metaspace = options.size(f"{prefix}.jvm-metaspace.size")
    overhead = options.range(f"{prefix}.jvm-overhead").derive(process)
    if metaspace + overhead > process:
        raise MemoryModelError(
            f"JVM metaspace {mib(metaspace)} + JVM overhead {mib(overhead)} exceed the process size {mib(process)}"
        )
    return metaspace, overhead


def taskmanager_memory(process: int, flink_options: Mapping[str, object]) -> TaskManagerMemory:
    """Derive a TaskManager's layout from its process size; raise MemoryModelError as Flink would refuse it."""
    options = _Options(flink_options, TM_DEFAULTS)
    metaspace, overhead = _metaspace_and_overhead(options, "taskmanager.memory", process)
    flink = process - metaspace - overhead
    framework_heap = options.size("taskmanager.memory.framework.heap.size")
    framework_off_heap = options.size("taskmanager.memory.framework.off-heap.size")
    task_off_heap = options.size("taskmanager.memory.task.off-heap.size")
    if options.has(MANAGED_SIZE):
        managed = options.size(MANAGED_SIZE)
    else:
        managed = _Range(0, JAVA_LONG_MAX, options.fraction("taskmanager.memory.managed.fraction")).derive(flink)
    network = options.range("taskmanager.memory.network").derive(flink)
    needed = framework_heap + framework_off_heap + task_off_heap + managed + network
    if needed > flink:
        raise MemoryModelError(
            f"JVM metaspace {mib(metaspace)} + JVM overhead {mib(overhead)} leave {mib(flink)} of Flink memory, "
            f"below the {mib(needed)} that framework heap {mib(framework_heap)}, framework off-heap "
            f"{mib(framework_off_heap)}, task off-heap {mib(task_off_heap)}, managed {mib(managed)} and "
            f"network {mib(network)} need"
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
    options = _Options(flink_options, JM_DEFAULTS)
    metaspace, overhead = _metaspace_and_overhead(options, "jobmanager.memory", process)
    flink = process - metaspace - overhead
    off_heap = options.size("jobmanager.memory.off-heap.size")
    if flink <= off_heap:
        raise MemoryModelError(
            f"JVM metaspace {mib(metaspace)} + JVM overhead {mib(overhead)} leave {mib(flink)} of Flink memory, "
            f"not more than the {mib(off_heap)} of off-heap memory, so no heap is left"
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
