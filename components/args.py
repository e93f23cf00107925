"""The component's public input: `FlinkSessionClusterArgs`, the stack keys in Python spelling.

A program that builds clusters in code (instead of from `flink-session:cluster`)
passes these to `FlinkSessionCluster`. They mirror the stack keys one for one
(`taskManager.cpuPerSlot` is `task_manager=TaskManagerArgs(cpu_per_slot=...)`; a test
keeps the two in step), and they are validated by the same code as a stack file:
`resolve_args` turns them into the same keys and resolves them, so the same rules,
defaults and error messages (with the same key paths, e.g. `cluster.taskManager.memory`)
apply. `None` means "not given": the default of `components/spec.py` then applies,
which is the only place defaults are written. Values are what a stack file holds:
quantities as strings (`"1728Mi"`, `"500m"`) or numbers, durations as strings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Literal

from components.errors import ConfigError
from components.naming import stack_key
from components.resolution import Resolution, resolve_cluster

Quantity = str | int | float


@dataclass(frozen=True, kw_only=True)
class TaskManagerArgs:
    """Per pod (`cpu` + `memory`) or per slot (`cpu_per_slot` + `memory_per_slot`): exactly one style."""

    slots: int
    replicas: int | None = None
    cpu: Quantity | None = None
    memory: str | None = None
    cpu_per_slot: Quantity | None = None
    memory_per_slot: str | None = None
    cpu_limit: Quantity | None = None
    scratch_size: str | None = None


@dataclass(frozen=True, kw_only=True)
class JobManagerArgs:
    cpu: Quantity
    memory: str
    cpu_limit: Quantity | None = None
    scratch_size: str | None = None


@dataclass(frozen=True, kw_only=True)
class SqlGatewayArgs:
    """Flink's SQL Gateway beside the cluster; its JVM is sized from `memory`."""

    cpu: Quantity
    memory: str
    cpu_limit: Quantity | None = None
    replicas: int | None = None
    scratch_size: str | None = None


@dataclass(frozen=True, kw_only=True)
class TolerationArgs:
    key: str | None = None
    operator: Literal["Exists", "Equal"] | None = None
    value: str | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    toleration_seconds: int | None = None


@dataclass(frozen=True, kw_only=True)
class SchedulingArgs:
    node_selector: Mapping[str, str] | None = None
    tolerations: Sequence[TolerationArgs] | None = None
    priority_class_name: str | None = None
    spread_task_managers: bool | None = None


@dataclass(frozen=True, kw_only=True)
class PeerArgs:
    """A CIDR, or pods matching pod_labels in namespaces matching namespace_labels."""

    namespace_labels: Mapping[str, str] | None = None
    pod_labels: Mapping[str, str] | None = None
    cidr: str | None = None


@dataclass(frozen=True, kw_only=True)
class NetworkArgs:
    rest_access: Sequence[PeerArgs] | None = None
    rest_service_type: Literal["ClusterIP", "NodePort", "LoadBalancer"] | None = None
    sql_gateway_access: Sequence[PeerArgs] | None = None


@dataclass(frozen=True, kw_only=True)
class HighAvailabilityArgs:
    enabled: bool | None = None
    storage_dir: str | None = None
    job_manager_replicas: int | None = None


@dataclass(frozen=True, kw_only=True)
class CheckpointsArgs:
    dir: str | None = None
    interval: str | None = None
    mode: Literal["EXACTLY_ONCE", "AT_LEAST_ONCE"] | None = None


@dataclass(frozen=True, kw_only=True)
class SavepointsArgs:
    dir: str | None = None


@dataclass(frozen=True, kw_only=True)
class StateBackendArgs:
    type: Literal["hashmap", "rocksdb"] | None = None
    incremental: bool | None = None


@dataclass(frozen=True, kw_only=True)
class RestartStrategyArgs:
    type: Literal["disable", "fixed-delay", "exponential-delay", "failure-rate"]
    attempts: int | None = None
    delay: str | None = None
    max_failures_per_interval: int | None = None
    failure_rate_interval: str | None = None


@dataclass(frozen=True, kw_only=True)
class S3Args:
    """Credentials are plain strings here; the component turns them into Pulumi secrets (never in a ConfigMap)."""

    endpoint: str | None = None
    path_style_access: bool | None = None
    access_key: str | None = None
    secret_key: str | None = None


@dataclass(frozen=True, kw_only=True)
class SharedVolumeArgs:
    """An existing ReadWriteMany PersistentVolumeClaim; file:// state under mount_path is durable."""

    claim_name: str
    mount_path: str | None = None


@dataclass(frozen=True, kw_only=True)
class StorageArgs:
    s3: S3Args | None = None
    shared_volume: SharedVolumeArgs | None = None


@dataclass(frozen=True, kw_only=True)
class MetricsArgs:
    prometheus: bool | None = None
    pod_monitor: bool | None = None
    pod_monitor_labels: Mapping[str, str] | None = None
    scrape_interval: str | None = None
    scrapers: Sequence[PeerArgs] | None = None


@dataclass(frozen=True, kw_only=True)
class IngressArgs:
    host: str
    class_name: str | None = None
    tls_secret_name: str | None = None
    path: str | None = None
    annotations: Mapping[str, str] | None = None


@dataclass(frozen=True, kw_only=True)
class JobArgs:
    """A job the cluster runs: a local jar (relative to where `pulumi up` runs) and how to upgrade it."""

    name: str
    jar: str
    entry_class: str | None = None
    args: Sequence[str] | None = None
    parallelism: int | None = None
    upgrade_mode: Literal["stateless", "savepoint"] | None = None
    allow_non_restored_state: bool | None = None
    timeout: str | None = None


@dataclass(frozen=True, kw_only=True)
class FlinkSessionClusterArgs:
    """One session cluster; the component's name is the cluster's `name`. README, "Configuration", explains each key."""

    flink_version: str
    parallelism: int
    task_manager: TaskManagerArgs
    job_manager: JobManagerArgs
    sql_gateway: SqlGatewayArgs | None = None
    namespace: str | None = None
    create_namespace: bool | None = None
    protect_namespace: bool | None = None
    environment: Literal["production", "development"] | None = None
    image: str | None = None
    image_pull_policy: Literal["Always", "IfNotPresent", "Never"] | None = None
    scheduling: SchedulingArgs | None = None
    network: NetworkArgs | None = None
    high_availability: HighAvailabilityArgs | None = None
    checkpoints: CheckpointsArgs | None = None
    savepoints: SavepointsArgs | None = None
    state_backend: StateBackendArgs | None = None
    restart_strategy: RestartStrategyArgs | None = None
    storage: StorageArgs | None = None
    metrics: MetricsArgs | None = None
    ingress: IngressArgs | None = None
    jobs: Sequence[JobArgs] | None = None
    jobs_rest_url: str | None = None
    flink_configuration: Mapping[str, Any] | None = None
    labels: Mapping[str, str] | None = None
    annotations: Mapping[str, str] | None = None


def stack_value(value: object) -> Any:
    """Args as the stack file would hold them: camelCase keys, lists, nothing that was not given."""
    if is_dataclass(value) and not isinstance(value, type):
        given = {f.name: getattr(value, f.name) for f in fields(value)}
        return {stack_key(name): stack_value(item) for name, item in given.items() if item is not None}
    if isinstance(value, Mapping):  # labels, flinkConfiguration, ...: their keys are the user's own
        return {key: stack_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [stack_value(item) for item in value]
    return value


def resolve_args(name: str, args: FlinkSessionClusterArgs, prefix: str = "cluster") -> Resolution:
    """Validate and resolve the args exactly as a stack's `flink-session:cluster`; raise ConfigError with every problem."""
    resolution, problems = resolve_cluster({"name": name, **stack_value(args)}, prefix)
    if resolution is None:
        raise ConfigError(problems)
    return resolution
