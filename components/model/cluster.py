"""The resolved model of a session cluster: frozen values, every default applied, nothing left to derive.

`components/resolution/` builds these from the input (`components/input/schema.py`: a
stack file's keys or the component's arguments), after every check has passed. The Flink
configuration, the manifests and the summary read only these (and the naming, port
and path constants). Nothing here imports pydantic or Pulumi, and nothing here holds a
mutable container: tuples for lists, read-only mappings for maps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from components.model.choices import Environment, UpgradeMode
from components.model.images import ImageReference
from components.model.memory import JobManagerMemory, JvmMemory, TaskManagerMemory
from components.model.naming import ClusterNames
from components.model.versions import FlinkVersion

FlinkScalar = str | int | float | bool
FlinkValue = FlinkScalar | tuple[FlinkScalar, ...]


class Sensitive:
    """A secret value that never shows in repr, str, errors or logs; `reveal()` is the only way out."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Sensitive('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sensitive) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def replace_sensitive(value: Any, replacement: Callable[[Sensitive], Any]) -> Any:
    """A copy of manifest data with every Sensitive replaced: a Pulumi secret, a placeholder, the plaintext."""
    if isinstance(value, Sensitive):
        return replacement(value)
    if isinstance(value, dict):
        return {k: replace_sensitive(v, replacement) for k, v in value.items()}
    if isinstance(value, list):
        return [replace_sensitive(v, replacement) for v in value]
    return value


@dataclass(frozen=True)
class PodGroup:
    """The pods of one role: how many, and each one's CPU, memory (request = limit) and scratch volume."""

    replicas: int
    cpu_millis: int
    cpu_limit_millis: int
    memory_bytes: int
    scratch_bytes: int


@dataclass(frozen=True)
class TaskManager(PodGroup):
    slots: int
    # the layout Flink derives from memory_bytes (its process size)
    layout: TaskManagerMemory
    # shrink even below the slots running jobs use (components/jobs/taskmanager_scaling.py)
    force_scale_down: bool


@dataclass(frozen=True)
class JobManager(PodGroup):
    layout: JobManagerMemory


@dataclass(frozen=True)
class SqlGateway(PodGroup):
    # the JVM laid out in memory_bytes (the container limit)
    layout: JvmMemory


@dataclass(frozen=True)
class HistoryServer(PodGroup):
    """Flink's History Server: one pod serving what the JobManagers archive into archive_dir."""

    layout: JvmMemory
    archive_dir: str
    retained_jobs: int
    refresh_interval: str


@dataclass(frozen=True)
class Toleration:
    key: str | None
    operator: str
    value: str | None
    effect: str | None
    toleration_seconds: int | None


@dataclass(frozen=True)
class Scheduling:
    node_selector: Mapping[str, str]
    tolerations: tuple[Toleration, ...]
    priority_class_name: str | None
    spread_task_managers: bool


@dataclass(frozen=True)
class Peer:
    """A NetworkPolicy peer: a CIDR, or pods matching pod_labels in namespaces matching namespace_labels."""

    namespace_labels: Mapping[str, str] | None
    pod_labels: Mapping[str, str] | None
    cidr: str | None


@dataclass(frozen=True)
class Network:
    rest_access: tuple[Peer, ...]
    rest_service_type: str
    sql_gateway_access: tuple[Peer, ...]
    history_server_access: tuple[Peer, ...]


@dataclass(frozen=True)
class HighAvailability:
    """Flink's Kubernetes HA; a cluster without HA has none."""

    storage_dir: str
    # destroy leaves Flink's HA ConfigMaps (components/jobs/ha_metadata.py deletes them otherwise)
    keep_metadata_on_destroy: bool


@dataclass(frozen=True)
class RestartStrategy:
    type: str
    attempts: int | None
    delay: str | None
    max_failures_per_interval: int | None
    failure_rate_interval: str | None


@dataclass(frozen=True)
class State:
    backend: str
    incremental: bool
    checkpoints_dir: str | None
    checkpoint_interval: str | None
    checkpoint_mode: str
    # checkpoints outlive a cancelled job (what a last-state upgrade resumes from)
    retain_on_cancellation: bool
    savepoints_dir: str | None
    restart_strategy: RestartStrategy | None


@dataclass(frozen=True)
class Credentials:
    access_key: Sensitive
    secret_key: Sensitive


@dataclass(frozen=True)
class S3:
    endpoint: str | None
    path_style_access: bool
    # None: the pods' own identity (e.g. IRSA)
    credentials: Credentials | None


@dataclass(frozen=True)
class SharedVolume:
    """An existing ReadWriteMany PersistentVolumeClaim mounted into every JobManager and TaskManager."""

    claim_name: str
    mount_path: str


@dataclass(frozen=True)
class Storage:
    s3: S3 | None
    shared_volume: SharedVolume | None
    # jars of /opt/flink/opt that the entrypoint links into plugins/ (ENABLE_BUILT_IN_PLUGINS)
    plugins: tuple[str, ...]


@dataclass(frozen=True)
class Metrics:
    prometheus: bool
    pod_monitor: bool
    pod_monitor_labels: Mapping[str, str]
    scrape_interval: str
    scrapers: tuple[Peer, ...]


@dataclass(frozen=True)
class Ingress:
    host: str
    class_name: str | None
    tls_secret_name: str | None
    path: str
    annotations: Mapping[str, str]


@dataclass(frozen=True)
class SessionJob:
    """A job the stack runs on the cluster; `jar` is relative to where `pulumi up` runs."""

    name: str
    jar: str
    entry_class: str | None
    args: tuple[str, ...]
    parallelism: int
    upgrade_mode: UpgradeMode
    allow_non_restored_state: bool
    # where stop-with-savepoint writes: the cluster's savepoints dir (None for stateless jobs)
    savepoint_dir: str | None
    # where last-state finds the retained checkpoints: the cluster's checkpoints dir (None unless last-state)
    checkpoints_dir: str | None
    # what the job's first run starts from (None: empty state)
    initial_savepoint_path: str | None
    timeout_seconds: int


@dataclass(frozen=True)
class Cluster:
    """One session cluster, resolved."""

    name: str
    namespace: str
    create_namespace: bool
    protect_namespace: bool
    environment: Environment
    flink_version: FlinkVersion
    image: ImageReference
    image_pull_policy: str
    parallelism: int
    task_manager: TaskManager
    job_manager: JobManager
    sql_gateway: SqlGateway | None
    history_server: HistoryServer | None
    scheduling: Scheduling
    network: Network
    high_availability: HighAvailability | None
    state: State
    storage: Storage
    metrics: Metrics
    ingress: Ingress | None
    jobs: tuple[SessionJob, ...]
    # where `pulumi up` reaches the REST API to manage the jobs; None: through the Kubernetes API
    jobs_rest_url: str | None
    # the user's extra Flink options, as given (the owned ones are refused)
    flink_configuration: Mapping[str, FlinkValue]
    labels: Mapping[str, str]
    annotations: Mapping[str, str]

    @property
    def names(self) -> ClusterNames:
        return ClusterNames(cluster=self.name, namespace=self.namespace)

    @property
    def total_slots(self) -> int:
        return self.task_manager.slots * self.task_manager.replicas
