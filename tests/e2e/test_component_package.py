"""`pulumi package get-schema package`: the component package through the real CLI and Python host.

The CLI installs a plugin's dependencies into its virtualenv before it runs it (it
re-creates the virtualenv and upgrades pip, setuptools and wheel there), so the
package is copied beside a throwaway virtualenv that sees this one's packages; the
repository's own `.venv` is never touched.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.config import ROOT
from tools.engine import Toolchain

TOKEN = "flink-session:index:FlinkSessionCluster"


def _throwaway_virtualenv(path: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    site = next(path.glob("lib/python*/site-packages"))
    shared = next(Path(sys.prefix).glob("lib/python*/site-packages"))
    (site / "shared.pth").write_text(f"{shared}\n")


def test_get_schema_describes_the_component(toolchain: Toolchain, tmp_path: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "components", tmp_path / "components", ignore=ignore)
    shutil.copytree(ROOT / "package", tmp_path / "package", ignore=ignore)
    _throwaway_virtualenv(tmp_path / ".venv")  # PulumiPlugin.yaml names ../.venv
    result = subprocess.run(
        [str(toolchain.pulumi), "package", "get-schema", str(tmp_path / "package")],
        env=toolchain.environment(),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    schema = json.loads(result.stdout)
    assert schema["name"] == "flink-session"
    resource = schema["resources"][TOKEN]
    assert resource["isComponent"] is True
    assert sorted(resource["requiredInputs"]) == ["flinkVersion", "jobManager", "parallelism", "taskManager"]
    assert {"restEndpoint", "configMapName", "totalSlots", "summary"} <= set(resource["properties"])
    task_manager = schema["types"]["flink-session:index:TaskManagerArgs"]["properties"]
    assert task_manager["cpuPerSlot"]["type"] == "string" and task_manager["slots"]["type"] == "integer"
    assert resource["inputProperties"]["storage"]["$ref"] == "#/types/flink-session:index:StorageArgs"
