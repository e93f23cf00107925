"""The GitHub workflows: actionlint clean, third-party actions pinned, least privilege, safe deploys.

actionlint is rhysd/actionlint built from its Go module by tools/toolchain/build.sh
(cached under ~/.cache/flink-session/toolchain).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.config import ROOT
from tools.engine import toolchain_path

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


@pytest.fixture(scope="module")
def actionlint() -> Path:
    return toolchain_path("actionlint", "actionlint")


def load(path: Path) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(path.read_text())
    return loaded


def test_actionlint_is_clean(actionlint: Path) -> None:
    result = subprocess.run([str(actionlint), "-color=false"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_does_catch_a_broken_workflow(actionlint: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ secrets }}\n")
    result = subprocess.run([str(actionlint), "-color=false", str(broken)], capture_output=True, text=True, check=False)
    assert result.returncode != 0


def test_workflows_exist() -> None:
    assert {p.name for p in WORKFLOWS} == {"pull-request.yml", "deploy.yml", "pulumi-up.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_third_party_actions_are_pinned_to_commits(path: Path) -> None:
    for uses in re.findall(r"uses:\s*(\S+)", path.read_text()):
        if uses.startswith("./"):
            continue
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", uses), uses


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {}, "the workflow grants nothing by default"
    for name, job in workflow["jobs"].items():
        if "uses" in job:
            continue  # a called workflow declares its own
        granted = job["permissions"]
        assert set(granted.values()) <= {"read", "write"}
        writes = {scope for scope, level in granted.items() if level == "write"}
        assert writes <= {"pull-requests"}, (name, writes)


def test_deploys_go_dev_staging_prod_behind_environments_without_overlap() -> None:
    deploy = load(ROOT / ".github" / "workflows" / "deploy.yml")
    assert deploy[True] == {"push": {"branches": ["main"]}}  # YAML 1.1 reads the key `on` as True
    jobs = deploy["jobs"]
    assert [jobs[s]["with"]["stack"] for s in ("dev", "staging", "prod")] == ["dev", "staging", "prod"]
    assert jobs["staging"]["needs"] == "dev" and jobs["prod"]["needs"] == "staging"
    up = load(ROOT / ".github" / "workflows" / "pulumi-up.yml")["jobs"]["up"]
    assert up["environment"] == "${{ inputs.stack }}"
    assert up["concurrency"] == {"group": "deploy-${{ inputs.stack }}", "cancel-in-progress": False}
    step = next(s for s in up["steps"] if "pulumi/actions" in s.get("uses", ""))
    assert step["with"]["command"] == "up" and step["with"]["policyPacks"] == "policy"


def test_previews_per_stack_comment_on_the_pr_with_the_policy_pack() -> None:
    preview = load(ROOT / ".github" / "workflows" / "pull-request.yml")["jobs"]["preview"]
    assert preview["strategy"]["matrix"]["stack"] == ["dev", "staging", "prod"]
    step = next(s for s in preview["steps"] if "pulumi/actions" in s.get("uses", ""))
    assert step["with"] | {"github-token": None} == {
        "command": "preview",
        "stack-name": "${{ matrix.stack }}",
        "pulumi-version-file": ".pulumi-version",
        "policyPacks": "policy",
        "comment-on-pr": True,
        "edit-pr-comment": True,
        "github-token": None,
    }


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_credentials_come_only_from_secrets(path: Path) -> None:
    text = path.read_text()
    for name in ("PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_BACKEND_URL", "KUBECONFIG_DATA"):
        for value in re.findall(rf"{name}:\s*(.+)", text):
            assert value.strip() == f"${{{{ secrets.{name} }}}}", (name, value)
