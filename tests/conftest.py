"""One map from test folders to tiers (pytest markers): a test's folder says which tier runs it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # the engine's tiers only: the pure tiers never import Pulumi
    from tests.support.kube import Kube
    from tools.engine import Toolchain, Workspace

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


# Fixtures of the tiers that drive the real engine (e2e, pods, faults); each such tier's
# conftest provides `kube` (its cluster) and may provide `test_stacks` (its own stack files).


@pytest.fixture(scope="session")
def toolchain() -> Toolchain:
    from tools.engine import Toolchain  # noqa: PLC0415

    return Toolchain.load()


@pytest.fixture
def test_stacks() -> Path | None:
    """A tier's own stack files (Pulumi.<stack>.yaml), copied into each workspace; None: only the committed ones."""
    return None


@pytest.fixture
def workspace(tmp_path: Path, toolchain: Toolchain, kube: Kube, test_stacks: Path | None) -> Iterator[Workspace]:
    """A fresh copy of the project with its own backend, plus the tier's test stacks.

    Whatever a test leaves deployed (it failed half-way) is destroyed afterwards, so one
    failure does not cascade into the next test on the tier's shared cluster.
    """
    from tools.engine import Workspace  # noqa: PLC0415

    workspace = Workspace.copy_of_project(tmp_path / "project", toolchain, kube.kubeconfig, Path(sys.prefix))
    for stack_file in test_stacks.glob("Pulumi.*.yaml") if test_stacks is not None else ():
        (workspace.directory / "stacks" / stack_file.name).write_text(stack_file.read_text())
    yield workspace
    workspace.remove_everything()
