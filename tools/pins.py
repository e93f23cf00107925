"""The Python pins: pyproject.toml is their one home; the requirements files are made from it; uv's lock, locally.

    python -m tools.pins            # write requirements.txt and requirements-dev.txt from pyproject.toml
    python -m tools.pins --check    # exit 1 if they differ from what pyproject.toml makes
    python -m tools.pins lock       # with uv on PATH: uv.lock, and .venv synced to it

pip users install from the requirements files, exactly as before. With a `uv.lock` beside
Pulumi.yaml, Pulumi's Python language host picks its `uv` toolchain (Pulumi.yaml names
none), which reads the lock instead of running `python -m pip` twice on every command
(docs/benchmarks.md). uv records the index it resolved from in the lock, so the lock is
made on the user's machine, from the index pip is configured with there, and never
committed (.gitignore).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GENERATED = "# Made by `python -m tools.pins` from pyproject.toml, the pins' one home: edit them there.\n"
# pip's settings (`pip config list` keys, after the scope) and the uv settings that mean the same.
_PIP_TO_UV = {
    "index-url": "UV_DEFAULT_INDEX",
    "extra-index-url": "UV_INDEX",
    "find-links": "UV_FIND_LINKS",
    "cert": "SSL_CERT_FILE",
}


@dataclass(frozen=True)
class Pins:
    runtime: tuple[str, ...]
    dev: tuple[str, ...]


def project_pins(pyproject: Path = ROOT / "pyproject.toml") -> Pins:
    data = tomllib.loads(pyproject.read_text())
    return Pins(runtime=tuple(data["project"]["dependencies"]), dev=tuple(data["dependency-groups"]["dev"]))


def requirements_files(pins: Pins) -> dict[str, str]:
    """File name -> content: the runtime pins, and the development pins on top of them."""
    return {
        "requirements.txt": GENERATED + "".join(f"{pin}\n" for pin in pins.runtime),
        "requirements-dev.txt": GENERATED + "-r requirements.txt\n" + "".join(f"{pin}\n" for pin in pins.dev),
    }


def stale_files(root: Path = ROOT) -> list[str]:
    """The requirements files whose content is not what pyproject.toml makes."""
    wanted = requirements_files(project_pins(root / "pyproject.toml"))
    return [name for name, text in wanted.items() if not (root / name).exists() or (root / name).read_text() != text]


def pip_config() -> str:
    """`pip config list`: pip's settings on this machine, from its files and PIP_* variables."""
    command = [sys.executable, "-m", "pip", "config", "list"]
    return subprocess.run(command, capture_output=True, text=True, check=False).stdout


def uv_environment(config: str) -> dict[str, str]:
    """uv's settings for the index pip uses here, from `pip config list` output (`scope.key='value'` lines)."""
    settings: dict[str, str] = {}
    for line in config.splitlines():
        key, _, value = line.partition("=")
        name = key.rpartition(".")[2]
        if name in _PIP_TO_UV and value:
            settings[_PIP_TO_UV[name]] = value.strip().strip("'\"")
    return settings


def lock(root: Path = ROOT, virtualenv: Path | None = None, uv: str | None = None) -> str:
    """uv.lock from pyproject.toml and the virtualenv synced to it, when uv is on PATH; what was done, in a line."""
    uv = uv or shutil.which("uv")
    if uv is None:
        return "uv is not on PATH: no uv.lock, so Pulumi uses its pip toolchain"
    env = {**os.environ, **uv_environment(pip_config()), "UV_PROJECT_ENVIRONMENT": str(virtualenv or root / ".venv")}
    # --compile-bytecode: what uv installs is compiled, as pip compiles what it installs.
    for args in (["lock", "--python", sys.executable], ["sync", "--inexact", "--frozen", "--compile-bytecode"]):
        result = subprocess.run([uv, *args], cwd=root, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise SystemExit(f"tools.pins: `uv {' '.join(args)}` failed:\n{result.stderr.strip()[-3000:]}")
    return f"uv.lock made with {uv}: Pulumi uses its uv toolchain"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.pins", description=__doc__.split("\n")[0])
    parser.add_argument("command", nargs="?", choices=["write", "lock"], default="write")
    parser.add_argument("--check", action="store_true", help="only report requirements files pyproject.toml does not make")
    options = parser.parse_args(argv)
    if options.command == "lock":
        print(f"tools.pins: {lock(ROOT)}", file=sys.stderr)
        return 0
    stale = stale_files(ROOT)
    if options.check:
        for name in stale:
            print(f"tools.pins: {name} differs from pyproject.toml's pins; run `python -m tools.pins`", file=sys.stderr)
        return 1 if stale else 0
    for name, text in requirements_files(project_pins(ROOT / "pyproject.toml")).items():
        (ROOT / name).write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
