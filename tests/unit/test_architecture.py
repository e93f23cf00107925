"""The layers stay layers, and the resolved model holds frozen values only.

The layers are import-linter's contracts (pyproject.toml); this runs them and checks that
they catch a violation. No Pulumi Output is passed off as a string (`cast`): the
ConfigMap's name is computed in the pure layer.
"""

from __future__ import annotations

import ast
import dataclasses
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from components.model.cluster import Cluster
from tests.support.config import ROOT, resolve
from tests.support.fuzz import full_cluster

COMPONENTS = ROOT / "components"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=directory, capture_output=True, text=True, check=False, timeout=120
    )


def test_the_layers_hold() -> None:
    """import-linter's contracts in pyproject.toml: the layers, and what builders and resolution never import."""
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-4000:]
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "imported"),
    [
        ("manifests/pods.py", "import pydantic"),
        ("model/ports.py", "from components.resolution import stack"),
        ("flink/jvm.py", "import pulumi"),
    ],
)
def test_a_broken_layer_is_caught(tmp_path: Path, module: str, imported: str) -> None:
    """Guards the test above: the same contracts refuse a builder importing pydantic, the model importing resolution."""
    shutil.copytree(COMPONENTS, tmp_path / "components", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "components" / module
    target.write_text(f"{imported}\n{target.read_text()}")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout


def test_no_output_is_cast_to_a_string() -> None:
    for path in COMPONENTS.rglob("*.py"):
        tree = ast.parse(path.read_text())
        names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        assert "cast" not in names | attributes, path


def _mutable_containers(value: Any, path: str) -> list[str]:
    if isinstance(value, (list, dict, set, bytearray)):
        return [f"{path}: {type(value).__name__}"]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [
            found for f in dataclasses.fields(value) for found in _mutable_containers(getattr(value, f.name), f"{path}.{f.name}")
        ]
    if isinstance(value, Mapping):
        here = [] if isinstance(value, MappingProxyType) else [f"{path}: {type(value).__name__}"]
        return here + [found for k, v in value.items() for found in _mutable_containers(v, f"{path}[{k!r}]")]
    if isinstance(value, tuple):
        return [found for i, v in enumerate(value) for found in _mutable_containers(v, f"{path}[{i}]")]
    return []


def test_the_resolved_model_holds_no_mutable_container() -> None:
    cluster = resolve(full_cluster(flinkConfiguration={"x.list": [1, 2], "y": "z"}))
    assert cluster.scheduling.tolerations and cluster.network.rest_access and cluster.storage.shared_volume
    assert _mutable_containers(cluster, "cluster") == []


def test_the_model_is_frozen_all_the_way_down() -> None:
    cluster = resolve(full_cluster())

    def frozen(value: Any) -> bool:
        if not dataclasses.is_dataclass(value) or isinstance(value, type):
            return True
        params = getattr(type(value), "__dataclass_params__")  # noqa: B009 - the dataclass's own record
        return bool(params.frozen) and all(frozen(getattr(value, f.name)) for f in dataclasses.fields(value))

    assert isinstance(cluster, Cluster) and frozen(cluster)
