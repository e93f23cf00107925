"""The program under Pulumi mocks: the one harness the mocks tests, the scan tests and the benchmark use.

`run_program` runs the real `__main__.py` (or another program, e.g. an example) with
Pulumi's mocks in place of the engine and records what it registers, as the engine
would receive it, and what it exports. `evaluate` runs it without recording (what the
benchmark times). Pulumi is imported when a harness is used, not when this module is,
so the pure test tiers that share helpers with it stay free of Pulumi.
"""

from __future__ import annotations

import asyncio
import copy
import json
import runpy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools.stack_files import PROJECT, ROOT
from tools.urn import urn_name, urn_type

if TYPE_CHECKING:
    import pulumi

PROGRAM = ROOT / "__main__.py"


@dataclass
class Registered:
    type: str
    name: str
    inputs: dict[str, Any]
    urn: str = ""
    # key paths (e.g. "stringData") whose value arrived as a Pulumi secret
    secret_paths: tuple[str, ...] = ()


def unwrap_secrets(value: Any, path: str = "", found: list[str] | None = None) -> tuple[Any, list[str]]:
    """The value with the SDK's secret markers removed, and the paths where they were."""
    from pulumi.runtime import rpc  # noqa: PLC0415 - the pure tiers never import Pulumi

    found = [] if found is None else found
    if rpc.is_rpc_secret(value):
        found.append(path)
        return unwrap_secrets(rpc.unwrap_rpc_secret(value), path, found)[0], found
    if isinstance(value, dict):
        return {k: unwrap_secrets(v, f"{path}.{k}".lstrip("."), found)[0] for k, v in value.items()}, found
    if isinstance(value, list):
        return [unwrap_secrets(v, f"{path}[{i}]", found)[0] for i, v in enumerate(value)], found
    return value, found


def whole_numbers(value: Any) -> Any:
    """Protobuf Structs carry every number as a float; give whole numbers back as ints."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [whole_numbers(v) for v in value]
    return value


def program_mocks(sink: list[Registered] | None = None) -> pulumi.runtime.Mocks:
    """Mocks whose resources output their inputs; each registration goes to `sink`, if given."""
    import pulumi  # noqa: PLC0415 - the pure tiers never import Pulumi

    class ProgramMocks(pulumi.runtime.Mocks):
        """Every resource's outputs are its inputs (every object is named, so nothing is left to the provider)."""

        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
            if sink is not None:
                inputs, secret_paths = unwrap_secrets(whole_numbers(dict(args.inputs)))
                sink.append(Registered(args.typ, args.name, inputs, secret_paths=tuple(secret_paths)))
            return f"{args.name}-id", dict(args.inputs)

        def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
            return {}, None

    return ProgramMocks()


def _configure(config: Mapping[str, Any], config_text: Mapping[str, str] | None, secret_keys: tuple[str, ...]) -> None:
    import pulumi  # noqa: PLC0415

    texts = {k: json.dumps(v) for k, v in config.items()} | dict(config_text or {})
    pulumi.runtime.set_all_config({f"{PROJECT}:{k}": text for k, text in texts.items()}, [f"{PROJECT}:{k}" for k in secret_keys])


def evaluate(config: Mapping[str, Any], stack: str = "test", *, preview: bool = True, program: Path = PROGRAM) -> None:
    """Run the program under mocks and nothing else: no recording (the benchmark times exactly this)."""
    import pulumi  # noqa: PLC0415

    pulumi.runtime.set_mocks(program_mocks(None), project=PROJECT, stack=stack, preview=preview)
    _configure(config, None, ())

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def run() -> None:
        runpy.run_path(str(program), run_name="__main__")

    run()


def run_program(
    config: Mapping[str, Any],
    stack: str = "test",
    preview: bool = False,
    sink: list[Registered] | None = None,
    *,
    config_text: Mapping[str, str] | None = None,
    secret_keys: tuple[str, ...] = (),
    program: Path = PROGRAM,
) -> tuple[list[Registered], dict[str, Any]]:
    """Run the program under Pulumi mocks; return what it registered and what it exported.

    `sink`, if given, receives registrations as they happen (so a failing run can be inspected).
    `config_text` sets config values as the raw text Pulumi hands the program (a plain
    scalar stays text, an object arrives as JSON), for values JSON cannot express.
    `secret_keys` marks config keys (without the project prefix) as Pulumi secrets.
    """
    import pulumi  # noqa: PLC0415

    registered: list[Registered] = sink if sink is not None else []
    pulumi.runtime.set_mocks(program_mocks(registered), project=PROJECT, stack=stack, preview=preview)
    _configure(config, config_text, secret_keys)

    exported: dict[str, Any] = {}
    original_export = pulumi.export

    def recording_export(name: str, value: Any) -> None:
        exported[name] = value
        original_export(name, value)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def run() -> None:
        pulumi.export = recording_export
        try:
            runpy.run_path(str(program), run_name="__main__")
        finally:
            pulumi.export = original_export

    run()
    # The mock monitor knows each resource's URN, which encodes its parent chain.
    monitor = pulumi.runtime.settings.get_monitor()
    assert isinstance(monitor, pulumi.runtime.mocks.MockMonitor)
    urns = {f"{urn_name(urn)}/{urn_type(urn)}": urn for urn in monitor.resources}
    for item in registered:
        item.urn = urns.get(f"{item.name}/{item.type}", "")
    return registered, {name: _resolve(value) for name, value in exported.items()}


def _resolve(value: Any) -> Any:
    import pulumi  # noqa: PLC0415

    # from_input also resolves Outputs nested in dicts and lists (e.g. the `clusters` map)
    resolved = asyncio.get_event_loop().run_until_complete(pulumi.Output.from_input(value).future())
    return whole_numbers(resolved)


def rendered_manifests(config: Mapping[str, Any], stack: str = "test") -> list[dict[str, Any]]:
    """The Kubernetes objects the program registers (from mocks), as plain manifests."""
    registered, _ = run_program(config, stack)
    return [copy.deepcopy(item.inputs) for item in registered if item.type.startswith("kubernetes:")]
