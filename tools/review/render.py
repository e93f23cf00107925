"""Offline render: the exact Kubernetes objects a stack would create, without a cluster, backend or CLI.

The objects come from the same list the component registers
(`components.manifests.objects`), in creation order, under their real names (the
ConfigMap is named by its content, so there is nothing left for the engine to name);
secret values (Pulumi `secure:` config and the Secret's data) read `<redacted>`. Two
runs give identical bytes. The warnings `pulumi preview` would log go to stderr as
`warning: <message>`, so stdout stays the manifests alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from components.manifests.metadata import with_owner
from components.manifests.objects import cluster_objects
from components.model.cluster import replace_sensitive
from components.model.naming import stack_owner
from components.resolution import Resolution, parse_stack_config
from tools.stack_files import PROJECT, REDACTED, ROOT, stack_config


class _ReviewDumper(yaml.SafeDumper):
    """Multi-line strings (config.yaml, log4j files) as literal blocks, so diffs read line by line."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ReviewDumper.add_representer(str, _represent_str)


def stack_resolutions(stack: str, root: Path = ROOT) -> tuple[Resolution, ...]:
    """The validated clusters of a stack file (secrets redacted), as the program would see them on that stack."""
    return parse_stack_config(stack_config(stack, secrets="redact", root=root))


def _manifests(stack: str, resolutions: tuple[Resolution, ...]) -> list[dict[str, Any]]:
    """As the component registers them: each marked with the stack that owns it."""
    owner = stack_owner(PROJECT, stack)
    return [
        with_owner(replace_sensitive(item.manifest, lambda _: REDACTED), owner)
        for resolution in resolutions
        for item in cluster_objects(resolution.cluster)
    ]


def render_objects(stack: str, root: Path = ROOT) -> list[dict[str, Any]]:
    """The manifests of every cluster of the stack, in creation order."""
    return _manifests(stack, stack_resolutions(stack, root))


def _render_text(stack: str, resolutions: tuple[Resolution, ...]) -> str:
    documents = []
    for manifest in _manifests(stack, resolutions):
        metadata = manifest["metadata"]
        where = f"{metadata['namespace']}/" if "namespace" in metadata else ""
        header = f"# {manifest['kind']} {where}{metadata['name']}\n"
        documents.append(header + yaml.dump(manifest, Dumper=_ReviewDumper, sort_keys=True, default_flow_style=False, width=120))
    return f"# Rendered by tools/review for stack {stack}; secrets read '{REDACTED}'.\n" + "---\n".join(documents)


def render_stack(stack: str, root: Path = ROOT) -> str:
    return _render_text(stack, stack_resolutions(stack, root))


def render_config(stack: str, config: dict[str, Any]) -> str:
    """The rendered objects of a stack whose configuration is given (`{"cluster": ...}` or `{"clusters": ...}`)."""
    return _render_text(stack, parse_stack_config(config))


def render_with_warnings(stack: str, root: Path = ROOT) -> tuple[str, tuple[str, ...]]:
    """The rendered stack and the warnings `pulumi preview` logs for it (in the program's order)."""
    resolutions = stack_resolutions(stack, root)
    return _render_text(stack, resolutions), tuple(w for resolution in resolutions for w in resolution.warnings)
