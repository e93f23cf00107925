"""The Python language host's toolchains, side by side: copies of the project that differ only in it.

Pulumi's Python language host (pulumi/pulumi `sdk/python/toolchain/`, v3.259.0) does this
before any code of ours runs:
  pip   `python -m pip --version` (About) and `python -m pip list --format json`
        (GetRequiredPackages), each a subprocess that imports pip;
  uv    `uv --version` whenever it resolves the toolchain, reads `uv.lock` for the package
        list, and, when a `pyproject.toml` is found, runs `uv sync --inexact` before every
        Python command it starts (the two of About, the plugin lookup, the program).
Both then run one Python script that finds each package's `pulumi-plugin.json`.

So three copies: `pip` (a checkout without uv.lock); `uv` with `uv.lock` and no
`pyproject.toml` (the host never syncs); `uv` with both, as a checkout with a lock has
them (it syncs before every command). All three run in one
virtualenv made from the same lock, so only the toolchain differs. The lock is made
here, in a scratch directory, from pyproject.toml's runtime pins (tools/pins.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tools.engine import Toolchain, Workspace
from tools.pins import pip_config, project_pins, uv_environment

PIP = "pip"
UV_LOCK_ONLY = "uv, uv.lock without pyproject.toml"
UV_SYNC = "uv, uv.lock and pyproject.toml, as a checkout has them (uv sync before each command)"
VARIANTS = (PIP, UV_LOCK_ONLY, UV_SYNC)


def uv_binary() -> Path:
    """The `uv` of requirements-dev.txt, beside this interpreter."""
    found = Path(sys.prefix) / "bin" / "uv"
    if not found.exists():
        raise SystemExit(f"bench: no {found}; `make venv` installs uv from requirements-dev.txt")
    return found


def _pyproject(pins: tuple[str, ...]) -> str:
    dependencies = "".join(f'    "{pin}",\n' for pin in pins)
    return (
        f'[project]\nname = "flink-session"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = [\n{dependencies}]\n'
    )


def _uv(*args: str, cwd: Path, env: dict[str, str] | None = None) -> None:
    command = [str(uv_binary()), *args]
    result = subprocess.run(command, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"bench: uv {' '.join(args)} failed:\n{result.stderr[-3000:]}")


def locked_virtualenv(scratch: Path) -> tuple[Path, Path]:
    """`uv lock` of pyproject.toml's runtime pins and a virtualenv synced from it (with pip, for the pip case).

    Returns the directory holding `pyproject.toml` and `uv.lock`, and the virtualenv.
    """
    project = scratch / "lock"
    project.mkdir(parents=True)
    (project / "pyproject.toml").write_text(_pyproject(project_pins().runtime))
    _uv("lock", "--python", sys.executable, cwd=project, env=uv_environment(pip_config()))
    virtualenv = scratch / "runtime-venv"
    _uv("venv", "--seed", "--python", sys.executable, str(virtualenv), cwd=project)
    # compiled as pip compiles what it installs (this machine sets PYTHONDONTWRITEBYTECODE)
    _uv("sync", "--frozen", "--inexact", "--compile-bytecode", cwd=project, env={"UV_PROJECT_ENVIRONMENT": str(virtualenv)})
    return project, virtualenv


def variant(name: str, directory: Path, *, toolchain: Toolchain, kubeconfig: Path, lock: Path, virtualenv: Path) -> Workspace:
    """A copy of the project whose Pulumi.yaml names `name`'s toolchain (the engine's PATH has uv: tools/engine.py)."""
    workspace = Workspace.copy_of_project(directory, toolchain, kubeconfig, virtualenv)
    project_file = directory / "Pulumi.yaml"
    project = yaml.safe_load(project_file.read_text())
    project["runtime"]["options"]["toolchain"] = "pip" if name == PIP else "uv"
    project_file.write_text(yaml.safe_dump(project, sort_keys=False))
    (directory / "uv.lock").unlink(missing_ok=True)
    (directory / "pyproject.toml").unlink()
    if name != PIP:
        shutil.copy2(lock / "uv.lock", directory / "uv.lock")
    if name == UV_SYNC:
        shutil.copy2(lock / "pyproject.toml", directory / "pyproject.toml")
    return workspace
