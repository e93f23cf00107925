"""The component package: its schema has every stack key, and its inputs build the same cluster.

In process (no CLI): Pulumi's analyzer infers from components/resources/package.py a schema whose
inputs are the stack keys (camelCase, every nested key, the required ones required) and
whose outputs are the component's typed outputs; the dict the provider hands over (Python
names, as the provider maps them) becomes the same args, and the component registers the
same objects as from `FlinkSessionClusterArgs`. `pulumi package get-schema` itself runs in
the end-to-end tier (tests/e2e/test_component_package.py).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pulumi
import pytest
from pulumi.provider.experimental.analyzer import Analyzer

from components.input.schema import FlinkSessionClusterArgs, stack_keys
from components.model.naming import camel_case
from components.resources.package import FlinkSessionCluster, args_from_inputs
from tests.support.fuzz import spec_paths
from tests.unit.test_args import DEV_AS_ARGS
from tools.mocks import Registered, program_mocks


def _schema_paths(
    analyzed: dict[str, Any], properties: dict[str, Any], prefix: tuple[str | int, ...]
) -> set[tuple[str | int, ...]]:
    found: set[tuple[str | int, ...]] = set()
    for name, prop in properties.items():
        path = (*prefix, name)
        found.add(path)
        inner, suffix = (prop.items, (0,)) if prop.items is not None else (prop, ())
        if inner.ref and inner.ref.startswith("#/types/"):
            type_def = analyzed["type_definitions"][inner.ref.rsplit(":", 1)[1]]
            found |= _schema_paths(analyzed, type_def.properties, (*path, *suffix))
    return found


@pytest.fixture(scope="module")
def analyzed() -> dict[str, Any]:
    result: dict[str, Any] = dict(Analyzer("flink-session").analyze([FlinkSessionCluster]))
    return result


def test_the_schema_has_every_stack_key_and_the_outputs(analyzed: dict[str, Any]) -> None:
    component = analyzed["component_definitions"]["FlinkSessionCluster"]
    stack_keys = {path for path in spec_paths() if path != ("name",)}
    assert _schema_paths(analyzed, component.inputs, ()) == stack_keys
    required = {name for name, prop in component.inputs.items() if not prop.optional}
    schema_required = {
        camel_case(f.name)
        for f in dataclasses.fields(FlinkSessionClusterArgs)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    assert required == schema_required
    assert set(component.outputs) == {
        "namespaceName",
        "configMapName",
        "jobmanagerAddress",
        "restEndpoint",
        "taskManagers",
        "totalSlots",
        "portForward",
        "summary",
    }


def test_the_providers_inputs_become_the_same_args() -> None:
    inputs = {
        "namespace": "flink-dev",
        "environment": "development",
        "flink_version": "2.2.1",
        "image": "flink:2.2.1-scala_2.12-java17",
        "parallelism": 2,
        "task_manager": {"slots": 2, "cpu": "1", "memory": "1728Mi", "scratch_size": "1Gi"},
        "job_manager": {"cpu": "500m", "memory": "1024Mi"},
        "labels": {"environment": "dev"},
    }
    assert args_from_inputs(FlinkSessionClusterArgs, inputs) == DEV_AS_ARGS
    with_lists = args_from_inputs(
        FlinkSessionClusterArgs, {**inputs, "network": {"rest_access": [{"cidr": "10.0.0.0/8"}]}, "image": None}
    )
    assert stack_keys(with_lists)["network"] == {"restAccess": [{"cidr": "10.0.0.0/8"}]}
    assert with_lists.image is None


def test_the_package_component_registers_what_the_args_do() -> None:
    inputs = {"flink_version": "2.2.1", "parallelism": 2, "environment": "development"} | {
        "task_manager": {"slots": 2, "cpu": "1", "memory": "1728Mi"},
        "job_manager": {"cpu": "500m", "memory": "1024Mi"},
    }
    registered: list[Registered] = []
    pulumi.runtime.set_mocks(program_mocks(registered), project="flink-session", stack="test", preview=True)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def build() -> pulumi.Output[str]:
        return FlinkSessionCluster("demo", inputs).config_map_name

    build()
    names = sorted(r.name for r in registered)
    assert "demo" in names and "demo-jobmanager" in names and "demo-config" in names
