"""Offline render: the exact Kubernetes objects a stack would create, without a cluster, backend or CLI.

    python -m tools.render dev                      # YAML stream of the dev stack
    python -m tools.render dev --out dev.yaml
    python -m tools.render diff dev prod            # two stacks
    python -m tools.render diff prod --base main    # one stack at two git revisions (head: the work tree)

The objects come from the same list the component registers
(`components.manifests.objects`), in creation order. Auto-generated names get the
stable placeholder suffix `-xxxxxxx`; secret values (Pulumi `secure:` config and the
Secret's data) are replaced by `<redacted>`. Two runs give identical bytes.
"""

from __future__ import annotations

import argparse
import difflib
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

import yaml

from components.errors import ConfigError
from components.manifests.objects import cluster_objects
from components.operations import Sensitive
from components.settings import parse_stack_config

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "flink-session"
AUTO_NAME_SUFFIX = "-xxxxxxx"
REDACTED = "<redacted>"


def _redact_config(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return REDACTED
        return {k: _redact_config(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_config(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Sensitive):
        return REDACTED
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class _ReviewDumper(yaml.SafeDumper):
    """Multi-line strings (config.yaml, log4j files) as literal blocks, so diffs read line by line."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ReviewDumper.add_representer(str, _represent_str)


def stack_file_config(stack: str, root: Path = ROOT) -> dict[str, Any]:
    path = root / "stacks" / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        known = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in (root / "stacks").glob("Pulumi.*.yaml"))
        raise SystemExit(f"render: no stack file {path.relative_to(root)}; stacks: {', '.join(known)}")
    data = yaml.safe_load(path.read_text()) or {}
    config = data.get("config") or {}
    return {k.split(":", 1)[1]: _redact_config(v) for k, v in config.items() if k.startswith(f"{PROJECT}:")}


def render_objects(stack: str, root: Path = ROOT) -> list[dict[str, Any]]:
    """The manifests of every cluster of the stack, in creation order."""
    clusters = parse_stack_config(stack_file_config(stack, root), stack=stack)
    manifests: list[dict[str, Any]] = []
    for settings in clusters:
        config_map_name = settings.names.config_map + AUTO_NAME_SUFFIX
        for item in cluster_objects(settings, config_map_name):
            manifest = _plain(item.manifest)
            manifest["metadata"].setdefault("name", item.manifest["metadata"].get("name", config_map_name))
            manifests.append(manifest)
    return manifests


def render_stack(stack: str, root: Path = ROOT) -> str:
    documents = []
    for manifest in render_objects(stack, root):
        metadata = manifest["metadata"]
        where = f"{metadata['namespace']}/" if "namespace" in metadata else ""
        header = f"# {manifest['kind']} {where}{metadata['name']}\n"
        documents.append(header + yaml.dump(manifest, Dumper=_ReviewDumper, sort_keys=True, default_flow_style=False, width=120))
    return f"# Rendered by tools/render for stack {stack}; placeholders: '{AUTO_NAME_SUFFIX}', '{REDACTED}'.\n" + (
        "---\n".join(documents)
    )


def render_at_revision(stack: str, revision: str) -> str:
    """Render with the code and stack files of a git revision (extracted to a temp dir)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], capture_output=True, check=False)
    if archive.returncode != 0:
        raise SystemExit(f"render: git archive {revision} failed: {archive.stderr.decode().strip()}")
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        result = subprocess.run(
            [sys.executable, "-m", "tools.render", stack], cwd=tmp, capture_output=True, text=True, check=False
        )
    if result.returncode != 0:
        raise SystemExit(f"render: rendering {stack} at {revision} failed:\n{result.stderr or result.stdout}")
    return result.stdout


def diff(before: str, after: str, before_name: str, after_name: str) -> str:
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), before_name, after_name, n=3)
    return "".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["diff"]:
        parser = argparse.ArgumentParser(prog="python -m tools.render diff")
        parser.add_argument("stacks", nargs="+", help="two stacks, or one stack with --base")
        parser.add_argument("--base", help="git revision to compare the work tree (or --head) against")
        parser.add_argument("--head", help="git revision instead of the work tree")
        options = parser.parse_args(args[1:])
        try:
            if options.base:
                if len(options.stacks) != 1:
                    parser.error("with --base give exactly one stack")
                (stack,) = options.stacks
                before = render_at_revision(stack, options.base)
                after = render_at_revision(stack, options.head) if options.head else render_stack(stack)
                names = (f"{stack}@{options.base}", f"{stack}@{options.head or 'worktree'}")
            else:
                if len(options.stacks) != 2:
                    parser.error("give two stacks, or one stack with --base")
                first, second = options.stacks
                before, after, names = render_stack(first), render_stack(second), (first, second)
        except ConfigError as error:
            print(error, file=sys.stderr)
            return 1
        sys.stdout.write(diff(before, after, *names))
        return 0
    parser = argparse.ArgumentParser(prog="python -m tools.render", description=__doc__.split("\n\n")[0])
    parser.add_argument("stack")
    parser.add_argument("--out", type=Path, help="write here instead of stdout")
    options = parser.parse_args(args)
    try:
        text = render_stack(options.stack)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 1
    if options.out:
        options.out.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
