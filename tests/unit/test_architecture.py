"""The layers stay layers: what the builders may import, and what the resolved model may hold.

Builders (the Flink configuration, the manifests, the summary) read the resolved
model only: neither the input schema, nor resolution, nor pydantic, nor Pulumi reach
them, directly or through anything they import. The model holds frozen values only.
No Pulumi Output is passed off as a string (`cast`) and there is no `Stage` any more:
the ConfigMap's name is computed in the pure layer.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import pytest

from components.model import Cluster
from tests.fuzz import full_cluster
from tests.support import ROOT, resolve

COMPONENTS = ROOT / "components"
# What builders and the model must never import (module prefixes).
UPSTREAM = ("components.spec", "components.spec_types", "components.resolution", "components.args", "pydantic", "pulumi")
BUILDERS = (
    "components.model",
    "components.flink_config",
    "components.flink_options",
    "components.flink_recovery_options",
    "components.flink_gateway_options",
    "components.sql_gateway_memory",
    "components.summary",
    *(f"components.manifests.{path.stem}" for path in sorted((COMPONENTS / "manifests").glob("*.py"))),
)


def _module_path(module: str) -> Any:
    path = ROOT / (module.replace(".", "/") + ".py")
    return path if path.is_file() else ROOT / module.replace(".", "/") / "__init__.py"


@functools.cache
def _direct_imports(module: str) -> frozenset[str]:
    tree = ast.parse(_module_path(module).read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            # `from components import ports` imports the module components.ports
            found |= {
                f"{node.module}.{alias.name}" for alias in node.names if _module_path(f"{node.module}.{alias.name}").is_file()
            }
    return frozenset(found)


def imports_of(module: str) -> set[str]:
    """Everything `module` imports, and everything those import, within the repository; external ones by name."""
    seen: set[str] = set()
    pending = [module]
    while pending:
        current = pending.pop()
        for imported in _direct_imports(current):
            if imported in seen:
                continue
            seen.add(imported)
            if imported.startswith("components.") and _module_path(imported).is_file():
                pending.append(imported)
    return seen


@pytest.mark.parametrize("module", BUILDERS)
def test_builders_import_nothing_upstream_of_the_model(module: str) -> None:
    upstream = sorted(name for name in imports_of(module) if name.startswith(UPSTREAM))
    assert not upstream, f"{module} reaches {upstream}"


def test_the_check_does_see_an_upstream_import() -> None:
    """Guards the test above: resolution does import the spec and pydantic."""
    assert {"components.spec", "pydantic"} <= imports_of("components.resolution.cluster")


def test_no_output_is_cast_to_a_string_and_there_are_no_stages() -> None:
    for path in COMPONENTS.rglob("*.py"):
        tree = ast.parse(path.read_text())
        names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        assert "cast" not in names | attributes, path
        assert "Stage" not in names, path


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
