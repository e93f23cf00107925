"""One map from test folders to tiers (pytest markers): a test's folder says which tier runs it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
# Folder -> marker. Unmarked folders (unit, scan, policy) are the pure tier.
TIERS = {"mocks": "mocks", "flink": "flink", "e2e": "e2e", "node": "node", "pods": "pods", "faults": "faults"}
# Tiers that start a local cluster with a real node: one per machine, never under pytest-xdist.
SOLO = {"node", "pods", "faults"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        relative = Path(str(item.fspath)).relative_to(TESTS)
        tier = TIERS.get(relative.parts[0]) if len(relative.parts) > 1 else None
        if tier is None:
            continue
        item.add_marker(getattr(pytest.mark, tier))
        if tier in SOLO and os.environ.get("PYTEST_XDIST_WORKER"):
            item.add_marker(pytest.mark.skip(reason=f"the {tier} tier runs on its own: pytest -m {tier} (no -n)"))
