"""The committed option catalogues are what Flink's own jars define, for the releases this tier boots.

`python -m tools.catalogue --check` lists every static ConfigOption (key and fallback
keys) of the release's lib/, opt/ and plugins/ jars by reflection and compares the
result with components/flink/catalogue/<line>.txt; a catalogue with a key removed is
seen to differ.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from components.flink.catalogue import catalogue_file
from tests.flink.conftest import ORACLE_VERSIONS
from tests.support.config import ROOT


def _check(version: str, *directory: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "tools.catalogue", "--check", *directory, version]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


@pytest.mark.parametrize("version", ORACLE_VERSIONS)
def test_the_catalogue_is_what_the_jars_define(version: str) -> None:
    result = _check(version)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_catalogue_missing_a_key_is_caught(tmp_path: Path) -> None:
    version = ORACLE_VERSIONS[0]
    lines = catalogue_file(version).read_text().splitlines(keepends=True)
    (tmp_path / catalogue_file(version).name).write_text("".join(line for line in lines if line != "rest.port\n"))
    result = _check(version, "--dir", str(tmp_path))
    assert result.returncode == 1 and version in result.stdout
