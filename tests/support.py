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

from components.settings import ClusterSettings, parse_stack_config

ROOT = Path(__file__).resolve().parent.parent
STACKS = ("dev", "staging", "prod")
PROJECT = "flink-session"


def stack_config(stack: str) -> dict[str, Any]:
    """The project's config from stacks/Pulumi.<stack>.yaml, keyed without the project prefix.

    Secrets are decrypted with the example passphrase, as the CLI hands them to the program.
    """
    data = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    config = {key.split(":", 1)[1]: value for key, value in data["config"].items() if key.startswith(f"{PROJECT}:")}
    if "encryptionsalt" in data:
        from tests.stack_secrets import reveal, stack_key  # noqa: PLC0415 - only stacks with secrets need it

        config = reveal(config, stack_key(data["encryptionsalt"]))
    return config


def stack_settings(stack: str) -> ClusterSettings:
    """The validated settings of a stack file's cluster, as the program would see them on that stack."""
    return parse_stack_config(stack_config(stack), stack=stack)[0]


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
    # key paths (e.g. "stringData") whose value arrived as a Pulumi secret
    secret_paths: tuple[str, ...] = ()


# How the SDK marks a secret value in what it sends to the engine (and to mocks).
SECRET_SIGNATURE = ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")


def unwrap_secrets(value: Any, path: str = "", found: list[str] | None = None) -> tuple[Any, list[str]]:
    """The value with secret markers removed, and the paths where they were."""
    found = [] if found is None else found
    if isinstance(value, dict):
        if value.get(SECRET_SIGNATURE[0]) == SECRET_SIGNATURE[1]:
            found.append(path)
            return unwrap_secrets(value.get("value"), path, found)[0], found
        return {k: unwrap_secrets(v, f"{path}.{k}".lstrip("."), found)[0] for k, v in value.items()}, found
    if isinstance(value, list):
        return [unwrap_secrets(v, f"{path}[{i}]", found)[0] for i, v in enumerate(value)], found
    return value, found


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
    *,
    config_text: Mapping[str, str] | None = None,
    secret_keys: tuple[str, ...] = (),
) -> tuple[list[Registered], dict[str, Any]]:
    """Run the real __main__.py under Pulumi mocks; return what it registered and what it exported.

    `sink`, if given, receives registrations as they happen (so a failing run can be inspected).
    `config_text` sets config values as the raw text Pulumi hands the program (a plain
    scalar stays text, an object arrives as JSON), for values JSON cannot express.
    `secret_keys` marks config keys (without the project prefix) as Pulumi secrets.
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
            inputs, secret_paths = unwrap_secrets(_ints(dict(args.inputs)))
            registered.append(Registered(args.typ, args.name, inputs, secret_paths=tuple(secret_paths)))
            return f"{args.name}-id", outputs

        def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
            return {}, None

    pulumi.runtime.set_mocks(RecordingMocks(), project=PROJECT, stack=stack, preview=preview)
    texts = {k: json.dumps(v) for k, v in config.items()} | dict(config_text or {})
    pulumi.runtime.set_all_config({f"{PROJECT}:{k}": text for k, text in texts.items()}, [f"{PROJECT}:{k}" for k in secret_keys])

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

    # from_input also resolves Outputs nested in dicts and lists (e.g. the `clusters` map)
    resolved = asyncio.get_event_loop().run_until_complete(pulumi.Output.from_input(value).future())
    return _ints(resolved)


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
