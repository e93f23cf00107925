"""tools/review: the offline manifests equal what the program registers, byte-stable, secrets redacted.

The program runs under mocks (as the engine would receive its resources); the
renderer runs without Pulumi. For every stack, each registered Kubernetes object
must equal its rendered manifest, field for field, names included (the ConfigMap is
named by its content, so nothing is left for the engine to name), apart from the
redacted secret values.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from components.manifests.objects import cluster_objects
from tests.support.config import ROOT, STACKS, minimal_cluster, resolution_of, stack_cluster, stack_config
from tools.mocks import run_program
from tools.review.__main__ import main
from tools.review.render import render_objects, render_stack
from tools.stack_files import REDACTED


@pytest.mark.parametrize("stack", STACKS)
def test_render_equals_what_the_program_registers(stack: str) -> None:
    registered, _ = run_program(stack_config(stack), stack)
    from_program = {}
    for item in registered:
        if not item.type.startswith("kubernetes:"):
            continue
        manifest = copy.deepcopy(item.inputs)
        if "stringData" in manifest:
            manifest["stringData"] = dict.fromkeys(manifest["stringData"], REDACTED)
        from_program[(manifest["kind"], manifest["metadata"]["name"])] = manifest
    # the typed resources send apiVersion and kind as inputs too, so whole manifests compare
    rendered = {(m["kind"], m["metadata"]["name"]): m for m in render_objects(stack)}
    assert sorted(rendered) == sorted(from_program)
    for key, body in rendered.items():
        assert body == from_program[key], key


def test_render_is_byte_identical_across_runs_and_processes() -> None:
    runs = [
        subprocess.run([sys.executable, "-m", "tools.review", "prod"], cwd=ROOT, capture_output=True, check=True).stdout
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
    assert "xxxxxxx" not in text  # real names only: no placeholder for an engine-made name


def test_diff_of_two_stacks_shows_the_sizing_difference() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tools.review", "diff", "staging", "prod"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("--- staging\n+++ prod\n")
    assert "+    parallelism.default: 32" in result.stdout


def test_an_unknown_stack_is_a_clear_error() -> None:
    result = subprocess.run([sys.executable, "-m", "tools.review", "qa"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "no stack file stacks/Pulumi.qa.yaml; stacks: dev, prod, staging" in result.stderr


def test_render_prints_the_same_warnings_as_preview(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`pulumi preview` logs the resolution's warnings; the offline render prints them to stderr, the manifests to stdout."""
    cluster = minimal_cluster(taskManager={"slots": 16, "cpu": 1, "memory": "1728Mi"}, jobManager={"cpu": 1, "memory": "640Mi"})
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.warn.yaml").write_text(yaml.safe_dump({"config": {"flink-session:cluster": cluster}}))
    warnings = resolution_of(cluster).warnings
    assert len(warnings) == 3  # managed memory per slot, JobManager heap, no HA in production
    assert main(["warn"], root=tmp_path) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [f"warning: {w}" for w in warnings]
    assert captured.out.startswith("# Rendered by tools/review for stack warn")


def test_names_match_between_the_render_and_the_object_list() -> None:
    """The renderer adds nothing of its own: every object is named as the pure object list names it."""
    names = [o.manifest["metadata"]["name"] for o in cluster_objects(stack_cluster("dev"))]
    assert [m["metadata"]["name"] for m in render_objects("dev")] == names
