"""How Flink reads its memory options: the defaults, Java's floats, MemorySize arithmetic, and what it refuses.

`memory.py` derives the layouts from these reads. Two details make the result
byte-exact rather than roughly right:
  * Flink reads fractions as Java `float` and widens them to `double`, so 0.1 is
    really 0.10000000149011612 (network memory of 1280m is 134217730 bytes, not 128m);
  * `MemorySize.multiply` goes through `BigDecimal.valueOf(double)` and truncates.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from components.errors import echo
from components.kubernetes.quantities import QuantityError, java_trim, mib_text, parse_flink_memory_size
from components.model.limits import INT64_MAX

TM_DEFAULTS: Mapping[str, object] = {
    "taskmanager.memory.framework.heap.size": "128m",
    "taskmanager.memory.framework.off-heap.size": "128m",
    "taskmanager.memory.task.off-heap.size": "0b",
    "taskmanager.memory.managed.fraction": 0.4,
    "taskmanager.memory.network.fraction": 0.1,
    "taskmanager.memory.network.min": "64m",
    "taskmanager.memory.network.max": f"{INT64_MAX}b",
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


def _java_float(value: float) -> float:
    """The double that Java gets from `(double) Float.parseFloat(text)`."""
    widened: float = struct.unpack("f", struct.pack("f", value))[0]
    return widened


# The decimal texts that Java's Float.parseFloat reads the same way as Python's float()
# (no 'nan', 'inf', '_' or non-ASCII digits, which only one of them accepts).
_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
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
        if _DECIMAL.fullmatch(text) and len(text) <= 64:
            return float(text)
    return None


def _multiply(size: int, fraction: float) -> int:
    """Flink's MemorySize.multiply: exact BigDecimal product of Double.toString(fraction), truncated."""
    return int(Decimal(size) * Decimal(repr(fraction)))


@dataclass(frozen=True)
class Range:
    minimum: int
    maximum: int
    fraction: float

    def derive(self, base: int) -> int:
        return min(max(_multiply(base, self.fraction), self.minimum), self.maximum)


class MemoryOptions:
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

    def range(self, prefix: str) -> Range:
        low, high = self.size(f"{prefix}.min"), self.size(f"{prefix}.max")
        if low > high:
            raise MemoryModelError(
                f"{prefix}.min ({mib_text(low)}) is greater than {prefix}.max ({mib_text(high)})", f"{prefix}.min"
            )
        return Range(low, high, self.fraction(f"{prefix}.fraction"))
