"""The stack configuration as the user writes it (`flink-session:cluster`): the input schema.

Pydantic models here mirror the YAML exactly (camelCase keys, unknown keys rejected,
strict types so that `slots: "2"` or `flinkVersion: 1.20` are caught) and check each
value on its own (the types of `spec_types.py`). Their field defaults are the one
place where a default is written; `components/resolution/` does the cross-field checks
and derives what follows from several keys (replicas from parallelism, the image from
the version, ...). Nothing downstream of resolution imports this module.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr
from pydantic.alias_generators import to_camel

from components.paths import DEFAULT_SHARED_VOLUME_DIR
from components.spec_types import (
    CheckpointInterval,
    Cidr,
    ClusterName,
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
    MemoryBytes,
    Millicores,
    MountPath,
    Namespace,
    Parallelism,
    PrometheusDuration,
    Slots,
    SqlGatewayReplicas,
    TaskManagerReplicas,
    TolerationKey,
    VersionText,
)

# Keys whose values are credentials: never echoed in an error.
SENSITIVE_KEYS = frozenset({"accessKey", "secretKey"})
# With HA on, one standby JobManager takes over within seconds instead of a pod restart.
DEFAULT_HA_JOB_MANAGER_REPLICAS = 2


class SpecModel(BaseModel):
    """Base of every spec model: immutable, camelCase keys, no unknown keys, no silent coercion."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=False,
        strict=True,
    )


class TaskManagerSpec(SpecModel):
    slots: Slots
    # None: ceil(parallelism / slots)
    replicas: TaskManagerReplicas | None = None
    cpu: Millicores | None = None
    memory: MemoryBytes | None = None
    cpu_per_slot: Millicores | None = None
    memory_per_slot: MemoryBytes | None = None
    # None: the CPU request (Guaranteed QoS)
    cpu_limit: Millicores | None = None
    scratch_size: MemoryBytes = 2 * 1024**3


class JobManagerSpec(SpecModel):
    cpu: Millicores
    memory: MemoryBytes
    cpu_limit: Millicores | None = None
    scratch_size: MemoryBytes = 1024**3


class SqlGatewaySpec(SpecModel):
    """Flink's SQL Gateway beside the cluster (REST on 8083); its JVM is sized from `memory`."""

    cpu: Millicores
    memory: MemoryBytes
    cpu_limit: Millicores | None = None
    replicas: SqlGatewayReplicas = 1
    # /tmp: the table planner's extracted jar, jars a session adds, spills of large results
    scratch_size: MemoryBytes = 1024**3


class TolerationSpec(SpecModel):
    key: TolerationKey | None = None
    operator: Literal["Exists", "Equal"] = "Equal"
    value: LabelValue | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    toleration_seconds: Int64 | None = None


class SchedulingSpec(SpecModel):
    node_selector: Labels = Field(default_factory=dict)
    tolerations: list[TolerationSpec] = Field(default_factory=list)
    priority_class_name: DnsSubdomain | None = None
    spread_task_managers: StrictBool = True


class PeerSpec(SpecModel):
    """A NetworkPolicy peer: pods matching podLabels in namespaces matching namespaceLabels, or a CIDR."""

    namespace_labels: Labels | None = None
    pod_labels: Labels | None = None
    cidr: Cidr | None = None


class NetworkSpec(SpecModel):
    rest_access: list[PeerSpec] = Field(default_factory=list)
    # NodePort and LoadBalancer expose an unauthenticated job-submission API; never implied.
    rest_service_type: Literal["ClusterIP", "NodePort", "LoadBalancer"] = "ClusterIP"
    # who may reach the SQL Gateway (8083): it runs any SQL, UDFs and jars its clients send
    sql_gateway_access: list[PeerSpec] = Field(default_factory=list)


class HighAvailabilitySpec(SpecModel):
    enabled: StrictBool = False
    storage_dir: StrictStr | None = None
    # None: DEFAULT_HA_JOB_MANAGER_REPLICAS with HA, 1 without
    job_manager_replicas: JobManagerReplicas | None = None


class CheckpointsSpec(SpecModel):
    dir: StrictStr | None = None
    interval: CheckpointInterval | None = None
    mode: Literal["EXACTLY_ONCE", "AT_LEAST_ONCE"] = "EXACTLY_ONCE"


class SavepointsSpec(SpecModel):
    dir: StrictStr | None = None


class StateBackendSpec(SpecModel):
    type: Literal["hashmap", "rocksdb"] = "hashmap"
    # None: incremental with rocksdb (hashmap always takes full checkpoints)
    incremental: StrictBool | None = None


class RestartStrategySpec(SpecModel):
    type: Literal["disable", "fixed-delay", "exponential-delay", "failure-rate"]
    attempts: FlinkInt | None = None
    delay: Duration | None = None
    max_failures_per_interval: FlinkInt | None = None
    failure_rate_interval: Duration | None = None


class S3Spec(SpecModel):
    """An S3-compatible object store; the keys are Pulumi secrets (`pulumi config set --secret --path`)."""

    endpoint: StrictStr | None = None
    path_style_access: StrictBool = False
    access_key: StrictStr | None = None
    secret_key: StrictStr | None = None


class SharedVolumeSpec(SpecModel):
    """An existing ReadWriteMany PersistentVolumeClaim, mounted read-write into every JobManager and TaskManager."""

    claim_name: DnsSubdomain
    # file:// state under this path is durable in any environment (components/resolution/state.py).
    mount_path: MountPath = DEFAULT_SHARED_VOLUME_DIR


class StorageSpec(SpecModel):
    s3: S3Spec | None = None
    shared_volume: SharedVolumeSpec | None = None


class MetricsSpec(SpecModel):
    prometheus: StrictBool = False
    pod_monitor: StrictBool = False
    pod_monitor_labels: Labels = Field(default_factory=dict)
    scrape_interval: PrometheusDuration = "30s"
    # Who may scrape port 9249 through the default-deny NetworkPolicy (e.g. Prometheus's namespace).
    scrapers: list[PeerSpec] = Field(default_factory=list)


class IngressSpec(SpecModel):
    host: Hostname
    class_name: DnsSubdomain | None = None
    tls_secret_name: DnsSubdomain | None = None
    path: IngressPath = "/"
    annotations: dict[LabelKey, StrictStr] = Field(default_factory=dict)


class JobSpec(SpecModel):
    """A job the stack runs on the session cluster (components/jobs: one FlinkSessionJob each)."""

    name: StrictStr
    # a local jar, relative to the project directory (where `pulumi up` runs)
    jar: StrictStr
    # None: the jar manifest's Main-Class
    entry_class: StrictStr | None = None
    args: list[StrictStr] = Field(default_factory=list)
    # None: the cluster's parallelism
    parallelism: Parallelism | None = None
    # savepoint: stop with a savepoint into the cluster's savepoints.dir and resume from it
    upgrade_mode: Literal["stateless", "savepoint"] = "stateless"
    allow_non_restored_state: StrictBool = False
    # how long `pulumi up` waits for Flink at each step (upload, savepoint, start)
    timeout: Duration = "5min"


class ClusterSpec(SpecModel):
    name: ClusterName
    # None: the cluster's name
    namespace: Namespace | None = None
    create_namespace: StrictBool = True
    protect_namespace: StrictBool = False
    flink_version: VersionText
    # The rules `production` and `development` switch (components/environments.py); the safe one by default.
    environment: Literal["production", "development"] = "production"
    # None: the official image of flink_version on Java 17
    image: StrictStr | None = None
    # Always: a pod only starts on an image the node's credentials may pull now (multi-tenant
    # nodes cache images); with a pinned tag or digest it never changes what runs.
    image_pull_policy: Literal["Always", "IfNotPresent", "Never"] = "Always"
    parallelism: Parallelism
    task_manager: TaskManagerSpec
    job_manager: JobManagerSpec
    # None: no SQL Gateway
    sql_gateway: SqlGatewaySpec | None = None
    scheduling: SchedulingSpec = Field(default_factory=SchedulingSpec)
    network: NetworkSpec = Field(default_factory=NetworkSpec)
    high_availability: HighAvailabilitySpec = Field(default_factory=HighAvailabilitySpec)
    checkpoints: CheckpointsSpec = Field(default_factory=CheckpointsSpec)
    savepoints: SavepointsSpec = Field(default_factory=SavepointsSpec)
    state_backend: StateBackendSpec = Field(default_factory=StateBackendSpec)
    restart_strategy: RestartStrategySpec | None = None
    storage: StorageSpec = Field(default_factory=StorageSpec)
    metrics: MetricsSpec = Field(default_factory=MetricsSpec)
    ingress: IngressSpec | None = None
    jobs: list[JobSpec] = Field(default_factory=list)
    # None: the cluster's in-cluster REST endpoint (reachable only from inside the cluster)
    jobs_rest_url: StrictStr | None = None
    # Free-form maps: their entries are checked on the raw input (resolution/cluster.py), so that
    # their problems are reported together with the structural ones.
    flink_configuration: dict[StrictStr, Any] = Field(default_factory=dict)
    labels: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    annotations: dict[StrictStr, StrictStr] = Field(default_factory=dict)
