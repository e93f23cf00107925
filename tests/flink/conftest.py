"""Fixtures for the real-Flink tier: cached Flink homes, one per version the tests boot."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.flink_dist import flink_home

# The releases the stacks pin, one per supported major line (2.x and the 1.20 LTS).
ORACLE_VERSIONS = ("2.2.1", "1.20.4")


@pytest.fixture(scope="session")
def flink_homes() -> dict[str, Path]:
    return {}


def home_for(homes: dict[str, Path], version: str) -> Path:
    if version not in homes:
        homes[version] = flink_home(version)
    return homes[version]
