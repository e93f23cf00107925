"""The Python pins have one home, pyproject.toml, and everything that repeats them agrees with it.

The requirements files are exactly what `python -m tools.pins` makes from it; the policy
pack's own requirements, the engine's versions (tools/toolchain/versions.env) and the
workflows' CLI (.pulumi-version) name the same versions; Pulumi.yaml leaves the
toolchain to Pulumi's detection (uv with a uv.lock, pip without), and uv's lock, which
names the index it came from, is never committed. pip's settings become uv's, so a lock
is resolved where pip would install.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tools import pins
from tools.pins import Pins, lock, project_pins, requirements_files, stale_files, uv_environment

ROOT = Path(__file__).resolve().parents[2]


def _versions(lines: list[str] | tuple[str, ...]) -> dict[str, str]:
    return dict(line.split("==", 1) for line in lines if "==" in line and not line.startswith("#"))


def test_the_requirements_files_are_what_pyproject_makes() -> None:
    assert stale_files(ROOT) == []


def test_a_pin_changed_in_pyproject_only_makes_the_requirements_stale(tmp_path: Path) -> None:
    for name in ("pyproject.toml", "requirements.txt", "requirements-dev.txt"):
        (tmp_path / name).write_text((ROOT / name).read_text())
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"pyyaml==6.0.3"', '"pyyaml==6.0.2"'))
    assert stale_files(tmp_path) == ["requirements.txt"]


def test_every_pin_is_exact_and_named_once() -> None:
    found = project_pins()
    every = [*found.runtime, *found.dev]
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][A-Za-z0-9_.]*", pin) for pin in every), every
    names = [pin.split("==")[0].lower() for pin in every]
    assert len(names) == len(set(names)), names


def test_the_dev_requirements_add_to_the_runtime_ones() -> None:
    files = requirements_files(Pins(runtime=("a==1",), dev=("b==2",)))
    assert files["requirements.txt"].splitlines()[1:] == ["a==1"]
    assert files["requirements-dev.txt"].splitlines()[1:] == ["-r requirements.txt", "b==2"]


def test_the_policy_pack_and_the_engine_name_the_same_versions() -> None:
    ours = _versions([*project_pins().runtime, *project_pins().dev])
    policy = _versions((ROOT / "policy" / "requirements.txt").read_text().splitlines())
    assert policy == {name: ours[name] for name in policy}
    engine = dict(
        line.split("=", 1) for line in (ROOT / "tools" / "toolchain" / "versions.env").read_text().splitlines() if "=" in line
    )
    assert engine["PULUMI_VERSION"] == f"v{ours['pulumi']}"
    assert engine["PULUMI_KUBERNETES_VERSION"] == f"v{ours['pulumi-kubernetes']}"
    assert (ROOT / ".pulumi-version").read_text().strip() == ours["pulumi"]


def test_pulumi_picks_the_toolchain_and_the_lock_stays_local() -> None:
    options = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["runtime"]["options"]
    assert "toolchain" not in options, options  # Pulumi's detection: uv with a uv.lock, else pip
    assert options["virtualenv"] == ".venv"
    assert "uv.lock" in (ROOT / ".gitignore").read_text().splitlines()


def test_pips_settings_become_uvs() -> None:
    config = "\n".join(
        [
            "global.index-url='https://mirror.invalid/simple'",
            ":env:.extra-index-url='https://other.invalid/simple'",
            "global.cert='/etc/ssl/certs/ca.pem'",
            ":env:.default-timeout='180'",
        ]
    )
    assert uv_environment(config) == {
        "UV_DEFAULT_INDEX": "https://mirror.invalid/simple",
        "UV_INDEX": "https://other.invalid/simple",
        "SSL_CERT_FILE": "/etc/ssl/certs/ca.pem",
    }


def test_without_uv_on_path_no_lock_is_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert "no uv.lock" in lock(root=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_check_reports_stale_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("pyproject.toml", "requirements.txt"):
        (tmp_path / name).write_text((ROOT / name).read_text())
    monkeypatch.setattr(pins, "ROOT", tmp_path)
    assert pins.main(["--check"]) == 1
    assert "requirements-dev.txt differs from pyproject.toml" in capsys.readouterr().err
