"""Pulumi's Python toolchain as a checkout gets it: uv with a uv.lock beside Pulumi.yaml, pip without.

Pulumi.yaml names no toolchain, so the engine decides (tools/pins.py): a copy of the
project without uv.lock runs pip, as a pip user's checkout does; with the uv.lock
`tools.pins lock` makes (resolved from the index pip is configured with), it runs uv,
whose version `pulumi about` reports, and lists the program's direct dependencies from
pyproject.toml. The dev stack goes up under pip and previews with no change under uv,
dynamic resources included, and is destroyed under uv.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tools.engine import Workspace
from tools.pins import lock

STACK = "dev"
UV = Path(sys.prefix) / "bin" / "uv"


def _about(workspace: Workspace) -> dict[str, Any]:
    about: dict[str, Any] = json.loads(workspace.cli("about", "--json", stack=STACK).stdout)
    return about


def _version(command: list[str]) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()[1]


def test_pip_without_a_lock_and_uv_with_one(workspace: Workspace) -> None:
    (workspace.directory / "uv.lock").unlink(missing_ok=True)
    workspace.add_stack(STACK)
    workspace.config_set(STACK, "cluster.namespace", "flink-toolchains")

    about = _about(workspace)
    pip = _version([sys.executable, "-m", "pip", "--version"])
    assert about["runtime"]["toolchainVersion"] == pip, about["runtime"]
    workspace.cli("up", "--yes", "--skip-preview", stack=STACK)

    assert "uv.lock made" in lock(root=workspace.directory, virtualenv=workspace.directory / ".venv", uv=str(UV))
    about = _about(workspace)
    assert about["runtime"]["toolchainVersion"] == _version([str(UV), "--version"]), about["runtime"]
    direct = {dependency["name"] for dependency in about["dependencies"]}
    assert {"pulumi", "pulumi-kubernetes", "pydantic"} <= direct, direct
    workspace.cli("preview", "--expect-no-changes", stack=STACK)

    workspace.cli("destroy", "--yes", "--skip-preview", stack=STACK)
