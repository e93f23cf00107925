"""Offline render: the exact Kubernetes objects a stack would create, without a cluster, backend or CLI.

    python -m tools.render dev                      # YAML stream of the dev stack
    python -m tools.render dev --out dev.yaml
    python -m tools.render diff dev prod            # two stacks
    python -m tools.render diff prod --base main    # one stack at two git revisions (head: the work tree)

The objects come from the same list the component registers
(`components.manifests.objects`), in creation order. Auto-generated names get the
stable placeholder suffix `-xxxxxxx`; secret values (Pulumi `secure:` config and the
Secret's data) are replaced by `<redacted>`. Two runs give identical bytes. The
warnings `pulumi preview` would log (settings.warnings) go to stderr as
`warning: <message>`, so stdout stays the manifests alone.
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
from components.settings import ClusterSettings, parse_stack_config

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


def stack_clusters(stack: str, root: Path = ROOT) -> tuple[ClusterSettings, ...]:
    """The validated clusters of a stack file, as the program would see them on that stack."""
    return parse_stack_config(stack_file_config(stack, root), stack=stack)


def _manifests(clusters: tuple[ClusterSettings, ...]) -> list[dict[str, Any]]:
    manifests: list[dict[str, Any]] = []
    for settings in clusters:
        config_map_name = settings.names.config_map + AUTO_NAME_SUFFIX
        for item in cluster_objects(settings, config_map_name):
            manifest = _plain(item.manifest)
            manifest["metadata"].setdefault("name", item.manifest["metadata"].get("name", config_map_name))
            manifests.append(manifest)
    return manifests


def render_objects(stack: str, root: Path = ROOT) -> list[dict[str, Any]]:
    """The manifests of every cluster of the stack, in creation order."""
    return _manifests(stack_clusters(stack, root))


def _render_text(stack: str, clusters: tuple[ClusterSettings, ...]) -> str:
    documents = []
    for manifest in _manifests(clusters):
        metadata = manifest["metadata"]
        where = f"{metadata['namespace']}/" if "namespace" in metadata else ""
        header = f"# {manifest['kind']} {where}{metadata['name']}\n"
        documents.append(header + yaml.dump(manifest, Dumper=_ReviewDumper, sort_keys=True, default_flow_style=False, width=120))
    return f"# Rendered by tools/render for stack {stack}; placeholders: '{AUTO_NAME_SUFFIX}', '{REDACTED}'.\n" + (
        "---\n".join(documents)
    )


def render_stack(stack: str, root: Path = ROOT) -> str:
    return _render_text(stack, stack_clusters(stack, root))


def render_with_warnings(stack: str, root: Path = ROOT) -> tuple[str, tuple[str, ...]]:
    """The rendered stack and the warnings `pulumi preview` logs for it (in the program's order)."""
    clusters = stack_clusters(stack, root)
    warnings = tuple(w for settings in sorted(clusters, key=lambda s: not s.create_namespace) for w in settings.warnings)
    return _render_text(stack, clusters), warnings


def _print_warnings(warnings: tuple[str, ...] | list[str], label: str = "") -> None:
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
            [sys.executable, "-m", "tools.render", stack], cwd=tmp, capture_output=True, text=True, check=False
        )
    if result.returncode != 0:
        raise SystemExit(f"render: rendering {stack} at {revision} failed:\n{result.stderr or result.stdout}")
    # that revision's warnings (if it prints them), labelled with where they come from
    _print_warnings([line.removeprefix("warning: ") for line in result.stderr.splitlines()], f"[{stack}@{revision}] ")
    return result.stdout


def diff(before: str, after: str, before_name: str, after_name: str) -> str:
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), before_name, after_name, n=3)
    return "".join(lines)


def _render_labelled(stack: str, root: Path, label: str) -> str:
    text, warnings = render_with_warnings(stack, root)
    _print_warnings(warnings, f"[{label}] ")
    return text


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
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
                names = (f"{stack}@{options.base}", f"{stack}@{options.head or 'worktree'}")
                after = render_at_revision(stack, options.head) if options.head else _render_labelled(stack, root, names[1])
            else:
                if len(options.stacks) != 2:
                    parser.error("give two stacks, or one stack with --base")
                first, second = options.stacks
                before, after = _render_labelled(first, root, first), _render_labelled(second, root, second)
                names = (first, second)
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
        text, warnings = render_with_warnings(options.stack, root)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 1
    _print_warnings(warnings)
    if options.out:
        options.out.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
