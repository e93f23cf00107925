"""Production operations of one cluster, resolved: HA, state storage, credentials, metrics, exposure.

`resolve_operations` turns the validated spec sections into frozen settings and
reports the combinations that cannot work (several JobManagers without HA, HA
without a durable storage dir, credentials no path uses, a PodMonitor without the
reporter, ...), each as a Problem with its key path. Pure: no Pulumi import.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from components.errors import Problem
from components.flink_options import PROMETHEUS_REPORTER, RESTART_STRATEGY_FIELDS
from components.spec import ClusterSpec, IngressSpec, PeerSpec, RestartStrategySpec
from components.storage import S3_SCHEMES, StorageUriError, plugin_jar, storage_scheme
from components.versions import FlinkVersion

# With HA on, one standby JobManager takes over within seconds instead of a pod restart.
DEFAULT_HA_JOB_MANAGER_REPLICAS = 2
SENSITIVE_KEYS = frozenset({"accessKey", "secretKey"})


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


@dataclass(frozen=True)
class HighAvailabilitySettings:
    enabled: bool = False
    storage_dir: str | None = None
    job_manager_replicas: int = 1


@dataclass(frozen=True)
class StateSettings:
    backend: str = "hashmap"
    incremental: bool = False
    checkpoints_dir: str | None = None
    checkpoint_interval: str | None = None
    checkpoint_mode: str = "EXACTLY_ONCE"
    savepoints_dir: str | None = None
    restart_strategy: RestartStrategySpec | None = None


@dataclass(frozen=True)
class S3Settings:
    endpoint: str | None = None
    path_style_access: bool = False
    access_key: Sensitive | None = None
    secret_key: Sensitive | None = None

    @property
    def has_credentials(self) -> bool:
        return self.access_key is not None


@dataclass(frozen=True)
class MetricsSettings:
    prometheus: bool = False
    pod_monitor: bool = False
    pod_monitor_labels: dict[str, str] = field(default_factory=dict)
    scrape_interval: str = "30s"
    scrapers: tuple[PeerSpec, ...] = ()


@dataclass(frozen=True)
class OperationsSettings:
    high_availability: HighAvailabilitySettings = field(default_factory=HighAvailabilitySettings)
    state: StateSettings = field(default_factory=StateSettings)
    s3: S3Settings | None = None
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    ingress: IngressSpec | None = None
    # jars of /opt/flink/opt that the entrypoint links into plugins/ (ENABLE_BUILT_IN_PLUGINS)
    plugins: tuple[str, ...] = ()


def _check_uri(uri: str, path: str, stack: str, problems: list[Problem]) -> str | None:
    try:
        return storage_scheme(uri, stack=stack)
    except StorageUriError as error:
        problems.append(Problem(path, str(error), uri))
        return None


def _resolve_high_availability(spec: ClusterSpec, prefix: str, problems: list[Problem]) -> HighAvailabilitySettings:
    ha = spec.high_availability
    path = f"{prefix}.highAvailability"
    if not ha.enabled:
        if ha.job_manager_replicas is not None and ha.job_manager_replicas > 1:
            problems.append(
                Problem(
                    f"{path}.jobManagerReplicas",
                    "needs highAvailability.enabled: true; without HA every JobManager would run its own "
                    "jobs and none would take over; use 1 or enable HA",
                    ha.job_manager_replicas,
                )
            )
        if ha.storage_dir is not None:
            problems.append(Problem(f"{path}.storageDir", "is only used with highAvailability.enabled: true", ha.storage_dir))
        return HighAvailabilitySettings()
    if ha.storage_dir is None:
        problems.append(
            Problem(
                f"{path}.storageDir",
                "is required with HA: JobManager metadata must outlive the pods (e.g. s3://bucket/flink/ha)",
                has_value=False,
            )
        )
    replicas = ha.job_manager_replicas or DEFAULT_HA_JOB_MANAGER_REPLICAS
    return HighAvailabilitySettings(True, ha.storage_dir, replicas)


def _resolve_state(spec: ClusterSpec, prefix: str, problems: list[Problem]) -> StateSettings:
    backend = spec.state_backend
    if backend.incremental and backend.type != "rocksdb":
        problems.append(
            Problem(
                f"{prefix}.stateBackend.incremental",
                "needs stateBackend.type: rocksdb; the hashmap backend always takes full checkpoints",
                backend.incremental,
            )
        )
    incremental = backend.incremental if backend.incremental is not None else backend.type == "rocksdb"
    checkpoints = spec.checkpoints
    if checkpoints.interval is not None and checkpoints.dir is None:
        problems.append(
            Problem(
                f"{prefix}.checkpoints.dir",
                "is required when checkpoints.interval is set: periodic checkpoints in JobManager memory are lost "
                "with the pod (e.g. s3://bucket/flink/checkpoints)",
                has_value=False,
            )
        )
    _check_restart_strategy(spec.restart_strategy, f"{prefix}.restartStrategy", problems)
    return StateSettings(
        backend=backend.type,
        incremental=incremental and backend.type == "rocksdb",
        checkpoints_dir=checkpoints.dir,
        checkpoint_interval=checkpoints.interval,
        checkpoint_mode=checkpoints.mode,
        savepoints_dir=spec.savepoints.dir,
        restart_strategy=spec.restart_strategy,
    )


def _check_restart_strategy(strategy: RestartStrategySpec | None, path: str, problems: list[Problem]) -> None:
    if strategy is None:
        return
    given = strategy.model_dump(by_alias=True, exclude_none=True)
    # the fields this type renders (flink_options); any other field given is a mistake
    allowed = RESTART_STRATEGY_FIELDS[strategy.type]
    for key in sorted(set(given) - {"type"} - set(allowed)):
        accepted = ", ".join(sorted(allowed)) or "no other keys"
        problems.append(Problem(f"{path}.{key}", f"does not apply to type {strategy.type}; it takes {accepted}", given[key]))


def _resolve_storage(
    spec: ClusterSpec,
    version: FlinkVersion,
    *,
    ha: HighAvailabilitySettings,
    state: StateSettings,
    prefix: str,
    stack: str,
    problems: list[Problem],
) -> tuple[S3Settings | None, tuple[str, ...]]:
    uris = {
        f"{prefix}.highAvailability.storageDir": ha.storage_dir,
        f"{prefix}.checkpoints.dir": state.checkpoints_dir,
        f"{prefix}.savepoints.dir": state.savepoints_dir,
    }
    schemes: dict[str, str] = {}
    for path, uri in uris.items():
        if uri is not None:
            scheme = _check_uri(uri, path, stack, problems)
            if scheme is not None:
                schemes[path] = scheme
    plugins: list[str] = []
    for path, scheme in schemes.items():
        try:
            jar = plugin_jar(scheme, version)
        except ValueError:
            problems.append(
                Problem(
                    f"{prefix}.flinkVersion",
                    f"must name the patch release (e.g. '{version}.0') because {path} uses {scheme}://, whose plugin "
                    "jar is named after the exact version",
                    str(version),
                )
            )
            continue
        if jar is not None and jar not in plugins:
            plugins.append(jar)
    if len({scheme for scheme in schemes.values() if scheme in S3_SCHEMES}) > 1:
        problems.append(
            Problem(
                f"{prefix}.checkpoints.dir",
                "mixes s3a:// (Hadoop plugin) with s3:// or s3p:// (Presto plugin); use one S3 scheme for all state paths",
                state.checkpoints_dir,
            )
        )
    s3 = _resolve_s3(spec, prefix, uses_s3=any(s in S3_SCHEMES for s in schemes.values()), problems=problems)
    return s3, tuple(plugins)


def _resolve_s3(spec: ClusterSpec, prefix: str, *, uses_s3: bool, problems: list[Problem]) -> S3Settings | None:
    s3 = spec.storage.s3
    if s3 is None:
        return None
    path = f"{prefix}.storage.s3"
    if not uses_s3:
        problems.append(
            Problem(
                path,
                "is set, but no state path uses s3://, s3p:// or s3a:// "
                "(highAvailability.storageDir, checkpoints.dir, savepoints.dir)",
                has_value=False,
            )
        )
    if (s3.access_key is None) != (s3.secret_key is None):
        missing = "secretKey" if s3.secret_key is None else "accessKey"
        problems.append(
            Problem(
                f"{path}.{missing}",
                "is required together with the other key; set both with "
                f"`pulumi config set --secret --path 'flink-session:cluster.storage.s3.{missing}'`",
                has_value=False,
            )
        )
    if s3.endpoint is not None and not s3.endpoint.startswith(("https://", "http://")):
        problems.append(
            Problem(f"{path}.endpoint", "must be an http(s):// URL such as https://minio.example.com:9000", s3.endpoint)
        )
    return S3Settings(
        endpoint=s3.endpoint,
        path_style_access=s3.path_style_access,
        access_key=Sensitive(s3.access_key) if s3.access_key is not None else None,
        secret_key=Sensitive(s3.secret_key) if s3.secret_key is not None else None,
    )


# MetricOptions.REPORTERS_LIST: when set, only the reporters it names start (a comma-separated list).
REPORTERS_KEY = "metrics.reporters"


def _names(value: object) -> list[str]:
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(item).strip() for item in items]


def _resolve_metrics(spec: ClusterSpec, prefix: str, problems: list[Problem], warnings: list[str]) -> MetricsSettings:
    metrics = spec.metrics
    if metrics.pod_monitor and not metrics.prometheus:
        problems.append(
            Problem(
                f"{prefix}.metrics.podMonitor",
                "needs metrics.prometheus: true; a PodMonitor would scrape a port nothing listens on",
                metrics.pod_monitor,
            )
        )
    reporters = spec.flink_configuration.get(REPORTERS_KEY)
    if metrics.prometheus and reporters is not None and PROMETHEUS_REPORTER not in _names(reporters):
        problems.append(
            Problem(
                f'{prefix}.flinkConfiguration["{REPORTERS_KEY}"]',
                f"starts only the reporters it names, so the Prometheus reporter ({PROMETHEUS_REPORTER}) that "
                f"metrics.prometheus enables would not start; add {PROMETHEUS_REPORTER} to it or remove it",
                reporters,
            )
        )
    if metrics.prometheus and not metrics.scrapers:
        warnings.append(
            f"{prefix}.metrics.scrapers is empty: the default-deny NetworkPolicy blocks Prometheus from port 9249; "
            "list Prometheus's namespace/pod labels there"
        )
    return MetricsSettings(
        prometheus=metrics.prometheus,
        pod_monitor=metrics.pod_monitor,
        pod_monitor_labels=dict(metrics.pod_monitor_labels),
        scrape_interval=metrics.scrape_interval,
        scrapers=tuple(metrics.scrapers),
    )


def _check_peers(peers: list[PeerSpec] | tuple[PeerSpec, ...], path: str, problems: list[Problem]) -> None:
    for index, peer in enumerate(peers):
        has_labels = peer.namespace_labels is not None or peer.pod_labels is not None
        if peer.cidr is not None and has_labels:
            problems.append(
                Problem(
                    f"{path}[{index}]",
                    "sets cidr together with labels; a peer is either a CIDR or a label selector",
                    has_value=False,
                )
            )
        elif peer.cidr is None and not has_labels:
            problems.append(
                Problem(f"{path}[{index}]", "selects nothing: set namespaceLabels and/or podLabels, or cidr", has_value=False)
            )


def _check_exposure(spec: ClusterSpec, prefix: str, problems: list[Problem], warnings: list[str]) -> None:
    network = spec.network
    _check_peers(network.rest_access, f"{prefix}.network.restAccess", problems)
    _check_peers(spec.metrics.scrapers, f"{prefix}.metrics.scrapers", problems)
    if spec.ingress is not None and not network.rest_access:
        problems.append(
            Problem(
                f"{prefix}.network.restAccess",
                "must name the ingress controller's pods (namespaceLabels/podLabels) when ingress is set; "
                "the default-deny NetworkPolicy would block it",
                has_value=False,
            )
        )
    if network.rest_service_type != "ClusterIP":
        warnings.append(
            f"{prefix}.network.restServiceType is {network.rest_service_type}: the REST API has no authentication and "
            "accepts job submission; restrict network.restAccess to the sources that need it"
        )


def resolve_operations(
    spec: ClusterSpec, version: FlinkVersion, *, prefix: str, stack: str, problems: list[Problem], warnings: list[str]
) -> OperationsSettings:
    """Resolve the operations sections; problems and warnings are appended to the given lists."""
    ha = _resolve_high_availability(spec, prefix, problems)
    state = _resolve_state(spec, prefix, problems)
    s3, plugins = _resolve_storage(spec, version, ha=ha, state=state, prefix=prefix, stack=stack, problems=problems)
    metrics = _resolve_metrics(spec, prefix, problems, warnings)
    _check_exposure(spec, prefix, problems, warnings)
    if stack == "prod" and not ha.enabled:
        warnings.append(f"{prefix}.highAvailability is off on the prod stack: a JobManager restart loses every running job")
    return OperationsSettings(high_availability=ha, state=state, s3=s3, metrics=metrics, ingress=spec.ingress, plugins=plugins)
