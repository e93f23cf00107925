"""Kubernetes resource quantities (memory and CPU) and Flink memory sizes.

Memory is kept as whole bytes and CPU as millicores so that arithmetic
(per-slot sizing, Flink's memory model) is exact.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from components.model.limits import INT64_MAX, MAX_CPU_MILLIS, MAX_MEMORY_BYTES

MIB = 1024 * 1024

_BINARY_SUFFIXES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL_SUFFIXES = {
    "m": Fraction(1, 1000),
    "": Fraction(1),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
}
_QUANTITY = re.compile(r"([+]?[0-9]+(?:\.[0-9]*)?|[+]?\.[0-9]+)(?:[eE]([+-]?[0-9]+))?([a-zA-Z]{0,2})")
# No valid quantity needs more digits than this (2^63-1 has 19; a millicore 3 decimals);
# longer text is refused before any arithmetic on it.
_MAX_DIGITS = 40
_MAX_EXPONENT = 40

MEMORY_EXAMPLES = "1728Mi, 2Gi, 1.5Gi"
CPU_EXAMPLES = "500m, 2, 0.5"


class QuantityError(ValueError):
    """A string that is not a valid quantity of the expected kind."""


def _parse_quantity(text: str, examples: str) -> Fraction:
    """The exact value of a Kubernetes quantity (no rounding: fractions stay fractions)."""
    match = _QUANTITY.fullmatch(text.strip())
    if not match:
        raise QuantityError(f"is not a Kubernetes quantity (examples: {examples})")
    number, exponent, suffix = match.groups()
    if len(number) > _MAX_DIGITS:
        raise QuantityError(f"has more digits than any valid quantity (examples: {examples})")
    value = Fraction(number)
    if exponent is not None:
        if suffix:
            raise QuantityError("mixes an exponent with a unit suffix")
        digits = exponent.lstrip("+-").lstrip("0") or "0"
        if len(digits) > 2 or int(digits) > _MAX_EXPONENT:
            raise QuantityError(f"has an exponent beyond any valid quantity (examples: {examples})")
        value *= Fraction(10) ** (-int(digits) if exponent.startswith("-") else int(digits))
    elif suffix in _BINARY_SUFFIXES:
        value *= _BINARY_SUFFIXES[suffix]
    elif suffix in _DECIMAL_SUFFIXES:
        value *= _DECIMAL_SUFFIXES[suffix]
    else:
        raise QuantityError(f"has an unknown unit suffix {suffix!r} (use Ki, Mi, Gi, Ti, or k, M, G, m)")
    return value


def mib_text(size: int | Fraction) -> str:
    """A size in MiB the way a person reads it in a message: 512Mi, 1331.2Mi, 953.7Mi."""
    value = Fraction(size) / MIB
    return f"{value.numerator}Mi" if value.denominator == 1 else f"{float(value):.1f}Mi"


def in_mib(size: int) -> float:
    """A size in MiB as a number, to two decimals (the stack outputs' *MiB values)."""
    return round(size / MIB, 2)


def parse_memory(value: object) -> int:
    """Parse a Kubernetes memory quantity to whole bytes; it must be a whole number of MiB.

    Flink sizes its memory pools in bytes but the image and the JVM flags round to MiB;
    whole MiB keep the container limit and Flink's process size byte-identical.
    """
    if isinstance(value, bool) or not isinstance(value, str):
        raise QuantityError("must be a quoted Kubernetes memory quantity such as '1728Mi' or '2Gi'")
    amount = _parse_quantity(value, MEMORY_EXAMPLES)
    if amount <= 0:
        raise QuantityError("must be greater than zero")
    if amount > MAX_MEMORY_BYTES:
        raise QuantityError(f"is above the maximum; use at most {format_memory(MAX_MEMORY_BYTES)}")
    if amount.denominator != 1 or amount.numerator % MIB:
        lower, upper = math.floor(amount / MIB), math.ceil(amount / MIB)
        size = f"{amount.numerator} bytes" if amount.denominator == 1 else f"about {mib_text(amount)}"
        nearest = f"{lower}Mi or {upper}Mi" if lower > 0 else f"{upper}Mi"
        raise QuantityError(f"is {size}, not a whole number of MiB; Flink would round it, so use {nearest}")
    return amount.numerator


def parse_cpu(value: object) -> int:
    """Parse a CPU quantity (a number of cores or a string like '500m') to millicores."""
    expected = f"must be a number of cores or a quantity string (examples: {CPU_EXAMPLES})"
    if isinstance(value, bool):
        raise QuantityError(expected)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise QuantityError(f"must be a finite number of cores (examples: {CPU_EXAMPLES})")
        amount = Fraction(repr(value))
    elif isinstance(value, int):
        amount = Fraction(value)
    elif isinstance(value, str):
        amount = _parse_quantity(value, CPU_EXAMPLES)
    else:
        raise QuantityError(expected)
    millis = amount * 1000
    if millis <= 0:
        raise QuantityError("must be greater than zero")
    if millis > MAX_CPU_MILLIS:
        raise QuantityError(
            f"is above the maximum; use at most {format_cpu(MAX_CPU_MILLIS)} (the most millicores a Kubernetes quantity holds)"
        )
    if millis.denominator != 1:
        raise QuantityError("is finer than one millicore (1m), which Kubernetes cannot express")
    return millis.numerator


def format_memory(total_bytes: int) -> str:
    """Bytes as a Kubernetes quantity in the largest binary unit that divides them: 1728Mi, 2Gi, 4Ei."""
    for suffix, factor in reversed(_BINARY_SUFFIXES.items()):
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
_FLINK_SIZE_EXPECTED = "must be a Flink memory size such as '256m' or '1g' (a whole number and a unit: b, k, m, g, t)"


def java_trim(text: str) -> str:
    """Java's String.trim(): strips every character up to U+0020 (not Unicode spaces)."""
    start, end = 0, len(text)
    while start < end and text[start] <= " ":
        start += 1
    while end > start and text[end - 1] <= " ":
        end -= 1
    return text[start:end]


def parse_flink_memory_size(value: object) -> int:
    """Parse a Flink MemorySize ('256m', '1 gb', '1024') to bytes, exactly as Flink's MemorySize.parse does.

    Flink reads a YAML number through its text, so an int is a number of bytes; a
    negative number, a fraction or anything beyond a Java long is refused, as Flink does.
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise QuantityError(_FLINK_SIZE_EXPECTED)
    text = java_trim(str(value)) if isinstance(value, str) else None
    if text is None:  # an int: its decimal text, without printing a huge one
        assert isinstance(value, int)
        if not 0 <= value <= INT64_MAX:
            raise QuantityError(f"{_FLINK_SIZE_EXPECTED}; Flink reads at most {INT64_MAX} bytes")
        return value
    digits = len(text) - len(text.lstrip("0123456789"))
    number, unit = text[:digits], java_trim(text[digits:]).lower()
    if not number:
        raise QuantityError(_FLINK_SIZE_EXPECTED)
    factor = _FLINK_UNITS.get(unit) if unit else 1
    if factor is None:
        raise QuantityError(f"has an unknown unit {unit!r} (Flink accepts b, k/kb, m/mb, g/gb, t/tb)")
    if len(number.lstrip("0")) > 19 or int(number) * factor > INT64_MAX:
        raise QuantityError(f"is more than Flink reads: at most {INT64_MAX} bytes (a Java long)")
    return int(number) * factor


def format_flink_memory_size(total_bytes: int) -> str:
    """Render bytes as a Flink memory size in the largest exact unit."""
    for suffix, factor in (("g", 2**30), ("m", 2**20), ("k", 2**10)):
        if total_bytes % factor == 0:
            return f"{total_bytes // factor}{suffix}"
    return f"{total_bytes}b"
