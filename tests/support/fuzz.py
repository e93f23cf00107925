"""Property test support: arbitrary YAML-shaped values into every key of the stack config.

Shared by the fast profile (`tests/unit/test_fuzz.py`, a few hundred examples, no
Java) and the long one (`tests/flink/test_fuzz.py`, thousands, which also asks
Flink's own BashJavaUtils about every rendered memory layout).

One example = one valid base cluster, one key path in it (every key of the spec,
found by walking the pydantic models, plus Flink's memory options inside
`flinkConfiguration` and the two top-level keys), and one YAML-shaped value (None,
bools, ints including huge ones, floats including nan/inf, strings including
quantity-like ones, lists, mappings). The promise checked: either a ConfigError
whose problems name that key (its path, a parent or child of it, or the key in the
message of a cross-field problem), or a render whose every object passes the strict
Kubernetes OpenAPI schema and whose config.yaml carries the owned options; never
any other exception.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import math
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import yaml
from hypothesis import strategies as st

from components.errors import ConfigError, Problem, key_path
from components.flink.config_files import CONFIG_FILE, render_config_files, render_flink_options
from components.flink.memory_options import JM_DEFAULTS, MANAGED_SIZE, TM_DEFAULTS
from components.flink.options import owned_values
from components.input.schema import StackCluster
from components.kubernetes.quantities import format_memory
from components.manifests.objects import cluster_objects
from components.model.cluster import Cluster, Sensitive, replace_sensitive
from components.model.naming import Part, camel_case
from components.resolution import parse_stack_config
from tests.support.api_validation import api_problems
from tests.support.config import STACKS, minimal_cluster, stack_config
from tests.support.kube_schema import CUSTOM_RESOURCE_KINDS, validate_strict

Path = tuple[str | int, ...]

# --- key paths --------------------------------------------------------------------------


def _nested_classes(annotation: Any) -> list[tuple[type, bool]]:
    """The schema classes a field holds, and whether inside a list (Optional unwrapped)."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return [found for arg in get_args(annotation) for found in _nested_classes(arg)]
    if origin in (list, tuple, Sequence):
        return [(cls, True) for cls, _ in _nested_classes(get_args(annotation)[0])]
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return [(annotation, False)]
    return []


def spec_paths(schema: type = StackCluster, prefix: Path = ()) -> list[Path]:
    """Every key the schema accepts, as paths (`[0]` for the first entry of a list of sections)."""
    paths: list[Path] = []
    hints = get_type_hints(schema)
    for item in dataclasses.fields(schema):
        path = (*prefix, camel_case(item.name))
        paths.append(path)
        for nested, in_list in _nested_classes(hints[item.name]):
            paths += spec_paths(nested, (*path, 0) if in_list else path)
    return paths


MEMORY_OPTIONS = sorted({*TM_DEFAULTS, *JM_DEFAULTS, MANAGED_SIZE})
# Relative to the stack's config: ("cluster", ...) or the top-level keys themselves.
KEY_PATHS: tuple[Path, ...] = (
    ("cluster",),
    ("clusters",),
    *(("cluster", *path) for path in spec_paths()),
    *(("cluster", "flinkConfiguration", key) for key in MEMORY_OPTIONS),
)

# --- valid bases ----------------------------------------------------------------------

PEER = {"namespaceLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}, "podLabels": {"app": "ingress"}}
# Another object than PEER: deepcopy keeps shared objects shared, so one mutation would hit both keys.
SQL_CLIENTS = {"namespaceLabels": {"kubernetes.io/metadata.name": "analytics"}, "podLabels": {"app": "superset"}}
HISTORY_READERS = {"namespaceLabels": {"kubernetes.io/metadata.name": "support"}, "podLabels": {"app": "oncall"}}


def full_cluster(**overrides: Any) -> dict[str, Any]:
    """A valid cluster that sets every optional section, so every key path exists in it."""
    cluster = minimal_cluster(
        namespace="flink-full",
        image="flink:2.2.1-scala_2.12-java17",
        imagePullPolicy="IfNotPresent",
        createNamespace=True,
        protectNamespace=False,
        taskManager={
            "slots": 2,
            "replicas": 3,
            "cpu": "1",
            "memory": "1728Mi",
            "cpuLimit": "2",
            "scratchSize": "2Gi",
            "forceScaleDown": False,
        },
        jobManager={"cpu": "500m", "memory": "1024Mi", "cpuLimit": "1", "scratchSize": "1Gi"},
        sqlGateway={"cpu": "250m", "memory": "1Gi", "cpuLimit": "1", "replicas": 2, "scratchSize": "1Gi"},
        historyServer={
            "cpu": "250m",
            "memory": "1Gi",
            "cpuLimit": "1",
            "archiveDir": "s3://bucket/completed-jobs",
            "retainedJobs": 100,
            "refreshInterval": "10s",
            "scratchSize": "1Gi",
        },
        scheduling={
            "nodeSelector": {"pool": "flink"},
            "tolerations": [
                {"key": "dedicated", "operator": "Equal", "value": "flink", "effect": "NoExecute", "tolerationSeconds": 60}
            ],
            "priorityClassName": "high",
            "spreadTaskManagers": True,
        },
        network={
            "restAccess": [PEER],
            "restServiceType": "ClusterIP",
            "sqlGatewayAccess": [SQL_CLIENTS],
            "historyServerAccess": [HISTORY_READERS],
        },
        highAvailability={
            "enabled": True,
            "storageDir": "s3://bucket/ha",
            "jobManagerReplicas": 2,
            "keepMetadataOnDestroy": False,
        },
        checkpoints={"dir": "s3://bucket/cp", "interval": "30s", "mode": "EXACTLY_ONCE", "retainOnCancellation": True},
        savepoints={"dir": "s3://bucket/sp"},
        stateBackend={"type": "rocksdb", "incremental": True},
        restartStrategy={"type": "failure-rate", "maxFailuresPerInterval": 3, "failureRateInterval": "5min", "delay": "10s"},
        storage={
            "s3": {"endpoint": "https://minio.example.com", "pathStyleAccess": True, "accessKey": "a", "secretKey": "s"},
            "sharedVolume": {"claimName": "flink-state", "mountPath": "/flink-state"},
        },
        metrics={
            "prometheus": True,
            "podMonitor": True,
            "podMonitorLabels": {"release": "prometheus"},
            "scrapeInterval": "30s",
            "scrapers": [{"cidr": "10.0.0.0/8"}],
        },
        ingress={
            "host": "flink.example.com",
            "className": "nginx",
            "tlsSecretName": "tls",
            "path": "/",
            "annotations": {"a/b": "c"},
        },
        jobs=[
            {
                # resolution checks that the jar is a file where `pulumi up` runs; Flink checks it is a jar
                "jar": "tests/support/empty.jar",
                "name": "counter",
                "entryClass": "CounterJob",
                "args": ["40"],
                "parallelism": 2,
                "upgradeMode": "savepoint",
                "allowNonRestoredState": False,
                "timeout": "5min",
            }
        ],
        jobsRestUrl="http://127.0.0.1:8081",
        flinkConfiguration={"jobstore.max-capacity": 100, "taskmanager.memory.managed.fraction": 0.4},
        labels={"team": "data"},
        annotations={"owner": "data-team"},
    )
    cluster.update(copy.deepcopy(overrides))
    return cluster


LTS = "1.20.4"


@functools.cache
def bases() -> tuple[tuple[str, dict[str, Any]], ...]:
    """(label, config) pairs that are valid as they are."""
    per_slot = {"slots": 4, "cpuPerSlot": "500m", "memoryPerSlot": "1Gi", "cpuLimit": "3"}
    on_shared_volume = {
        "environment": "production",
        "highAvailability": {"enabled": True, "storageDir": "file:///flink-state/ha"},
        "checkpoints": {"dir": "file:///flink-state/cp", "interval": "30s"},
        "storage": {"sharedVolume": {"claimName": "flink-state"}},
    }
    return (
        ("minimal", {"cluster": minimal_cluster()}),
        ("full", {"cluster": full_cluster()}),
        (
            "full-1.20",
            {"cluster": full_cluster(flinkVersion="1.20.4", image="flink:1.20.4-scala_2.12-java17", taskManager=per_slot)},
        ),
        ("shared-volume", {"cluster": minimal_cluster(**on_shared_volume)}),
        *((stack, stack_config(stack)) for stack in STACKS),
    )


def _has_parent(config: Mapping[str, Any], path: Path) -> bool:
    node: Any = config
    for part in path[:-1]:
        if isinstance(part, int):
            if not isinstance(node, list) or len(node) <= part:
                return False
        elif not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return isinstance(node, dict) or (isinstance(node, list) and isinstance(path[-1], int) and len(node) > path[-1])


def targets() -> list[tuple[int, Path]]:
    """(base index, key path) for every key path whose parent exists in that base."""
    found = [(index, path) for index, (_, config) in enumerate(bases()) for path in KEY_PATHS[2:] if _has_parent(config, path)]
    return [(0, KEY_PATHS[0]), (0, KEY_PATHS[1]), *found]


def mutate(config: Mapping[str, Any], path: Path, value: Any) -> dict[str, Any]:
    """The config with the value at `path` replaced (or added)."""
    if path == ("clusters",):
        return {"clusters": value}
    changed: dict[str, Any] = copy.deepcopy(dict(config))
    node: Any = changed
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return changed


# --- values ---------------------------------------------------------------------------

INTERESTING_STRINGS = (
    *("", " ", "0", "1", "-1", "0.5", "true", "null", "~", "1e3", "1e400", ".nan", ".inf", "NaN", "inf"),
    *("1728Mi", "982Mi", "981Mi", "2Gi", "1.5Gi", "1.3Gi", "1G", "100Ei", "4Ei", "5Ei", "8Ei", "1Ki", "500m", "0.001", "1m"),
    *("256m", "1g", "64mb", "1024", "0b", "-5m", "99999999999999999999g", "1.5g", "0.4", "0.99", "1.0", "0.1_0"),
    *("10ms", "9ms", "30s", "1min", "5m", "1h", "1h30m", "0s", "99999999999999999999d", "106751991167d"),
    *("rocksdb", "hashmap", "fixed-delay", "failure-rate", "exponential-delay", "disable", "EXACTLY_ONCE", "AT_LEAST_ONCE"),
    *("2.2.1", "2.2", "1.20.4", "1.20", "1.19.3", "2.3.0", "1.18.1", "2.9.9", "flink:2.2.1-scala_2.12-java17", "flink:latest"),
    *("flink:1.20.4-scala_2.12-java17", "flink@sha256:" + "a" * 64, "registry.example.com:5000/team/flink:2.2.1"),
    *("s3://bucket/x", "s3a://bucket/x", "s3p://bucket/x", "gs://b/x", "hdfs://nn/x", "file:///tmp/x", "ftp://h/x", "s3:///x"),
    *("https://minio.example.com", "minio:9000", "10.0.0.0/8", "300.0.0.0/8", "flink.example.com", "*.example.com"),
    *("analytics", "Bad Name", "a" * 52, "a" * 64, "kube-system", "NodePort", "LoadBalancer", "ClusterIP", "Always", "Never"),
    *("Exists", "Equal", "NoSchedule", "example.com/team", "app.kubernetes.io/name", "-bad-", "x" * 300),
)
INTERESTING_INTS = (0, 1, 2, 3, 4, 7, 8, 9, 31, 32, 33, 4096, 5000, 5001, 32768, 32769, 2**31 - 1, 2**31, 2**62, 2**63 - 1, 2**63)
KEY_NAMES = tuple(sorted({str(part) for path in KEY_PATHS for part in path if isinstance(part, str)}))

scalars: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(INTERESTING_INTS),
    st.sampled_from((-1, -(2**63), 10**30, 10**1000)),
    st.integers(),
    st.floats(),
    st.sampled_from((0.0, 0.25, 0.5, 1e300, float("nan"), float("inf"), float("-inf"))),
    st.sampled_from(INTERESTING_STRINGS),
    st.from_regex(r"\A[0-9]{1,25}(\.[0-9]{1,6})?([eE][+-]?[0-9]{1,3})?(Ki|Mi|Gi|Ti|Ei|m|k|M|G|E)?\Z"),
    st.integers(0, 1 << 16).map(lambda n: f"{n}{'m' if n % 2 else 'Mi'}"),
    st.text(max_size=12),
)
yaml_values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.one_of(st.sampled_from(KEY_NAMES), st.text(max_size=8)), children, max_size=3),
    ),
    max_leaves=6,
)
# What a Flink memory option might be given: sizes, fractions, and anything else.
memory_option_values: st.SearchStrategy[Any] = st.one_of(
    st.integers(0, 1 << 14).map(lambda n: f"{n}m"),
    st.integers(0, 100).map(lambda n: n / 100),
    st.integers(0, 1 << 40),
    yaml_values,
)
flink_configurations: st.SearchStrategy[Any] = st.one_of(
    yaml_values,
    st.dictionaries(st.one_of(st.sampled_from(MEMORY_OPTIONS), st.text(max_size=30)), memory_option_values, max_size=4),
)


def _value_at(config: Mapping[str, Any], path: Path) -> Any:
    node: Any = config
    for part in path:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and len(node) > part else None
        else:
            node = node.get(part) if isinstance(node, dict) else None
    return node


@functools.cache
def plausible_values(path: Path) -> tuple[Any, ...]:
    """Values the bases hold at this path, and near misses of numbers: renders, not only errors."""
    found: list[Any] = []
    for _, config in bases():
        value = _value_at(config, path)
        if value is not None and value not in found:
            found.append(value)
    for value in list(found):
        if isinstance(value, int) and not isinstance(value, bool):
            found += [value * 2, value + 1, max(value - 1, 0)]
    return tuple(found)


@st.composite
def examples(draw: st.DrawFn) -> tuple[str, Path, dict[str, Any]]:
    """(label of the base, mutated key path, mutated stack config)."""
    index, path = draw(st.sampled_from(targets()))
    stack, config = bases()[index]
    if path[:2] == ("cluster", "flinkConfiguration") and len(path) == 3:
        value = draw(memory_option_values)
    elif path == ("cluster", "flinkConfiguration"):
        value = draw(flink_configurations)
    elif plausible_values(path) and draw(st.integers(0, 2)) == 0:
        value = draw(st.sampled_from(plausible_values(path)))
    else:
        value = draw(yaml_values)
    return stack, path, mutate(config, path, value)


# --- every string of the schema ------------------------------------------------------------

# What a sloppy pipeline or an attacker puts around or into a string.
STRING_DAMAGE: dict[str, Callable[[str], str]] = {
    "leading space": lambda s: f" {s}",
    "trailing space": lambda s: f"{s} ",
    "trailing newline": lambda s: f"{s}\n",
    "CRLF": lambda s: f"{s}\r\n",
    "inner newline": lambda s: f"{s[:1]}\n{s[1:]}",
    "tab": lambda s: f"\t{s}",
    "NUL": lambda s: f"{s}\x00",
    "zero-width space": lambda s: f"{s}\u200b",
    "leading zero-width joiner": lambda s: f"\u200d{s}",
    "line separator": lambda s: f"{s}\u2028",
    "very long": lambda s: (s or "x") * (20_000 // max(len(s), 1) + 1),
}


def _string_like(annotation: Any) -> bool:
    """A field a user writes as a string: str, a Literal of strings, or a union holding one."""
    origin = get_origin(annotation)
    if origin is Literal:
        return all(isinstance(arg, str) for arg in get_args(annotation))
    if origin in (Union, types.UnionType):
        return any(_string_like(arg) for arg in get_args(annotation) if arg is not type(None))
    return annotation is str


def _string_maps(annotation: Any) -> bool:
    """A Mapping whose keys (and values, or some of them) are strings: labels, annotations, flinkConfiguration."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return any(_string_maps(arg) for arg in get_args(annotation) if arg is not type(None))
    return origin in (dict, Mapping) and get_args(annotation)[:1] == (str,)


def string_paths(schema: type = StackCluster, prefix: Path = ()) -> list[tuple[Path, bool]]:
    """(path, is a map) of every string the schema takes, found from its type hints (lists as `[0]`)."""
    found: list[tuple[Path, bool]] = []
    hints = get_type_hints(schema)
    for item in dataclasses.fields(schema):
        path, hint = (*prefix, camel_case(item.name)), hints[item.name]
        if _string_like(hint) or (get_origin(hint) in (list, tuple, Sequence) and _string_like(get_args(hint)[0])):
            found.append((path if _string_like(hint) else (*path, 0), False))
        elif _string_maps(hint):
            found.append((path, True))
        for nested, in_list in _nested_classes(hint):
            found += string_paths(nested, (*path, 0) if in_list else path)
    return found


def string_examples() -> list[tuple[str, Path, str, dict[str, Any]]]:
    """(base, key path, damage, config) for every schema string in every base that has it, damaged every way.

    A map's entries are damaged in both key and value; a string with no value in the base
    gets a plausible one first (a Literal's first choice, or a valid value from another base).
    """
    found = []
    for label, config in bases():
        for path, is_map in string_paths():
            full = ("cluster", *path)
            if not _has_parent(config, full):
                continue
            current = _value_at(config, full)
            for damage, apply in STRING_DAMAGE.items():
                if is_map:
                    entries = current if isinstance(current, dict) and current else {"example.com/key": "value"}
                    key, value = next(iter(entries.items()))
                    found.append((label, full, f"{damage} in a key", mutate(config, full, {apply(str(key)): value})))
                    if isinstance(value, str):
                        found.append((label, (*full, key), damage, mutate(config, full, {**entries, key: apply(value)})))
                elif isinstance(current, str):
                    found.append((label, full, damage, mutate(config, full, apply(current))))

    return found


# --- the property ---------------------------------------------------------------------


def path_text(path: Path) -> str:
    """The key path as errors spell it: cluster.taskManager.slots, cluster.flinkConfiguration["k"]."""
    return key_path(str(path[0]), path[1:])


def _within(inner: str, outer: str) -> bool:
    return inner == outer or inner.startswith((f"{outer}.", f"{outer}["))


def names_key(problem: Problem, path: Path) -> bool:
    """The problem is about the fuzzed key: same path, a parent or child, or a cross-field problem naming it."""
    text = path_text(path)
    if _within(problem.path, text) or _within(text, problem.path):
        return True
    relative = key_path(str(path[1]), path[2:]) if len(path) > 1 else text
    if relative in problem.message or (len(path) > 2 and str(path[-1]) in problem.message and path[1] == "flinkConfiguration"):
        return True
    # a sibling's problem that names the key (e.g. replicas x slots gives too few slots)
    parent = path_text(path[:-1]) if len(path) > 1 else ""
    return bool(parent) and problem.path.startswith(f"{parent}.") and str(path[-1]) in problem.message


def _comparable(value: Any) -> Any:
    """NaN never equals itself; a user's option may be one (`.nan` in config.yaml)."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


@dataclass(frozen=True)
class Rendered:
    cluster: Cluster
    config_yaml: str


def check_render(cluster: Cluster, kubernetes_versions: Sequence[str]) -> Rendered:
    """Every object validates strictly; config.yaml parses and carries the owned options and sizes."""
    files = render_config_files(cluster)
    objects = cluster_objects(cluster)
    for item in objects:
        manifest = replace_sensitive(item.manifest, Sensitive.reveal)
        refused = api_problems(manifest)
        assert not refused, f"{manifest['kind']} {manifest['metadata']['name']}: {refused}"
        if manifest["kind"] in CUSTOM_RESOURCE_KINDS:
            continue
        for version in kubernetes_versions:
            validate_strict(manifest, version)
    options = yaml.safe_load(files[CONFIG_FILE])
    assert isinstance(options, dict)
    rendered = {k: list(v) if isinstance(v, tuple) else v for k, v in render_flink_options(cluster).items()}
    assert _comparable(options) == _comparable(rendered)
    for key, value in owned_values(cluster).items():
        assert options[key] == value, key
    (tm,) = [item for item in objects if item.part is Part.TASKMANAGER]
    limit = tm.manifest["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"]
    assert limit == format_memory(cluster.task_manager.memory_bytes)
    return Rendered(cluster, files[CONFIG_FILE])


def check_example(path: Path, config: dict[str, Any], kubernetes_versions: Sequence[str]) -> list[Rendered]:
    """The property for one example; returns what rendered (for the long profile's Flink check)."""
    try:
        resolutions = parse_stack_config(config)
    except ConfigError as error:
        message = str(error)  # must not raise either
        assert message.startswith("invalid flink-session configuration")
        # The base is valid, so every problem follows from the one changed key and must name it.
        unrelated = [str(p) for p in error.problems if not names_key(p, path)]
        assert not unrelated, f"problems that do not name {path_text(path)}:\n{message}"
        return []
    return [check_render(resolution.cluster, kubernetes_versions) for resolution in resolutions]
