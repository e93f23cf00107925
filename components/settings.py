"""Typed, immutable, validated settings for one or more Flink session clusters.

`parse_stack_config` is the only entry point: it takes the stack's configuration as
plain data (what `pulumi.Config.get_object` returns), validates all of it, and
either returns resolved settings or raises one `ConfigError` listing every problem
with its key path, its value and what would be accepted. It never imports Pulumi,
so tests pass plain dicts.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from components.errors import ConfigError, Problem
from components.flink_options import refusal
from components.images import ImageReference, parse_image
from components.kubernetes_syntax import label_key_error, label_value_error
from components.limits import MAX_CPU_MILLIS, MAX_MEMORY_BYTES, MAX_TASK_MANAGERS, MAX_TOTAL_SLOTS
from components.memory import (
    JM_OPTION_KEYS,
    LEGACY_MEMORY_KEYS,
    TM_OPTION_KEYS,
    JobManagerMemory,
    MemoryModelError,
    TaskManagerMemory,
    jobmanager_memory,
    mib,
    smallest_valid_process_size,
    taskmanager_memory,
)
from components.naming import OWNED_LABEL_KEYS, ClusterNames
from components.operations import SENSITIVE_KEYS, OperationsSettings, resolve_operations
from components.quantities import MIB, binary_size_text, format_cpu
from components.spec import ClusterSpec, NetworkSpec, SchedulingSpec
from components.versions import FlinkVersion, parse_flink_version

FlinkScalar = str | int | float | bool
FlinkValue = FlinkScalar | tuple[FlinkScalar, ...]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class TaskManagerSettings:
    slots: int
    replicas: int
    cpu_millis: int
    memory_bytes: int
    replicas_derived: bool
    cpu_limit_millis: int | None = None
    scratch_bytes: int = 2 * 1024**3
    per_slot: bool = False


@dataclass(frozen=True)
class JobManagerSettings:
    cpu_millis: int
    memory_bytes: int
    cpu_limit_millis: int | None = None
    scratch_bytes: int = 1024**3


@dataclass(frozen=True)
class ClusterSettings:
    """One session cluster, resolved: every default applied, every derived value computed."""

    name: str
    namespace: str
    create_namespace: bool
    protect_namespace: bool
    flink_version: FlinkVersion
    image: ImageReference
    image_pull_policy: str
    parallelism: int
    task_manager: TaskManagerSettings
    job_manager: JobManagerSettings
    task_manager_memory: TaskManagerMemory
    job_manager_memory: JobManagerMemory
    scheduling: SchedulingSpec = field(default_factory=SchedulingSpec)
    network: NetworkSpec = field(default_factory=NetworkSpec)
    operations: OperationsSettings = field(default_factory=OperationsSettings)
    warnings: tuple[str, ...] = ()
    flink_configuration: Mapping[str, FlinkValue] = field(default_factory=lambda: MappingProxyType({}))
    labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    annotations: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def names(self) -> ClusterNames:
        return ClusterNames(cluster=self.name, namespace=self.namespace)

    @property
    def total_slots(self) -> int:
        return self.task_manager.slots * self.task_manager.replicas


def key_path(prefix: str, loc: tuple[Any, ...]) -> str:
    """Render a location the way `pulumi config set --path` spells it."""
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _IDENTIFIER.match(part):
            path += f".{part}"
        else:
            path += f'["{part}"]'
    return path


def _known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys accepted at `loc` inside `model`, by walking the field annotations."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            by_alias = {f.alias or n: f for n, f in current.model_fields.items()}
            if part not in by_alias:
                return []
            current = by_alias[part].annotation
        elif get_origin(current) in (dict, Mapping):
            current = get_args(current)[1]
        # unwrap Optional / Annotated
        args = [a for a in get_args(current) if isinstance(a, type) and issubclass(a, BaseModel)]
        if args:
            current = args[0]
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return []


# Pydantic's type errors name Python types ("a valid dictionary or instance of TaskManagerSpec");
# the user wrote YAML, so say which YAML shape belongs there.
_YAML_SHAPES = {
    "model_type": "a mapping (key: value pairs)",
    "model_attributes_type": "a mapping (key: value pairs)",
    "dict_type": "a mapping (key: value pairs)",
    "mapping_type": "a mapping (key: value pairs)",
    "list_type": "a list ('- item' entries)",
    "tuple_type": "a list ('- item' entries)",
    "string_type": "a string",
}


def _shape_message(kind: str, loc: tuple[Any, ...]) -> str:
    message = f"must be {_YAML_SHAPES[kind]}"
    if kind in ("model_type", "model_attributes_type"):
        message += f" with the keys: {', '.join(_known_keys(ClusterSpec, loc))}"
    return message


def _problems_from_pydantic(error: ValidationError, prefix: str) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        if loc and loc[-1] == "[key]":  # pydantic's marker for a mapping key that failed
            loc = loc[:-1]
        path = key_path(prefix, loc)
        kind = item["type"]
        if kind in _YAML_SHAPES and not (loc and loc[-1] in SENSITIVE_KEYS):
            problems.append(Problem(path, _shape_message(kind, loc), item["input"]))
        elif loc and loc[-1] in SENSITIVE_KEYS and kind != "missing":
            # never echo what might be a credential
            message = re.sub(r"^Input should be", "must be", item["msg"])
            problems.append(Problem(path, f"{message} (value hidden: it is a secret)", has_value=False))
        elif kind == "missing":
            problems.append(Problem(path, "is required", has_value=False))
        elif kind == "extra_forbidden":
            known = _known_keys(ClusterSpec, loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(Problem(path, f"is not a known key; {hint}known keys here: {', '.join(known)}", item["input"]))
        else:
            message = item["msg"].removeprefix("Value error, ")
            message = re.sub(r"^Input should be", "must be", message)
            problems.append(Problem(path, message, item["input"]))
    return problems


def _given(raw: Mapping[str, Any], *keys: str) -> object:
    """The value as the user wrote it (e.g. '500m', not 500 millicores), for error messages."""
    value: object = raw
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def _task_manager_pod_resources(
    spec: ClusterSpec, raw: Mapping[str, Any], path: str, problems: list[Problem]
) -> tuple[int, int] | None:
    """The TaskManager pod's (millicores, bytes), from exactly one of the two resource styles."""
    tm = spec.task_manager
    per_pod = {"cpu": tm.cpu, "memory": tm.memory}
    per_slot = {"cpuPerSlot": tm.cpu_per_slot, "memoryPerSlot": tm.memory_per_slot}
    pod_given = [k for k, v in per_pod.items() if v is not None]
    slot_given = [k for k, v in per_slot.items() if v is not None]
    if pod_given and slot_given:
        message = (
            f"sets both per-pod ({', '.join(pod_given)}) and per-slot ({', '.join(slot_given)}) resources; "
            "use exactly one style: cpu + memory, or cpuPerSlot + memoryPerSlot"
        )
        problems.append(Problem(path, message, has_value=False))
        return None
    if not pod_given and not slot_given:
        message = "needs resources: either cpu + memory (per pod) or cpuPerSlot + memoryPerSlot"
        problems.append(Problem(path, message, has_value=False))
        return None
    style = per_pod if pod_given else per_slot
    missing = [k for k, v in style.items() if v is None]
    if missing:
        others = ", ".join(k for k in style if k not in missing)
        problems.append(Problem(f"{path}.{missing[0]}", f"is required together with {others}", has_value=False))
        return None
    cpu, memory = (v for v in style.values() if v is not None)
    if pod_given:
        return cpu, memory
    valid = True
    if memory * tm.slots > MAX_MEMORY_BYTES:
        most = binary_size_text(MAX_MEMORY_BYTES)
        message = f"x {tm.slots} slots is more than {most} per pod; use at most {most} per pod in all"
        problems.append(Problem(f"{path}.memoryPerSlot", message, _given(raw, "taskManager", "memoryPerSlot")))
        valid = False
    if cpu * tm.slots > MAX_CPU_MILLIS:
        most = format_cpu(MAX_CPU_MILLIS)
        message = f"x {tm.slots} slots is more CPU per pod than a Kubernetes quantity holds; use at most {most} in all"
        problems.append(Problem(f"{path}.cpuPerSlot", message, _given(raw, "taskManager", "cpuPerSlot")))
        valid = False
    return (cpu * tm.slots, memory * tm.slots) if valid else None


def _check_slot_totals(spec: ClusterSpec, replicas: int, prefix: str, problems: list[Problem]) -> None:
    """A cluster's TaskManagers and slots stay within what one session cluster is run at."""
    tm = spec.task_manager
    total = replicas * tm.slots
    path = f"{prefix}.taskManager.{'slots' if tm.replicas is None else 'replicas'}"
    given = tm.slots if tm.replicas is None else tm.replicas
    if tm.replicas is None:
        how = f"with {prefix}.parallelism {spec.parallelism}, {tm.slots} slots per TaskManager need {replicas} TaskManagers"
        fix = "choose slots that divide the parallelism, or fewer slots per TaskManager"
    else:
        how = f"gives {replicas} TaskManagers"
        fix = "use fewer replicas"
    if replicas > MAX_TASK_MANAGERS:
        if tm.replicas is None:
            fix = "use more slots per TaskManager"
        message = f"{how}, more than {MAX_TASK_MANAGERS}, the most one session cluster is operated at; {fix}"
        problems.append(Problem(path, message, given))
        return
    if total > MAX_TOTAL_SLOTS:
        message = f"{how} = {total} slots, more than {MAX_TOTAL_SLOTS} (Flink's maximum parallelism: no job can use more); {fix}"
        problems.append(Problem(path, message, given))


def _resolve_task_manager(
    spec: ClusterSpec, raw: Mapping[str, Any], prefix: str, problems: list[Problem]
) -> TaskManagerSettings | None:
    """The TaskManagers, resolved as far as their resources allow.

    Replica and CPU-limit problems are appended to `problems` but do not stop the
    resolution, so the memory model still runs and its problems are reported too.
    """
    tm = spec.task_manager
    path = f"{prefix}.taskManager"
    resources = _task_manager_pod_resources(spec, raw, path, problems)
    needed = -(-spec.parallelism // tm.slots)  # ceiling, in integers (no float overflow)
    replicas = needed if tm.replicas is None else tm.replicas
    if tm.replicas is not None and tm.replicas * tm.slots < spec.parallelism:
        message = (
            f"gives {tm.replicas} x {tm.slots} = {tm.replicas * tm.slots} slots, fewer than "
            f"{prefix}.parallelism {spec.parallelism}; use at least {needed} replicas, or omit replicas to derive it"
        )
        problems.append(Problem(f"{path}.replicas", message, tm.replicas))
    else:
        _check_slot_totals(spec, replicas, prefix, problems)
    if resources is None:
        return None
    if tm.cpu_limit is not None and tm.cpu_limit < resources[0]:
        cpu = format_cpu(resources[0])
        if tm.cpu_per_slot is None:
            request = f"{path}.cpu = {cpu}"
        else:
            request = f"{path}.cpuPerSlot {format_cpu(tm.cpu_per_slot)} x {tm.slots} slots = {cpu}"
        problems.append(
            Problem(
                f"{path}.cpuLimit",
                f"is below the pod's CPU request, {request}; use at least {cpu} or omit it",
                _given(raw, "taskManager", "cpuLimit"),
            )
        )
    return TaskManagerSettings(
        slots=tm.slots,
        replicas=replicas,
        cpu_millis=resources[0],
        memory_bytes=resources[1],
        replicas_derived=tm.replicas is None,
        cpu_limit_millis=tm.cpu_limit,
        scratch_bytes=tm.scratch_size,
        per_slot=tm.memory_per_slot is not None,
    )


def _check_flink_configuration(options: Mapping[str, object], prefix: str, problems: list[Problem]) -> dict[str, FlinkValue]:
    accepted: dict[str, FlinkValue] = {}
    for key, value in options.items():
        path = key_path(prefix, ("flinkConfiguration", key))
        legacy = LEGACY_MEMORY_KEYS.get(key.strip())
        if legacy is not None:
            problems.append(Problem(path, f"is a deprecated memory option; set {legacy} instead", value))
            continue
        reason = refusal(key)
        if reason is not None:
            problems.append(Problem(path, reason, value))
            continue
        if isinstance(value, (str, int, float, bool)):
            accepted[key] = value
        elif isinstance(value, list) and all(isinstance(v, (str, int, float, bool)) for v in value):
            accepted[key] = tuple(value)
        else:
            problems.append(Problem(path, "must be a string, number, boolean, or a list of those", value))
    return accepted


def _check_metadata(kind: str, entries: Mapping[str, object], prefix: str, problems: list[Problem]) -> None:
    for key, value in entries.items():
        path = key_path(prefix, (kind, key))
        key_error = label_key_error(key)
        if key_error is not None:
            problems.append(Problem(path, key_error, key))
        elif kind == "labels" and key in OWNED_LABEL_KEYS:
            problems.append(Problem(path, "is set by flink-session and used in selectors; choose another label key", value))
        elif kind == "labels" and isinstance(value, str) and (value_error := label_value_error(value)) is not None:
            problems.append(Problem(path, value_error, value))


def _check_image_matches_version(image: ImageReference, version: FlinkVersion, path: str, problems: list[Problem]) -> None:
    """An official image whose tag names another Flink line would run a different Flink than configured."""
    tag_version = image.official_flink_line()
    if tag_version is not None and tag_version != version.line:
        problems.append(
            Problem(
                path,
                f"is the official image for Flink {tag_version[0]}.{tag_version[1]}, but flinkVersion is {version}; "
                "make them agree",
                str(image),
            )
        )


# Below this much managed memory per slot, RocksDB and batch operators spill or thrash.
MANAGED_MEMORY_PER_SLOT_FLOOR = 64 * MIB


def _memory_problem(
    error: MemoryModelError,
    path: str,
    given: object,
    *,
    minimum: int | None,
    divisor: int,
    prefix: str,
    options: Mapping[str, object],
    keys: frozenset[str],
) -> Problem:
    if error.option is not None:
        return Problem(key_path(prefix, ("flinkConfiguration", error.option)), str(error), has_value=False)
    # The memory options the user set take part: say so, they may be what to change.
    used = sorted(keys & set(options))
    with_options = f" (with {', '.join(used)} from {prefix}.flinkConfiguration)" if used else ""
    if minimum is None:
        return Problem(path, f"cannot work with these Flink memory options: {error}{with_options}", given)
    smallest = -(-minimum // (divisor * MIB))  # ceiling, in MiB
    return Problem(path, f"is too small: {error}; use at least {smallest}Mi{with_options}", given)


def _check_memory(
    spec: ClusterSpec,
    raw: Mapping[str, Any],
    *,
    task_manager: TaskManagerSettings | None,
    options: Mapping[str, object],
    prefix: str,
    problems: list[Problem],
) -> tuple[TaskManagerMemory | None, JobManagerMemory | None, list[str]]:
    """Run Flink's memory model at preview time; a layout Flink would refuse becomes a Problem."""
    warnings: list[str] = []
    tm_memory: TaskManagerMemory | None = None
    if task_manager is not None:
        slots = task_manager.slots if task_manager.per_slot else 1
        key = "memoryPerSlot" if task_manager.per_slot else "memory"
        given = _given(raw, "taskManager", key)
        try:
            tm_memory = taskmanager_memory(task_manager.memory_bytes, options)
        except MemoryModelError as error:
            minimum = smallest_valid_process_size(taskmanager_memory, options) if error.option is None else None
            problems.append(
                _memory_problem(
                    error,
                    f"{prefix}.taskManager.{key}",
                    given,
                    minimum=minimum,
                    divisor=slots,
                    prefix=prefix,
                    options=options,
                    keys=TM_OPTION_KEYS,
                )
            )
        else:
            per_slot = tm_memory.managed // task_manager.slots
            if 0 < per_slot < MANAGED_MEMORY_PER_SLOT_FLOOR:
                warnings.append(
                    f"{prefix}.taskManager: managed memory is {mib(per_slot)} per slot, below "
                    f"{mib(MANAGED_MEMORY_PER_SLOT_FLOOR)}; RocksDB state and batch operators will spill or fail"
                )
    jm_memory: JobManagerMemory | None = None
    try:
        jm_memory = jobmanager_memory(spec.job_manager.memory, options)
    except MemoryModelError as error:
        minimum = smallest_valid_process_size(jobmanager_memory, options) if error.option is None else None
        problems.append(
            _memory_problem(
                error,
                f"{prefix}.jobManager.memory",
                _given(raw, "jobManager", "memory"),
                minimum=minimum,
                divisor=1,
                prefix=prefix,
                options=options,
                keys=JM_OPTION_KEYS,
            )
        )
    else:
        if jm_memory.heap < 128 * MIB:
            warnings.append(f"{prefix}.jobManager.memory: JVM heap is only {mib(jm_memory.heap)}; Flink warns below 128Mi")
    return tm_memory, jm_memory, warnings


def parse_cluster(
    raw: object, prefix: str = "cluster", *, stack: str = "", secret: bool = False
) -> tuple[ClusterSettings | None, list[Problem]]:
    """Validate one cluster's raw config; return its settings (if valid) and every problem found.

    `stack` is the Pulumi stack's name: a few rules depend on it (only `dev` may keep
    state on a pod's local disk). `secret`: the whole value is a Pulumi secret, so a
    value that is not a mapping is not echoed.
    """
    if not isinstance(raw, Mapping):
        message = "must be a mapping of cluster settings (name, flinkVersion, parallelism, ...)"
        return None, [Problem(prefix, message, raw, has_value=not secret)]
    # Checks of free-form maps run on the raw input so that their problems are
    # reported together with the structural ones.
    problems: list[Problem] = []
    raw_options = raw.get("flinkConfiguration")
    options = _check_flink_configuration(raw_options, prefix, problems) if isinstance(raw_options, Mapping) else {}
    for kind in ("labels", "annotations"):
        entries = raw.get(kind)
        if isinstance(entries, Mapping):
            _check_metadata(kind, {str(k): v for k, v in entries.items()}, prefix, problems)
    try:
        spec = ClusterSpec.model_validate(dict(raw))
    except ValidationError as exc:
        return None, _problems_from_pydantic(exc, prefix) + problems

    version: FlinkVersion | None = None
    try:
        version = parse_flink_version(spec.flink_version)
    except ValueError as exc:
        problems.append(Problem(f"{prefix}.flinkVersion", str(exc), spec.flink_version))

    image: ImageReference | None = None
    image_text = spec.image if spec.image is not None else (version.default_image() if version else None)
    if image_text is not None:
        try:
            image = parse_image(image_text)
        except ValueError as exc:
            problems.append(Problem(f"{prefix}.image", str(exc), image_text))
    if image is not None and version is not None:
        _check_image_matches_version(image, version, f"{prefix}.image", problems)

    task_manager = _resolve_task_manager(spec, raw, prefix, problems)
    jm = spec.job_manager
    if jm.cpu_limit is not None and jm.cpu_limit < jm.cpu:
        problems.append(
            Problem(
                f"{prefix}.jobManager.cpuLimit",
                f"is below the pod's CPU request, {prefix}.jobManager.cpu = {format_cpu(jm.cpu)}; "
                f"use at least {format_cpu(jm.cpu)} or omit it",
                _given(raw, "jobManager", "cpuLimit"),
            )
        )

    tm_memory, jm_memory, warnings = _check_memory(
        spec, raw, task_manager=task_manager, options=options, prefix=prefix, problems=problems
    )
    operations = (
        resolve_operations(spec, version, prefix=prefix, stack=stack, problems=problems, warnings=warnings)
        if version is not None
        else None
    )

    if (
        problems
        or operations is None
        or version is None
        or image is None
        or task_manager is None
        or tm_memory is None
        or jm_memory is None
    ):
        return None, problems
    settings = ClusterSettings(
        name=spec.name,
        namespace=spec.namespace or spec.name,
        create_namespace=spec.create_namespace,
        protect_namespace=spec.protect_namespace,
        flink_version=version,
        image=image,
        image_pull_policy=spec.image_pull_policy,
        parallelism=spec.parallelism,
        task_manager=task_manager,
        job_manager=JobManagerSettings(jm.cpu, jm.memory, jm.cpu_limit, jm.scratch_size),
        scheduling=spec.scheduling,
        network=spec.network,
        task_manager_memory=tm_memory,
        job_manager_memory=jm_memory,
        operations=operations,
        warnings=tuple(warnings),
        flink_configuration=MappingProxyType(options),
        labels=MappingProxyType(dict(spec.labels)),
        annotations=MappingProxyType(dict(spec.annotations)),
    )
    return settings, []


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


def _check_collisions(clusters: list[tuple[str, ClusterSettings]]) -> list[Problem]:
    """Names become Pulumi resource names and Kubernetes object names: they must not collide in a stack."""
    problems: list[Problem] = []
    first_by_name: dict[str, str] = {}
    creator_by_namespace: dict[str, str] = {}
    for path, settings in clusters:
        if settings.name in first_by_name:
            message = (
                f"is also the name of {first_by_name[settings.name]}; every cluster in a stack needs its own name "
                "(it names the Pulumi resources and the Kubernetes objects)"
            )
            problems.append(Problem(f"{path}.name", message, settings.name))
        else:
            first_by_name[settings.name] = path
        if settings.create_namespace:
            if settings.namespace in creator_by_namespace:
                message = (
                    f"would create namespace '{settings.namespace}' again: {creator_by_namespace[settings.namespace]} "
                    "creates it; set createNamespace: false here to share it"
                )
                problems.append(Problem(f"{path}.createNamespace", message, True))
            else:
                creator_by_namespace[settings.namespace] = path
    return problems


def parse_stack_config(
    config: Mapping[str, object], stack: str = "", secret_keys: frozenset[str] = frozenset()
) -> tuple[ClusterSettings, ...]:
    """Validate the project's configuration (`cluster` or `clusters`); raise ConfigError with every problem.

    `config` holds the decoded values (stack_input.decode_stack_config); `secret_keys`
    names those that are Pulumi secrets as a whole, whose value is then never echoed.
    """
    entries, problems = _cluster_entries(config, secret_keys)
    parsed: list[tuple[str, ClusterSettings]] = []
    for path, raw in entries:
        secret = path.split("[", 1)[0].split(".", 1)[0] in secret_keys
        settings, cluster_problems = parse_cluster(raw, path, stack=stack, secret=secret)
        problems.extend(cluster_problems)
        if settings is not None:
            parsed.append((path, settings))
    problems.extend(_check_collisions(parsed))
    if problems:
        raise ConfigError(problems)
    return tuple(settings for _, settings in parsed)
