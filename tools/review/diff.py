"""Diffs of rendered stacks: two stacks, or one stack at two git revisions."""

from __future__ import annotations

import difflib
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO

from tools.stack_files import ROOT


def print_warnings(warnings: tuple[str, ...] | list[str], label: str = "") -> None:
    for warning in warnings:
        print(f"warning: {label}{warning}", file=sys.stderr)


def render_at_revision(stack: str, revision: str) -> str:
    """Render with the code and stack files of a git revision (extracted to a temp dir)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], capture_output=True, check=False)
    if archive.returncode != 0:
        raise SystemExit(f"render: git archive {revision} failed: {archive.stderr.decode().strip()}")
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        result = subprocess.run(
            [sys.executable, "-m", "tools.review", stack], cwd=tmp, capture_output=True, text=True, check=False
        )
    if result.returncode != 0:
        raise SystemExit(f"render: rendering {stack} at {revision} failed:\n{result.stderr or result.stdout}")
    # that revision's warnings (if it prints them), labelled with where they come from
    print_warnings([line.removeprefix("warning: ") for line in result.stderr.splitlines()], f"[{stack}@{revision}] ")
    return result.stdout


def diff(before: str, after: str, before_name: str, after_name: str) -> str:
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), before_name, after_name, n=3)
    return "".join(lines)
