"""The stack's configuration: `cluster` or `clusters` (a list, or a map from name to cluster), validated as a whole.

`parse_stack_config` is the program's one entry point: it takes the decoded config
(`input.stack_config.decode_stack_config`), resolves every cluster and checks them against
each other (names and namespaces become Pulumi and Kubernetes names), and either
returns every resolution or raises one ConfigError listing every problem.
"""

from __future__ import annotations

from collections.abc import Mapping

from components.errors import ConfigError, Problem, key_path
from components.input.schema import FlinkSessionClusterArgs, stack_keys
from components.resolution.cluster import Resolution, resolve_cluster


def _cluster_entries(config: Mapping[str, object], secret_keys: frozenset[str]) -> tuple[list[tuple[str, object]], list[Problem]]:
    """(key path, raw cluster) for each cluster of the stack, from `cluster` or `clusters`."""
    single, many = config.get("cluster"), config.get("clusters")
    if single is not None and many is not None:
        message = "cannot be set together with flink-session:cluster; put every cluster under clusters"
        return [], [Problem("clusters", message, has_value=False)]
    if single is not None:
        return [("cluster", single)], []
    if many is None:
        message = "is required: set flink-session:cluster (one cluster) or flink-session:clusters (a list or map of them)"
        return [], [Problem("cluster", message, has_value=False)]
    if isinstance(many, list) and many:
        return [(f"clusters[{index}]", raw) for index, raw in enumerate(many)], []
    if isinstance(many, Mapping) and many:
        entries: list[tuple[str, object]] = []
        problems: list[Problem] = []
        for key, raw in many.items():
            path = key_path("clusters", (str(key),))
            if isinstance(raw, Mapping) and "name" in raw and raw["name"] != key:
                message = f"differs from its key '{key}'; in the map form the key is the cluster's name, so omit name"
                problems.append(Problem(f"{path}.name", message, raw["name"]))
                continue
            entries.append((path, {"name": key, **raw} if isinstance(raw, Mapping) else raw))
        return entries, problems
    message = "must be a non-empty list of clusters, or a map of cluster name to cluster"
    return [], [Problem("clusters", message, many, has_value="clusters" not in secret_keys)]


def _check_collisions(resolved: list[tuple[str, Resolution]]) -> list[Problem]:
    """Names become Pulumi resource names and Kubernetes object names: they must not collide in a stack."""
    problems: list[Problem] = []
    first_by_name: dict[str, str] = {}
    creator_by_namespace: dict[str, str] = {}
    for path, resolution in resolved:
        cluster = resolution.cluster
        if cluster.name in first_by_name:
            message = (
                f"is also the name of {first_by_name[cluster.name]}; every cluster in a stack needs its own name "
                "(it names the Pulumi resources and the Kubernetes objects)"
            )
            problems.append(Problem(f"{path}.name", message, cluster.name))
        else:
            first_by_name[cluster.name] = path
        if cluster.create_namespace:
            if cluster.namespace in creator_by_namespace:
                message = (
                    f"would create namespace '{cluster.namespace}' again: {creator_by_namespace[cluster.namespace]} "
                    "creates it; set createNamespace: false here to share it"
                )
                problems.append(Problem(f"{path}.createNamespace", message, True))
            else:
                creator_by_namespace[cluster.namespace] = path
    return problems


def parse_stack_config(config: Mapping[str, object], secret_keys: frozenset[str] = frozenset()) -> tuple[Resolution, ...]:
    """Validate the project's configuration (`cluster` or `clusters`); raise ConfigError with every problem.

    `config` holds the decoded values (input.stack_config.decode_stack_config); `secret_keys`
    names those that are Pulumi secrets as a whole, whose value is then never echoed.
    """
    entries, problems = _cluster_entries(config, secret_keys)
    resolved: list[tuple[str, Resolution]] = []
    for path, raw in entries:
        secret = path.split("[", 1)[0].split(".", 1)[0] in secret_keys
        resolution, cluster_problems = resolve_cluster(raw, path, secret=secret)
        problems.extend(cluster_problems)
        if resolution is not None:
            resolved.append((path, resolution))
    problems.extend(_check_collisions(resolved))
    if problems:
        raise ConfigError(problems)
    return tuple(resolution for _, resolution in resolved)


def resolve_args(name: str, args: FlinkSessionClusterArgs, prefix: str = "cluster") -> Resolution:
    """A program's args validated and resolved exactly as a stack's `flink-session:cluster`; ConfigError lists every problem."""
    resolution, problems = resolve_cluster({"name": name, **stack_keys(args)}, prefix)
    if resolution is None:
        raise ConfigError(problems)
    return resolution
