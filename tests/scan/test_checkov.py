"""checkov (framework kubernetes) over every stack's rendered manifests: zero failed checks.

The manifests are the ones the program registers under mocks. The only suppressions
are in .checkov.yaml, with their reasons; the digest check is shown to pass when a
digest is pinned.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.config import ROOT, STACKS, minimal_cluster, stack_config
from tools.mocks import rendered_manifests

CHECKOV = ROOT / ".venv-scan" / "bin" / "checkov"


def run_checkov(manifests: list[dict[str, Any]], directory: Path, *extra: str) -> dict[str, Any]:
    assert CHECKOV.exists(), f"{CHECKOV} is missing: run `make venv` (it installs checkov into .venv-scan)"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "manifests.yaml").write_text(yaml.safe_dump_all(manifests, sort_keys=True))
    result = subprocess.run(
        [str(CHECKOV), "-d", str(directory), "-o", "json", "--quiet", "--compact", "--skip-download", *extra],
        capture_output=True,
        text=True,
        check=False,
        cwd=directory,  # so only the config file passed explicitly applies
        # Offline: never ask the vendor's API for policy mappings.
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
    )
    report = json.loads(result.stdout)
    assert isinstance(report, dict), result.stdout[:2000]
    return report


def failures(report: dict[str, Any]) -> list[str]:
    return [f"{c['check_id']} {c['resource']}" for c in report["results"]["failed_checks"]]


@pytest.mark.parametrize("stack", STACKS)
def test_stack_manifests_pass_every_checkov_check(stack: str, tmp_path: Path) -> None:
    report = run_checkov(rendered_manifests(stack_config(stack), stack), tmp_path, "--config-file", str(ROOT / ".checkov.yaml"))
    assert failures(report) == []
    assert report["summary"]["passed"] > 100  # the scan really looked at the objects


def test_digest_pinned_image_passes_the_digest_check(tmp_path: Path) -> None:
    digest = "sha256:" + "0" * 64
    pinned = rendered_manifests({"cluster": minimal_cluster(image=f"flink@{digest}")})
    report = run_checkov(pinned, tmp_path / "pinned", "--framework", "kubernetes", "--check", "CKV_K8S_43")
    assert failures(report) == []
    assert report["summary"]["passed"] >= 2
    tagged = rendered_manifests({"cluster": minimal_cluster()})
    report = run_checkov(tagged, tmp_path / "tagged", "--framework", "kubernetes", "--check", "CKV_K8S_43")
    assert failures(report), "without a digest the check must fail, or the test above proves nothing"
