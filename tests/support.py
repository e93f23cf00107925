"""Helpers shared by the test tiers: stack files, settings fixtures, the mock harness."""

from __future__ import annotations

import copy
import json
import runpy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
STACKS = ("dev", "staging", "prod")
PROJECT = "flink-session"


def stack_config(stack: str) -> dict[str, Any]:
    """The project's config from stacks/Pulumi.<stack>.yaml, keyed without the project prefix."""
    data = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    return {key.split(":", 1)[1]: value for key, value in data["config"].items() if key.startswith(f"{PROJECT}:")}


def minimal_cluster(**overrides: Any) -> dict[str, Any]:
    """A small valid cluster config; overrides replace top-level keys."""
    cluster: dict[str, Any] = {
        "name": "demo",
        "flinkVersion": "2.2.1",
        "parallelism": 4,
        "taskManager": {"slots": 2, "cpu": "1", "memory": "1728Mi"},
        "jobManager": {"cpu": "500m", "memory": "1024Mi"},
    }
    cluster.update(copy.deepcopy(overrides))
    return cluster


@dataclass
class Registered:
    type: str
    name: str
    inputs: dict[str, Any]
    urn: str = ""


def _ints(value: Any) -> Any:
    """Protobuf Structs carry every number as a float; give whole numbers back as ints."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ints(v) for v in value]
    return value


def run_program(
    config: Mapping[str, Any],
    stack: str = "test",
    preview: bool = False,
    sink: list[Registered] | None = None,
) -> tuple[list[Registered], dict[str, Any]]:
    """Run the real __main__.py under Pulumi mocks; return what it registered and what it exported.

    `sink`, if given, receives registrations as they happen (so a failing run can be inspected).
    """
    import pulumi  # noqa: PLC0415 - the pure tiers never import Pulumi

    registered: list[Registered] = sink if sink is not None else []

    class RecordingMocks(pulumi.runtime.Mocks):
        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
            outputs = dict(args.inputs)
            # Kubernetes auto-names are made by the provider, which mocks replace.
            metadata = dict(outputs.get("metadata") or {})
            if args.typ.startswith("kubernetes:") and "name" not in metadata:
                metadata["name"] = f"{args.name}-mock1234"
                outputs["metadata"] = metadata
            registered.append(Registered(args.typ, args.name, _ints(dict(args.inputs))))
            return f"{args.name}-id", outputs

        def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
            return {}, None

    pulumi.runtime.set_mocks(RecordingMocks(), project=PROJECT, stack=stack, preview=preview)
    pulumi.runtime.set_all_config({f"{PROJECT}:{k}": json.dumps(v) for k, v in config.items()})

    exported: dict[str, Any] = {}
    original_export = pulumi.export

    def recording_export(name: str, value: Any) -> None:
        exported[name] = value
        original_export(name, value)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def evaluate() -> None:
        pulumi.export = recording_export
        try:
            runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")
        finally:
            pulumi.export = original_export

    evaluate()
    # The mock monitor knows each resource's URN, which encodes its parent chain.
    monitor = pulumi.runtime.settings.get_monitor()
    assert isinstance(monitor, pulumi.runtime.mocks.MockMonitor)
    urns = {urn.rsplit("::", 1)[1] + "/" + urn.split("::")[2].split("$")[-1]: urn for urn in monitor.resources}
    for item in registered:
        item.urn = urns.get(f"{item.name}/{item.type}", "")
    resolved = {name: _resolve(value) for name, value in exported.items()}
    return registered, resolved


def _resolve(value: Any) -> Any:
    import asyncio  # noqa: PLC0415

    import pulumi  # noqa: PLC0415

    if isinstance(value, pulumi.Output):
        return _ints(asyncio.get_event_loop().run_until_complete(value.future()))
    return value


def by_kind(registered: list[Registered], kind: str) -> list[Registered]:
    return [r for r in registered if r.type == kind]


def rendered_manifests(config: Mapping[str, Any], stack: str = "test") -> list[dict[str, Any]]:
    """The Kubernetes objects the program registers (from mocks), as plain manifests.

    Auto-named objects get the same placeholder name the mock gives them.
    """
    registered, _ = run_program(config, stack)
    manifests = []
    for item in registered:
        if not item.type.startswith("kubernetes:"):
            continue
        manifest = copy.deepcopy(item.inputs)
        manifest.setdefault("metadata", {}).setdefault("name", f"{item.name}-mock1234")
        manifests.append(manifest)
    return manifests
