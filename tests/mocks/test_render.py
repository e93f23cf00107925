"""tools/render: the offline manifests equal what the program registers, byte-stable, secrets redacted.

The program runs under mocks (as the engine would receive its resources); the
renderer runs without Pulumi. For every stack, each registered Kubernetes object
must equal its rendered manifest, field for field, apart from the auto-name
placeholder and the redacted secret values.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.settings import parse_stack_config
from tests.support import ROOT, STACKS, minimal_cluster, run_program, stack_config
from tools.render import AUTO_NAME_SUFFIX, REDACTED, main, render_objects, render_stack

pytestmark = pytest.mark.mocks

MOCK_SUFFIX = "-mock1234"


def _normalise(value: Any) -> Any:
    """Mock auto-names and rendered placeholders compare equal; so do secret values."""
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, str):
        return value.replace(MOCK_SUFFIX, AUTO_NAME_SUFFIX)
    return value


@pytest.mark.parametrize("stack", STACKS)
def test_render_equals_what_the_program_registers(stack: str) -> None:
    registered, _ = run_program(stack_config(stack), stack)
    from_program = {}
    for item in registered:
        if not item.type.startswith("kubernetes:"):
            continue
        manifest = copy.deepcopy(item.inputs)
        manifest.setdefault("metadata", {}).setdefault("name", f"{item.name}{MOCK_SUFFIX}")
        if "stringData" in manifest:
            manifest["stringData"] = dict.fromkeys(manifest["stringData"], REDACTED)
        manifest = _normalise(manifest)
        from_program[(manifest["kind"], manifest["metadata"]["name"])] = manifest
    # the typed resources send apiVersion and kind as inputs too, so whole manifests compare
    rendered = {(m["kind"], m["metadata"]["name"]): m for m in render_objects(stack)}
    assert sorted(rendered) == sorted(from_program)
    for key, body in rendered.items():
        assert body == from_program[key], key


def test_render_is_byte_identical_across_runs_and_processes() -> None:
    runs = [
        subprocess.run([sys.executable, "-m", "tools.render", "prod"], cwd=ROOT, capture_output=True, check=True).stdout
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    assert runs[0].decode() == render_stack("prod")


def test_render_redacts_secrets_and_keeps_the_config_readable() -> None:
    text = render_stack("prod")
    config = stack_config("prod")["cluster"]["storage"]["s3"]
    assert config["secretKey"] not in text and config["accessKey"] not in text
    documents = [d for d in yaml.safe_load_all(text) if d]
    (secret,) = [d for d in documents if d["kind"] == "Secret"]
    assert set(secret["stringData"].values()) == {REDACTED}
    assert "  config.yaml: |\n" in text  # literal block: reviewers diff config.yaml line by line


def test_diff_of_two_stacks_shows_the_sizing_difference() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tools.render", "diff", "staging", "prod"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("--- staging\n+++ prod\n")
    assert "+    parallelism.default: 32" in result.stdout


def test_an_unknown_stack_is_a_clear_error() -> None:
    result = subprocess.run([sys.executable, "-m", "tools.render", "qa"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "no stack file stacks/Pulumi.qa.yaml; stacks: dev, prod, staging" in result.stderr


def test_render_prints_the_same_warnings_as_preview(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`pulumi preview` logs settings.warnings; the offline render prints them to stderr, the manifests to stdout."""
    cluster = minimal_cluster(taskManager={"slots": 16, "cpu": 1, "memory": "1728Mi"}, jobManager={"cpu": 1, "memory": "640Mi"})
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.warn.yaml").write_text(yaml.safe_dump({"config": {"flink-session:cluster": cluster}}))
    (settings,) = parse_stack_config({"cluster": cluster}, stack="warn")
    assert len(settings.warnings) == 2  # managed memory per slot, JobManager heap
    assert main(["warn"], root=tmp_path) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [f"warning: {w}" for w in settings.warnings]
    assert captured.out.startswith("# Rendered by tools/render for stack warn")
