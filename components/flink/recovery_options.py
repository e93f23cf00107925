"""The owned Flink options of recovery: Kubernetes HA, state, checkpoints, savepoints, restart strategy.

Part of the one table of owned options (`flink_options.OWNED_OPTIONS` includes these);
see that module for what owning an option means. The checkpoint and savepoint options
are rendered under the name the cluster's Flink version reads (`storage.state_option_keys`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from components.flink.owned_option import OwnedOption, when
from components.flink.storage import state_option_keys
from components.model.cluster import Cluster, FlinkValue, RestartStrategy


@dataclass(frozen=True)
class RestartField:
    """A field of cluster.restartStrategy: the Flink option it renders to, and how it is read."""

    option: str
    read: Callable[[RestartStrategy], FlinkValue | None]


# cluster.restartStrategy.type -> {field of cluster.restartStrategy (as the stack spells it): how it renders}.
# The one definition: the validator refuses any other field for a type, the table below renders these.
RESTART_STRATEGY_FIELDS: Mapping[str, Mapping[str, RestartField]] = MappingProxyType(
    {
        "disable": MappingProxyType({}),
        "exponential-delay": MappingProxyType({}),
        "fixed-delay": MappingProxyType(
            {
                "attempts": RestartField("restart-strategy.fixed-delay.attempts", lambda r: r.attempts),
                "delay": RestartField("restart-strategy.fixed-delay.delay", lambda r: r.delay),
            }
        ),
        "failure-rate": MappingProxyType(
            {
                "maxFailuresPerInterval": RestartField(
                    "restart-strategy.failure-rate.max-failures-per-interval", lambda r: r.max_failures_per_interval
                ),
                "failureRateInterval": RestartField(
                    "restart-strategy.failure-rate.failure-rate-interval", lambda r: r.failure_rate_interval
                ),
                "delay": RestartField("restart-strategy.failure-rate.delay", lambda r: r.delay),
            }
        ),
    }
)


def _ha(cluster: Cluster, value: FlinkValue | None) -> FlinkValue | None:
    return when(cluster.high_availability is not None, value)


def _ha_storage_dir(cluster: Cluster) -> FlinkValue | None:
    return None if cluster.high_availability is None else cluster.high_availability.storage_dir


def _state(attribute: str, key: str) -> Callable[[Cluster], FlinkValue | None]:
    """A state option that is rendered under the name this Flink version reads (storage.state_option_keys)."""

    def value(cluster: Cluster) -> FlinkValue | None:
        state = cluster.state
        if getattr(state_option_keys(cluster.flink_version), attribute) != key:
            return None
        if attribute == "incremental":
            return when(state.backend == "rocksdb", state.incremental)
        given: FlinkValue | None = state.checkpoints_dir if attribute == "checkpoints_dir" else state.savepoints_dir
        return given

    return value


def _restart_type(cluster: Cluster) -> FlinkValue | None:
    restart = cluster.state.restart_strategy
    return None if restart is None else restart.type


def _restart_field(kind: str, field: RestartField) -> Callable[[Cluster], FlinkValue | None]:
    def value(cluster: Cluster) -> FlinkValue | None:
        restart = cluster.state.restart_strategy
        if restart is None or restart.type != kind:
            return None
        return field.read(restart)

    return value


_BY_VERSION = "(rendered under the name the Flink version reads)"
_USE_INCREMENTAL = f"set cluster.stateBackend.incremental instead {_BY_VERSION}"
_USE_CHECKPOINTS = f"set cluster.checkpoints.dir instead {_BY_VERSION}"
_USE_SAVEPOINTS = f"set cluster.savepoints.dir instead {_BY_VERSION}"

RECOVERY_OPTIONS: tuple[OwnedOption, ...] = (
    # --- Kubernetes HA -------------------------------------------------------------------
    OwnedOption(
        "high-availability.type",
        "set cluster.highAvailability.enabled instead",
        lambda c: _ha(c, "kubernetes"),
        aliases=("high-availability", "recovery.mode"),  # deprecated keys of high-availability.type
    ),
    OwnedOption(
        "high-availability.storageDir",
        "set cluster.highAvailability.storageDir instead",
        _ha_storage_dir,
        # deprecated keys of high-availability.storageDir
        aliases=("high-availability.zookeeper.storageDir", "recovery.zookeeper.storageDir"),
    ),
    OwnedOption(
        "high-availability.cluster-id",
        "derived from the cluster's namespace and name, so two clusters never share HA data",
        lambda c: _ha(c, c.names.ha_cluster_id),
        # deprecated keys of high-availability.cluster-id
        aliases=("high-availability.zookeeper.path.namespace", "recovery.zookeeper.path.namespace"),
    ),
    OwnedOption(
        "kubernetes.cluster-id",
        "derived from the cluster's name; the HA ConfigMaps and RBAC depend on it",
        lambda c: _ha(c, c.names.kubernetes_cluster_id),
    ),
    OwnedOption(
        "kubernetes.namespace",
        "set cluster.namespace instead (Flink's Kubernetes client would default to 'default')",
        lambda c: _ha(c, c.namespace),
    ),
    # --- state ---------------------------------------------------------------------------
    OwnedOption(
        "state.backend.type",
        "set cluster.stateBackend.type instead",
        lambda c: c.state.backend,
        aliases=("state.backend",),  # deprecated key of state.backend.type
    ),
    # 1.19 reads state.*; 1.20 and 2.x read execution.checkpointing.* and keep the state.*
    # names as deprecated keys (so both spellings are owned, whatever the version).
    OwnedOption("state.backend.incremental", _USE_INCREMENTAL, _state("incremental", "state.backend.incremental")),
    OwnedOption(
        "execution.checkpointing.incremental", _USE_INCREMENTAL, _state("incremental", "execution.checkpointing.incremental")
    ),
    OwnedOption(
        "state.checkpoints.dir",
        _USE_CHECKPOINTS,
        _state("checkpoints_dir", "state.checkpoints.dir"),
        # deprecated key of state.checkpoints.dir (1.19) and of execution.checkpointing.dir (1.20, 2.x)
        aliases=("state.backend.fs.checkpointdir",),
    ),
    OwnedOption("execution.checkpointing.dir", _USE_CHECKPOINTS, _state("checkpoints_dir", "execution.checkpointing.dir")),
    OwnedOption(
        "state.savepoints.dir",
        _USE_SAVEPOINTS,
        _state("savepoints_dir", "state.savepoints.dir"),
        # deprecated key of state.savepoints.dir (1.19) and of execution.checkpointing.savepoint-dir (1.20, 2.x)
        aliases=("savepoints.state.backend.fs.dir",),
    ),
    OwnedOption(
        "execution.checkpointing.savepoint-dir",
        _USE_SAVEPOINTS,
        _state("savepoints_dir", "execution.checkpointing.savepoint-dir"),
    ),
    OwnedOption(
        "execution.checkpointing.interval",
        "set cluster.checkpoints.interval instead",
        lambda c: c.state.checkpoint_interval,
    ),
    OwnedOption(
        "execution.checkpointing.mode",
        "set cluster.checkpoints.mode instead",
        lambda c: when(c.state.checkpoint_interval is not None, c.state.checkpoint_mode),
    ),
    # The same key in 1.19 (ExecutionCheckpointingOptions), 1.20 and 2.x (CheckpointingOptions).
    OwnedOption(
        "execution.checkpointing.externalized-checkpoint-retention",
        "set cluster.checkpoints.retainOnCancellation instead",
        lambda c: when(c.state.retain_on_cancellation, "RETAIN_ON_CANCELLATION"),
    ),
    # --- restart strategy ----------------------------------------------------------------
    OwnedOption(
        "restart-strategy.type",
        "set cluster.restartStrategy.type instead",
        _restart_type,
        aliases=("restart-strategy",),  # deprecated key of restart-strategy.type
    ),
    *(
        OwnedOption(field.option, f"set cluster.restartStrategy.{name} (with type: {kind}) instead", _restart_field(kind, field))
        for kind, fields in RESTART_STRATEGY_FIELDS.items()
        for name, field in fields.items()
    ),
)
