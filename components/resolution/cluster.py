"""One cluster: its raw input validated against the spec, every cross-field rule checked, resolved into the model.

`resolve_cluster` takes the cluster as plain data (a stack file's mapping, or the
component's arguments turned into the same keys) and returns the resolved model with
the warnings `pulumi preview` logs, or every problem found, each with its key path.
Pure: no Pulumi, so tests pass plain dicts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from components.errors import Problem, key_path
from components.flink.catalogue import unknown_key_warning
from components.flink.memory_options import LEGACY_MEMORY_KEYS
from components.flink.options import is_credential_key, refusal
from components.input.schema import StackCluster, validate_stack_cluster
from components.kubernetes.syntax import SYSTEM_NAMESPACES, label_key_error, label_value_error
from components.model.cluster import Cluster, FlinkValue, JobManager, TaskManager
from components.model.images import ImageReference, parse_image
from components.model.naming import OWNED_LABEL_KEYS
from components.model.versions import FlinkVersion, parse_flink_version
from components.resolution.environments import RULES
from components.resolution.exposure import resolve_ingress, resolve_metrics, resolve_network, resolve_scheduling
from components.resolution.history_server import resolve_history_server
from components.resolution.jobs import resolve_jobs, resolve_jobs_rest_url
from components.resolution.memory import resolve_layouts
from components.resolution.object_sizes import check_object_sizes
from components.resolution.problems import problems_from_pydantic
from components.resolution.sizing import size_job_managers, size_task_managers
from components.resolution.sql_gateway import resolve_sql_gateway
from components.resolution.state import resolve_high_availability, resolve_state, resolve_storage


@dataclass(frozen=True)
class Resolution:
    """One cluster, resolved, and the warnings `pulumi preview` logs for it."""

    cluster: Cluster
    warnings: tuple[str, ...]


def _check_flink_configuration(options: Mapping[str, object], prefix: str, problems: list[Problem]) -> dict[str, FlinkValue]:
    accepted: dict[str, FlinkValue] = {}
    for key, value in options.items():
        path = key_path(prefix, ("flinkConfiguration", key))
        shown = not is_credential_key(key)  # a credential's value is never echoed, in any spelling
        legacy = LEGACY_MEMORY_KEYS.get(key.strip())
        if legacy is not None:
            problems.append(Problem(path, f"is a deprecated memory option; set {legacy} instead", value, has_value=shown))
            continue
        reason = refusal(key)
        if reason is not None:
            problems.append(Problem(path, reason, value, has_value=shown))
            continue
        if not key or any(char.isspace() or not char.isprintable() for char in key):
            message = "is not a Flink option key: keys have no whitespace or control characters (Flink would ignore it)"
            problems.append(Problem(path, message, has_value=False))
            continue
        if isinstance(value, (str, int, float, bool)):
            accepted[key] = value
        elif isinstance(value, list) and all(isinstance(v, (str, int, float, bool)) for v in value):
            accepted[key] = tuple(value)
        else:
            problems.append(Problem(path, "must be a string, number, boolean, or a list of those", value, has_value=shown))
    return accepted


def _check_namespace(spec: StackCluster, namespace: str, prefix: str, problems: list[Problem], warnings: list[str]) -> None:
    """The namespaces Kubernetes owns are never the stack's to create (and relabel with restricted Pod Security)."""
    if namespace not in SYSTEM_NAMESPACES:
        return
    path = f"{prefix}.namespace" if spec.namespace is not None else f"{prefix}.name"
    if spec.create_namespace:
        message = (
            "is a namespace Kubernetes itself creates and runs; with createNamespace: true the stack would take it over, "
            "relabel it with restricted Pod Security and delete it on destroy. Use a namespace of its own, or "
            "createNamespace: false to deploy into it as it is"
        )
        problems.append(Problem(path, message, namespace))
    else:
        warnings.append(f"{path} = {namespace!r} is a namespace Kubernetes owns; the cluster shares it with the control plane")


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


def _version_and_image(
    spec: StackCluster, prefix: str, problems: list[Problem]
) -> tuple[FlinkVersion | None, ImageReference | None]:
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
    # An official image whose tag names another Flink line would run a different Flink than configured.
    line = image.official_flink_line() if image is not None else None
    if version is not None and line is not None and line != version.line:
        message = f"is the official image for Flink {line[0]}.{line[1]}, but flinkVersion is {version}; make them agree"
        problems.append(Problem(f"{prefix}.image", message, str(image)))
    return version, image


def resolve_cluster(raw: object, prefix: str = "cluster", *, secret: bool = False) -> tuple[Resolution | None, list[Problem]]:
    """Validate one cluster's raw config; return its resolution (if valid) and every problem found.

    `secret`: the whole value is a Pulumi secret, so a value that is not a mapping is not echoed.
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
        spec = validate_stack_cluster(raw)
    except ValidationError as exc:
        return None, problems_from_pydantic(exc, prefix) + problems
    cluster, warnings = _resolve(spec, raw, options, prefix, problems)
    if problems or cluster is None:
        return None, problems
    return Resolution(cluster, tuple(warnings)), []


def _resolve(
    spec: StackCluster, raw: Mapping[str, Any], options: dict[str, FlinkValue], prefix: str, problems: list[Problem]
) -> tuple[Cluster | None, list[str]]:
    """The cross-field rules, in an order that reports every problem (one never hides another)."""
    warnings: list[str] = []
    rules = RULES[spec.environment]
    version, image = _version_and_image(spec, prefix, problems)
    ha, job_manager_replicas = resolve_high_availability(spec, prefix, problems)
    task_managers = size_task_managers(spec, raw, prefix, problems)
    job_managers = size_job_managers(spec, raw, job_manager_replicas, prefix, problems)
    sql_gateway = resolve_sql_gateway(spec, raw, prefix, problems)
    history_server = resolve_history_server(spec, raw, prefix, problems)
    layouts: dict[str, Any] = {"options": options, "raw": raw, "prefix": prefix, "problems": problems, "warnings": warnings}
    tm_layout, jm_layout = resolve_layouts(task_managers, job_managers, slots=spec.task_manager.slots, **layouts)
    state = resolve_state(spec, prefix, problems)
    storage = None
    if version is not None:  # plugin jars are named after the version
        archive_dir = history_server.archive_dir if history_server is not None else None
        storage = resolve_storage(
            spec, version, ha=ha, state=state, archive_dir=archive_dir, rules=rules, prefix=prefix, problems=problems
        )
    metrics = resolve_metrics(spec, prefix, problems, warnings)
    network = resolve_network(spec, prefix, problems, warnings)
    total_slots = spec.task_manager.slots * task_managers.replicas if task_managers is not None else None
    jobs = resolve_jobs(spec, total_slots, state, prefix, problems)
    namespace = spec.namespace or spec.name
    _check_namespace(spec, namespace, prefix, problems, warnings)
    jobs_rest_url = resolve_jobs_rest_url(spec, prefix, problems)
    if version is not None:
        for key in options:
            unknown = unknown_key_warning(key, version)
            if unknown is not None:
                warnings.append(f"{key_path(prefix, ('flinkConfiguration', key))} {unknown}")
    if not spec.high_availability.enabled and rules.warn_without_ha:
        warnings.append(
            f"{prefix}.highAvailability is off in a production environment: a JobManager restart loses every running "
            "job (enable it, or set environment: development where that is fine)"
        )
    if version is None or image is None or task_managers is None or tm_layout is None or jm_layout is None or storage is None:
        return None, warnings
    cluster = Cluster(
        name=spec.name,
        namespace=namespace,
        create_namespace=spec.create_namespace,
        protect_namespace=spec.protect_namespace,
        environment=spec.environment,
        flink_version=version,
        image=image,
        image_pull_policy=spec.image_pull_policy,
        parallelism=spec.parallelism,
        task_manager=TaskManager(
            slots=spec.task_manager.slots,
            layout=tm_layout,
            force_scale_down=spec.task_manager.force_scale_down,
            **task_managers.pods(),
        ),
        job_manager=JobManager(layout=jm_layout, **job_managers.pods()),
        sql_gateway=sql_gateway,
        history_server=history_server,
        scheduling=resolve_scheduling(spec, prefix, problems),
        network=network,
        high_availability=ha,
        state=state,
        storage=storage,
        metrics=metrics,
        ingress=resolve_ingress(spec),
        jobs=jobs,
        jobs_rest_url=jobs_rest_url,
        flink_configuration=MappingProxyType(options),
        labels=MappingProxyType(dict(spec.labels)),
        annotations=MappingProxyType(dict(spec.annotations)),
    )
    check_object_sizes(cluster, prefix, problems)
    return cluster, warnings
