"""Pure tests of Kubernetes quantity and Flink memory-size parsing and formatting."""

from __future__ import annotations

import pytest

from components.kubernetes.quantities import (
    QuantityError,
    format_cpu,
    format_flink_memory_size,
    format_memory,
    parse_cpu,
    parse_flink_memory_size,
    parse_memory,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1728Mi", 1728 * 2**20), ("2Gi", 2 * 2**30), ("1.5Gi", 1536 * 2**20), ("1048576", 2**20), ("1024Ki", 2**20)],
)
def test_memory_quantities_parse_to_bytes(text: str, expected: int) -> None:
    assert parse_memory(text) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("1G", "953Mi or 954Mi"),
        ("0Mi", "greater than zero"),
        ("lots", "not a Kubernetes quantity"),
        ("12Qi", "unknown unit suffix"),
        (1024, "quoted Kubernetes memory quantity"),
        ("1000Ki", "not a whole number of MiB"),
    ],
)
def test_bad_memory_quantities_say_what_is_accepted(value: object, fragment: str) -> None:
    with pytest.raises(QuantityError, match=fragment):
        parse_memory(value)


@pytest.mark.parametrize(("value", "millis"), [("500m", 500), ("2", 2000), (1, 1000), (0.25, 250), ("1.5", 1500)])
def test_cpu_parses_to_millicores(value: object, millis: int) -> None:
    assert parse_cpu(value) == millis


@pytest.mark.parametrize("value", [0, "0", "-1", "0.0001", True, None, "abc"])
def test_bad_cpu_is_rejected(value: object) -> None:
    with pytest.raises(QuantityError):
        parse_cpu(value)


def test_formatting_round_trips() -> None:
    assert format_memory(1728 * 2**20) == "1728Mi"
    assert format_memory(4 * 2**30) == "4Gi"
    assert format_cpu(500) == "500m"
    assert format_cpu(3000) == "3"
    assert format_flink_memory_size(1728 * 2**20) == "1728m"
    assert format_flink_memory_size(2**30) == "1g"


@pytest.mark.parametrize(("text", "expected"), [("256m", 256 * 2**20), ("1 gb", 2**30), ("1024", 1024), ("64MB", 64 * 2**20)])
def test_flink_memory_sizes_parse_like_flink(text: str, expected: int) -> None:
    assert parse_flink_memory_size(text) == expected


def test_flink_memory_size_rejects_fractions() -> None:
    with pytest.raises(QuantityError):
        parse_flink_memory_size("1.5g")
