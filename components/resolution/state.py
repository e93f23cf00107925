"""High availability and state: where it lives, how it is reached, and the combinations that cannot work.

Each check appends a Problem with its key path: several JobManagers without HA, HA
without a durable storage dir, state on a pod's own disk in production, mixed S3
plugins, credentials no state path uses, fields a restart strategy does not take.
"""

from __future__ import annotations

from components.errors import Problem
from components.flink.recovery_options import RESTART_STRATEGY_FIELDS
from components.flink.storage import (
    LOCAL_SCHEME,
    S3_SCHEMES,
    StorageUriError,
    accepted_schemes_text,
    local_path,
    plugin_jar,
    storage_scheme,
)
from components.input.schema import DEFAULT_HA_JOB_MANAGER_REPLICAS, RestartStrategyArgs, StackCluster, stack_keys
from components.model.cluster import S3, Credentials, HighAvailability, RestartStrategy, Sensitive, SharedVolume, State, Storage
from components.model.versions import FlinkVersion
from components.resolution.environments import EnvironmentRules


def resolve_high_availability(spec: StackCluster, prefix: str, problems: list[Problem]) -> tuple[HighAvailability | None, int]:
    """Flink's Kubernetes HA (None without it) and the number of JobManagers."""
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
        if ha.keep_metadata_on_destroy:
            message = "is only used with highAvailability.enabled: true (without HA Flink keeps no HA ConfigMaps)"
            problems.append(Problem(f"{path}.keepMetadataOnDestroy", message, ha.keep_metadata_on_destroy))
        return None, 1
    replicas = ha.job_manager_replicas or DEFAULT_HA_JOB_MANAGER_REPLICAS
    if ha.storage_dir is None:
        problems.append(
            Problem(
                f"{path}.storageDir",
                "is required with HA: JobManager metadata must outlive the pods (e.g. s3://bucket/flink/ha)",
                has_value=False,
            )
        )
        return None, replicas
    return HighAvailability(ha.storage_dir, keep_metadata_on_destroy=ha.keep_metadata_on_destroy), replicas


def resolve_state(spec: StackCluster, prefix: str, problems: list[Problem]) -> State:
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
    return State(
        backend=backend.type,
        incremental=incremental and backend.type == "rocksdb",
        checkpoints_dir=checkpoints.dir,
        checkpoint_interval=checkpoints.interval,
        checkpoint_mode=checkpoints.mode,
        retain_on_cancellation=checkpoints.retain_on_cancellation,
        savepoints_dir=spec.savepoints.dir,
        restart_strategy=_restart_strategy(spec.restart_strategy, f"{prefix}.restartStrategy", problems),
    )


def _restart_strategy(strategy: RestartStrategyArgs | None, path: str, problems: list[Problem]) -> RestartStrategy | None:
    if strategy is None:
        return None
    given = {key: value for key, value in stack_keys(strategy).items() if value is not None}
    # the fields this type renders (flink_options); any other field given is a mistake
    allowed = RESTART_STRATEGY_FIELDS[strategy.type]
    for key in sorted(set(given) - {"type"} - set(allowed)):
        accepted = ", ".join(sorted(allowed)) or "no other keys"
        problems.append(Problem(f"{path}.{key}", f"does not apply to type {strategy.type}; it takes {accepted}", given[key]))
    return RestartStrategy(
        type=strategy.type,
        attempts=strategy.attempts,
        delay=strategy.delay,
        max_failures_per_interval=strategy.max_failures_per_interval,
        failure_rate_interval=strategy.failure_rate_interval,
    )


def _shared_volume(spec: StackCluster) -> SharedVolume | None:
    shared = spec.storage.shared_volume
    return None if shared is None else SharedVolume(claim_name=shared.claim_name, mount_path=shared.mount_path)


def _check_local(uri: str, path: str, shared: SharedVolume | None, rules: EnvironmentRules, problems: list[Problem]) -> None:
    """file:// is durable on the shared volume (any environment); elsewhere it is the pod's own disk."""
    directory = local_path(uri)
    if shared is not None and (directory == shared.mount_path or directory.startswith(f"{shared.mount_path}/")):
        return
    if rules.local_state:
        return
    where = (
        f"under storage.sharedVolume.mountPath ({shared.mount_path})"
        if shared is not None
        else "under storage.sharedVolume.mountPath (a ReadWriteMany PersistentVolumeClaim mounted into every pod)"
    )
    message = (
        f"is on the pod's own disk, which is lost with the pod; file:// is accepted {where}, or anywhere with "
        f"environment: development; otherwise use durable storage: {accepted_schemes_text()}"
    )
    problems.append(Problem(path, message, uri))


def resolve_storage(
    spec: StackCluster,
    version: FlinkVersion,
    *,
    ha: HighAvailability | None,
    state: State,
    archive_dir: str | None,
    rules: EnvironmentRules,
    prefix: str,
    problems: list[Problem],
) -> Storage:
    """Every state path checked, the filesystem plugins they need, the S3 settings and the shared volume.

    `archive_dir`: the History Server's, whose file:// rule is its own (history_server.py).
    """
    shared = _shared_volume(spec)
    archive_path = f"{prefix}.historyServer.archiveDir"
    uris = {
        f"{prefix}.highAvailability.storageDir": spec.high_availability.storage_dir if ha is not None else None,
        f"{prefix}.checkpoints.dir": state.checkpoints_dir,
        f"{prefix}.savepoints.dir": state.savepoints_dir,
        archive_path: archive_dir,
    }
    schemes: dict[str, str] = {}
    for path, uri in uris.items():
        if uri is None:
            continue
        try:
            schemes[path] = storage_scheme(uri)
        except StorageUriError as error:
            problems.append(Problem(path, str(error), uri))
            continue
        if schemes[path] == LOCAL_SCHEME and path != archive_path:
            _check_local(uri, path, shared, rules, problems)
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
    return Storage(s3=s3, shared_volume=shared, plugins=tuple(plugins))


def _resolve_s3(spec: StackCluster, prefix: str, *, uses_s3: bool, problems: list[Problem]) -> S3 | None:
    s3 = spec.storage.s3
    if s3 is None:
        return None
    path = f"{prefix}.storage.s3"
    if not uses_s3:
        problems.append(
            Problem(
                path,
                "is set, but no state path uses s3://, s3p:// or s3a:// "
                "(highAvailability.storageDir, checkpoints.dir, savepoints.dir, historyServer.archiveDir)",
                has_value=False,
            )
        )
    credentials = None
    if s3.access_key is not None and s3.secret_key is not None:
        credentials = Credentials(Sensitive(s3.access_key), Sensitive(s3.secret_key))
    elif s3.access_key is not None or s3.secret_key is not None:
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
    return S3(endpoint=s3.endpoint, path_style_access=s3.path_style_access, credentials=credentials)
