"""The input schema: every key a stack (`flink-session:cluster`) or a program sets, defined once.

A stack file spells each field in camelCase (`taskManager.cpuPerSlot`); a program passes
the same classes in Python spelling (`FlinkSessionClusterArgs(task_manager=TaskManagerArgs(
cpu_per_slot=...))`), and the component package's schema is generated from them
(`components/resources/package.py`). Field defaults are the one place a default is
written; the value types (`values.py`) check each value on its own. Values stay as the
user wrote them (quantities as "1728Mi" or 2, durations as "5min"): resolution
(`components/resolution/`) reads them, checks the rules between keys and derives the model.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, dataclass_transform

from pydantic import ConfigDict, StrictBool, StrictStr, TypeAdapter, with_config

from components.input.values import (
    CheckpointInterval,
    Cidr,
    ClusterName,
    Cpu,
    DnsSubdomain,
    Duration,
    FlinkInt,
    Hostname,
    IngressPath,
    Int64,
    JobManagerReplicas,
    LabelKey,
    Labels,
    LabelValue,
    Memory,
    MountPath,
    Namespace,
    Parallelism,
    ProgramArgument,
    PrometheusDuration,
    Slots,
    SqlGatewayReplicas,
    TaskManagerReplicas,
    TolerationKey,
    VersionText,
)
from components.model.choices import (
    CheckpointMode,
    Environment,
    PullPolicy,
    RestartType,
    ServiceType,
    StateBackendType,
    TaintEffect,
    TolerationOperator,
    UpgradeMode,
)
from components.model.naming import camel_case
from components.model.paths import DEFAULT_SHARED_VOLUME_DIR

# Keys whose values are credentials: never echoed in an error.
SENSITIVE_KEYS = frozenset({"accessKey", "secretKey"})
# With HA on, one standby JobManager takes over within seconds instead of a pod restart.
DEFAULT_HA_JOB_MANAGER_REPLICAS = 2

# Unknown keys are refused; the stack's camelCase is the only spelling validation reads.
# Each value type is strict on its own (values.py), so `slots: "2"` is refused, not coerced.
_CONFIG = ConfigDict(extra="forbid", alias_generator=camel_case, populate_by_name=False)


_T = TypeVar("_T")


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(field,))
def _args(cls: type[_T]) -> type[_T]:
    """Every schema class: a frozen, keyword-only dataclass that pydantic validates with the stack's keys."""
    return with_config(_CONFIG)(dataclass(frozen=True, kw_only=True)(cls))


@_args
class TaskManagerArgs:
    """Per pod (`cpu` + `memory`) or per slot (`cpu_per_slot` + `memory_per_slot`): exactly one style."""

    slots: Slots
    # None: ceil(parallelism / slots)
    replicas: TaskManagerReplicas | None = None
    cpu: Cpu | None = None
    memory: Memory | None = None
    cpu_per_slot: Cpu | None = None
    memory_per_slot: Memory | None = None
    # None: the CPU request (Guaranteed QoS)
    cpu_limit: Cpu | None = None
    scratch_size: Memory = "2Gi"
    # Scale down even when the remaining slots are fewer than running jobs use (they fail over and wait).
    force_scale_down: StrictBool = False


@_args
class JobManagerArgs:
    cpu: Cpu
    memory: Memory
    cpu_limit: Cpu | None = None
    scratch_size: Memory = "1Gi"


@_args
class SqlGatewayArgs:
    """Flink's SQL Gateway beside the cluster (REST on 8083); its JVM is sized from `memory`."""

    cpu: Cpu
    memory: Memory
    cpu_limit: Cpu | None = None
    replicas: SqlGatewayReplicas = 1
    # /tmp: the table planner's extracted jar, jars a session adds, spills of large results
    scratch_size: Memory = "1Gi"


@_args
class HistoryServerArgs:
    """Flink's History Server (web UI on 8082): the jobs the JobManager archived, after they ended."""

    cpu: Cpu = "250m"
    memory: Memory = "1Gi"
    cpu_limit: Cpu | None = None
    # None: file://<storage.sharedVolume.mountPath>/completed-jobs; shared storage the JobManager writes
    archive_dir: StrictStr | None = None
    # the History Server deletes the oldest archives beyond this many
    retained_jobs: FlinkInt = 500
    # how often it looks for new archives
    refresh_interval: Duration = "10s"
    # /tmp: the archives unpacked for the web UI
    scratch_size: Memory = "1Gi"


@_args
class TolerationArgs:
    key: TolerationKey | None = None
    operator: TolerationOperator = "Equal"
    value: LabelValue | None = None
    effect: TaintEffect | None = None
    toleration_seconds: Int64 | None = None


@_args
class SchedulingArgs:
    node_selector: Labels = field(default_factory=dict)
    tolerations: Sequence[TolerationArgs] = ()
    priority_class_name: DnsSubdomain | None = None
    spread_task_managers: StrictBool = True


@_args
class PeerArgs:
    """A NetworkPolicy peer: pods matching pod_labels in namespaces matching namespace_labels, or a CIDR."""

    namespace_labels: Labels | None = None
    pod_labels: Labels | None = None
    cidr: Cidr | None = None


@_args
class NetworkArgs:
    rest_access: Sequence[PeerArgs] = ()
    # NodePort and LoadBalancer expose an unauthenticated job-submission API; never implied.
    rest_service_type: ServiceType = "ClusterIP"
    # who may reach the SQL Gateway (8083): it runs any SQL, UDFs and jars its clients send
    sql_gateway_access: Sequence[PeerArgs] = ()
    # who may reach the History Server (8082): it shows every archived job's configuration
    history_server_access: Sequence[PeerArgs] = ()


@_args
class HighAvailabilityArgs:
    enabled: StrictBool = False
    storage_dir: StrictStr | None = None
    # None: DEFAULT_HA_JOB_MANAGER_REPLICAS with HA, 1 without
    job_manager_replicas: JobManagerReplicas | None = None
    # false: destroy deletes Flink's HA ConfigMaps of the cluster once its JobManagers are gone
    keep_metadata_on_destroy: StrictBool = False


@_args
class CheckpointsArgs:
    dir: StrictStr | None = None
    interval: CheckpointInterval | None = None
    mode: CheckpointMode = "EXACTLY_ONCE"
    # keep the newest checkpoint when a job is cancelled (what upgradeMode last-state resumes from)
    retain_on_cancellation: StrictBool = False


@_args
class SavepointsArgs:
    dir: StrictStr | None = None


@_args
class StateBackendArgs:
    type: StateBackendType = "hashmap"
    # None: incremental with rocksdb (hashmap always takes full checkpoints)
    incremental: StrictBool | None = None


@_args
class RestartStrategyArgs:
    type: RestartType
    attempts: FlinkInt | None = None
    delay: Duration | None = None
    max_failures_per_interval: FlinkInt | None = None
    failure_rate_interval: Duration | None = None


@_args
class S3Args:
    """An S3-compatible object store; the keys are Pulumi secrets (`pulumi config set --secret --path`)."""

    endpoint: StrictStr | None = None
    path_style_access: StrictBool = False
    access_key: StrictStr | None = None
    secret_key: StrictStr | None = None


@_args
class SharedVolumeArgs:
    """An existing ReadWriteMany PersistentVolumeClaim, mounted read-write into every JobManager and TaskManager."""

    claim_name: DnsSubdomain
    # file:// state under this path is durable in any environment (components/resolution/state.py).
    mount_path: MountPath = DEFAULT_SHARED_VOLUME_DIR


@_args
class StorageArgs:
    s3: S3Args | None = None
    shared_volume: SharedVolumeArgs | None = None


@_args
class MetricsArgs:
    prometheus: StrictBool = False
    pod_monitor: StrictBool = False
    pod_monitor_labels: Labels = field(default_factory=dict)
    scrape_interval: PrometheusDuration = "30s"
    # Who may scrape port 9249 through the default-deny NetworkPolicy (e.g. Prometheus's namespace).
    scrapers: Sequence[PeerArgs] = ()


@_args
class IngressArgs:
    host: Hostname
    class_name: DnsSubdomain | None = None
    tls_secret_name: DnsSubdomain | None = None
    path: IngressPath = "/"
    annotations: Mapping[LabelKey, StrictStr] = field(default_factory=dict)


@_args
class JobArgs:
    """A job the cluster runs (components/jobs: one FlinkSessionJob each)."""

    name: StrictStr
    # a local jar, relative to the project directory (where `pulumi up` runs)
    jar: StrictStr
    # None: the jar manifest's Main-Class
    entry_class: StrictStr | None = None
    args: Sequence[ProgramArgument] = ()
    # None: the cluster's parallelism
    parallelism: Parallelism | None = None
    # savepoint: stop with a savepoint into the cluster's savepoints.dir and resume from it;
    # last-state: cancel and resume from the newest checkpoint (retained on cancellation)
    upgrade_mode: UpgradeMode = "stateless"
    allow_non_restored_state: StrictBool = False
    # how long `pulumi up` waits for Flink at each step (upload, savepoint, start)
    timeout: Duration = "5min"
    # a savepoint or retained checkpoint the job's first run starts from (None: empty state)
    initial_savepoint_path: StrictStr | None = None


@_args
class FlinkSessionClusterArgs:
    """One session cluster; the component's name is the cluster's `name`. docs/configuration.md explains each key."""

    flink_version: VersionText
    parallelism: Parallelism
    task_manager: TaskManagerArgs
    job_manager: JobManagerArgs
    # None: the cluster's name
    namespace: Namespace | None = None
    create_namespace: StrictBool = True
    protect_namespace: StrictBool = False
    # The rules `production` and `development` switch (resolution/environments.py); the safe one by default.
    environment: Environment = "production"
    # None: the official image of flink_version on Java 17
    image: StrictStr | None = None
    # Always: a pod only starts on an image the node's credentials may pull now (multi-tenant
    # nodes cache images); with a pinned tag or digest it never changes what runs.
    image_pull_policy: PullPolicy = "Always"
    # None: no SQL Gateway
    sql_gateway: SqlGatewayArgs | None = None
    # None: no History Server
    history_server: HistoryServerArgs | None = None
    scheduling: SchedulingArgs = field(default_factory=SchedulingArgs)
    network: NetworkArgs = field(default_factory=NetworkArgs)
    high_availability: HighAvailabilityArgs = field(default_factory=HighAvailabilityArgs)
    checkpoints: CheckpointsArgs = field(default_factory=CheckpointsArgs)
    savepoints: SavepointsArgs = field(default_factory=SavepointsArgs)
    state_backend: StateBackendArgs = field(default_factory=StateBackendArgs)
    restart_strategy: RestartStrategyArgs | None = None
    storage: StorageArgs = field(default_factory=StorageArgs)
    metrics: MetricsArgs = field(default_factory=MetricsArgs)
    ingress: IngressArgs | None = None
    jobs: Sequence[JobArgs] = ()
    # None: the JobManager pods, through the Kubernetes API (a port-forward, as kubectl's); a URL overrides it
    jobs_rest_url: StrictStr | None = None
    # Free-form maps: their entries are checked on the raw input (resolution/cluster.py), so that
    # their problems are reported together with the structural ones.
    flink_configuration: Mapping[StrictStr, Any] = field(default_factory=dict)
    labels: Mapping[StrictStr, StrictStr] = field(default_factory=dict)
    annotations: Mapping[StrictStr, StrictStr] = field(default_factory=dict)


@_args
class StackCluster(FlinkSessionClusterArgs):
    """One cluster as a stack file writes it: the component's args and the cluster's name."""

    name: ClusterName


@functools.cache
def _stack_cluster_adapter() -> TypeAdapter[StackCluster]:
    # Built on first use: a program that never validates a stack pays nothing for it.
    return TypeAdapter(StackCluster)


def validate_stack_cluster(raw: Mapping[str, Any]) -> StackCluster:
    """The cluster's mapping (stack keys) as schema values; raises pydantic's ValidationError."""
    return _stack_cluster_adapter().validate_python(dict(raw))


def stack_keys(value: object) -> Any:
    """Schema values as a stack file holds them: camelCase keys, lists, and only what differs from the default."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        keys = {}
        for item in dataclasses.fields(value):
            given = getattr(value, item.name)
            if given != _default(item):
                keys[camel_case(item.name)] = stack_keys(given)
        return keys
    if isinstance(value, Mapping):  # labels, flinkConfiguration, ...: their keys are the user's own
        return {key: stack_keys(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [stack_keys(item) for item in value]
    return value


def _default(item: dataclasses.Field[Any]) -> object:
    if item.default is not dataclasses.MISSING:
        return item.default
    if item.default_factory is not dataclasses.MISSING:
        return item.default_factory()
    return dataclasses.MISSING
