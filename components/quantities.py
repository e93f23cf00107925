"""Kubernetes resource quantities (memory and CPU) and Flink memory sizes.

Memory is kept as whole bytes and CPU as millicores so that arithmetic
(per-slot sizing, Flink's memory model) is exact.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MIB = 1024 * 1024

_BINARY_SUFFIXES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL_SUFFIXES = {
    "m": Decimal("0.001"),
    "": Decimal(1),
    "k": Decimal(10**3),
    "M": Decimal(10**6),
    "G": Decimal(10**9),
    "T": Decimal(10**12),
    "P": Decimal(10**15),
    "E": Decimal(10**18),
}
_QUANTITY = re.compile(r"^([+]?[0-9]+(?:\.[0-9]*)?|[+]?\.[0-9]+)(?:[eE]([+-]?[0-9]+))?([a-zA-Z]{0,2})$")


class QuantityError(ValueError):
    """A string that is not a valid quantity of the expected kind."""


def _parse_quantity(text: str) -> Decimal:
    match = _QUANTITY.match(text.strip())
    if not match:
        raise QuantityError("is not a Kubernetes quantity (examples: 1728Mi, 2Gi, 500m, 2)")
    number, exponent, suffix = match.groups()
    try:
        value = Decimal(number)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only decimals
        raise QuantityError("is not a number") from exc
    if exponent is not None:
        if suffix:
            raise QuantityError("mixes an exponent with a unit suffix")
        value *= Decimal(10) ** int(exponent)
    elif suffix in _BINARY_SUFFIXES:
        value *= _BINARY_SUFFIXES[suffix]
    elif suffix in _DECIMAL_SUFFIXES:
        value *= _DECIMAL_SUFFIXES[suffix]
    else:
        raise QuantityError(f"has an unknown unit suffix {suffix!r} (use Ki, Mi, Gi, Ti, or k, M, G, m)")
    return value


def parse_memory(value: object) -> int:
    """Parse a Kubernetes memory quantity to whole bytes; it must be a whole number of MiB.

    Flink sizes its memory pools in bytes but the image and the JVM flags round to MiB;
    whole MiB keep the container limit and Flink's process size byte-identical.
    """
    if isinstance(value, bool) or not isinstance(value, str):
        raise QuantityError("must be a quoted Kubernetes memory quantity such as '1728Mi' or '2Gi'")
    amount = _parse_quantity(value)
    if amount <= 0:
        raise QuantityError("must be greater than zero")
    if amount != amount.to_integral_value():
        raise QuantityError("is not a whole number of bytes")
    total = int(amount)
    if total % MIB:
        lower, upper = total // MIB, total // MIB + 1
        raise QuantityError(f"is {total} bytes, not a whole number of MiB; Flink would round it, so use {lower}Mi or {upper}Mi")
    return total


def parse_cpu(value: object) -> int:
    """Parse a CPU quantity (a number of cores or a string like '500m') to millicores."""
    if isinstance(value, bool):
        raise QuantityError("must be a number of cores (1, 0.5) or a quantity string ('500m')")
    if isinstance(value, (int, float)):
        amount = Decimal(str(value))
    elif isinstance(value, str):
        amount = _parse_quantity(value)
    else:
        raise QuantityError("must be a number of cores (1, 0.5) or a quantity string ('500m')")
    millis = amount * 1000
    if millis <= 0:
        raise QuantityError("must be greater than zero")
    if millis != millis.to_integral_value():
        raise QuantityError("is finer than one millicore (1m), which Kubernetes cannot express")
    return int(millis)


def format_memory(total_bytes: int) -> str:
    """Render bytes as the largest exact binary unit Kubernetes understands."""
    for suffix, factor in (("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if total_bytes % factor == 0:
            return f"{total_bytes // factor}{suffix}"
    return str(total_bytes)


def format_cpu(millicores: int) -> str:
    """Render millicores the way kubectl does: whole cores plainly, else with an m suffix."""
    return str(millicores // 1000) if millicores % 1000 == 0 else f"{millicores}m"


_FLINK_UNITS = {
    "b": 1,
    "bytes": 1,
    "k": 2**10,
    "kb": 2**10,
    "kibibytes": 2**10,
    "m": 2**20,
    "mb": 2**20,
    "mebibytes": 2**20,
    "g": 2**30,
    "gb": 2**30,
    "gibibytes": 2**30,
    "t": 2**40,
    "tb": 2**40,
    "tebibytes": 2**40,
}
_FLINK_SIZE = re.compile(r"^\s*([0-9]+)\s*([a-zA-Z]*)\s*$")


def parse_flink_memory_size(value: object) -> int:
    """Parse a Flink MemorySize ('256m', '1 gb', '1024') to bytes, as Flink's MemorySize.parse does."""
    if isinstance(value, bool):
        raise QuantityError("must be a Flink memory size such as '256m' or '1g'")
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        raise QuantityError("must be a Flink memory size such as '256m' or '1g'")
    match = _FLINK_SIZE.match(value)
    if not match:
        raise QuantityError("is not a Flink memory size (a whole number and a unit: b, k, m, g, t)")
    number, unit = match.groups()
    factor = _FLINK_UNITS.get(unit.lower()) if unit else 1
    if factor is None:
        raise QuantityError(f"has an unknown unit {unit!r} (Flink accepts b, k/kb, m/mb, g/gb, t/tb)")
    return int(number) * factor


def format_flink_memory_size(total_bytes: int) -> str:
    """Render bytes as a Flink memory size in the largest exact unit."""
    for suffix, factor in (("g", 2**30), ("m", 2**20), ("k", 2**10)):
        if total_bytes % factor == 0:
            return f"{total_bytes // factor}{suffix}"
    return f"{total_bytes}b"
