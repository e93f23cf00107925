"""The Flink options the component owns: one table that the renderer emits and the validator refuses.

Each entry says why the component owns the option, how its value follows from the
resolved model (None: not rendered for this cluster) and the other keys through which
Flink reads the same setting (its deprecated and fallback keys, as Flink's own
ConfigOption definitions list them: docs/flink-options.md). The renderer applies the
user's `flinkConfiguration` first and this table on top, so a typed value wins, as the
Flink Kubernetes Operator's FlinkConfigBuilder does. The recovery options
(recovery_options.py), the SQL Gateway's (gateway_options.py) and the History Server's
(history_server_options.py) are spliced in.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from components.flink.gateway_options import GATEWAY_OPTIONS
from components.flink.history_server_options import HISTORY_SERVER_OPTIONS
from components.flink.jvm import JAVA_17_MODULE_FLAGS
from components.flink.owned_option import OwnedOption, when
from components.flink.recovery_options import RECOVERY_OPTIONS
from components.kubernetes.quantities import format_flink_memory_size
from components.model import ports
from components.model.cluster import Cluster, FlinkValue
from components.model.paths import LOG_DIR, TMP_DIR

JAVA_OPTS_KEY = "env.java.opts.all"
PROMETHEUS_REPORTER = "prom"  # the reporter's name in metrics.reporter.<name>.*
PROMETHEUS_REPORTER_FACTORY = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory"
# MetricOptions.REPORTERS_LIST: when set, only the reporters it names start (a comma-separated list).
REPORTERS_KEY = "metrics.reporters"


def _java_opts(cluster: Cluster) -> str:
    return " ".join([JAVA_17_MODULE_FLAGS, str(cluster.flink_configuration.get(JAVA_OPTS_KEY, ""))]).strip()


OWNED_OPTIONS: tuple[OwnedOption, ...] = (
    # --- addresses and ports: Services, probes and NetworkPolicies depend on them ---------
    OwnedOption(
        "jobmanager.rpc.address",
        "the component points it at the JobManager Service (rest.address falls back to it)",
        lambda c: c.names.jobmanager_service_fqdn,
    ),
    OwnedOption(
        "jobmanager.rpc.port",
        "fixed at 6123: the JobManager Service and NetworkPolicy use it",
        lambda c: ports.JOBMANAGER_RPC,
        # JobManagerOptions.RPC_BIND_PORT: the RPC service listens there instead when set.
        aliases=("jobmanager.rpc.bind-port",),
    ),
    OwnedOption("jobmanager.bind-host", "must be 0.0.0.0 so the JobManager Service reaches the pod", lambda c: "0.0.0.0"),
    OwnedOption(
        "blob.server.port", "fixed at 6124: the JobManager Service and NetworkPolicy use it", lambda c: ports.BLOB_SERVER
    ),
    # Not a ConfigOption of any checked line: the official image's entrypoint writes 6125
    # there on every start, and rendering the same value keeps that rewrite a no-op.
    OwnedOption("query.server.port", "fixed at 6125 by the official image's entrypoint", lambda c: ports.QUERY_SERVER),
    OwnedOption("rest.address", "the component points it at the REST Service", lambda c: c.names.rest_service_fqdn),
    OwnedOption(
        "rest.port",
        "fixed at 8081: the REST Service and probes use it",
        lambda c: ports.REST,
        # web.port: deprecated key of rest.port. rest.bind-port falls back to rest.port
        # (and to the deprecated web.port, jobmanager.web.port): the server listens there when set.
        aliases=("web.port", "rest.bind-port", "jobmanager.web.port"),
    ),
    OwnedOption(
        "rest.bind-address",
        "must be 0.0.0.0 so the REST Service and probes reach it",
        lambda c: "0.0.0.0",
        # fallback key web.address and deprecated key jobmanager.web.address of rest.bind-address.
        aliases=("web.address", "jobmanager.web.address"),
    ),
    OwnedOption(
        "taskmanager.bind-host",
        "must be 0.0.0.0 so the JobManager and other TaskManagers reach the pod",
        lambda c: "0.0.0.0",
    ),
    OwnedOption(
        "taskmanager.rpc.port",
        "fixed at 6122: TaskManager probes and the NetworkPolicy use it",
        lambda c: ports.TASKMANAGER_RPC,
        # TaskManagerOptions.RPC_BIND_PORT: the RPC service listens there instead when set.
        aliases=("taskmanager.rpc.bind-port",),
    ),
    OwnedOption(
        "taskmanager.data.port",
        "fixed at 6121: the NetworkPolicy allows TaskManager data exchange on it",
        lambda c: ports.TASKMANAGER_DATA,
        # NettyShuffleEnvironmentOptions.DATA_BIND_PORT: the data server listens there instead when set.
        aliases=("taskmanager.data.bind-port",),
    ),
    # --- sizing: derived from the typed settings -----------------------------------------
    OwnedOption("taskmanager.numberOfTaskSlots", "set cluster.taskManager.slots instead", lambda c: c.task_manager.slots),
    OwnedOption("parallelism.default", "set cluster.parallelism instead", lambda c: c.parallelism),
    OwnedOption(
        "taskmanager.memory.process.size",
        "set cluster.taskManager.memory (or memoryPerSlot); it equals the container limit",
        lambda c: format_flink_memory_size(c.task_manager.memory_bytes),
        # Not fallback keys: explicit sizes Flink derives the process size from instead. With
        # process.size also set Flink refuses a mismatch, and the memory model here derives
        # every pool from the process size (the container limit) alone.
        aliases=("taskmanager.memory.flink.size", "taskmanager.memory.task.heap.size"),
    ),
    OwnedOption(
        "jobmanager.memory.process.size",
        "set cluster.jobManager.memory; it equals the container limit",
        lambda c: format_flink_memory_size(c.job_manager.memory_bytes),
        # As above: explicit sizes Flink would derive the JobManager's process size from.
        aliases=("jobmanager.memory.flink.size", "jobmanager.memory.heap.size"),
    ),
    # --- the writable volumes and the JVM ------------------------------------------------
    OwnedOption(
        "io.tmp.dirs",
        "points at the pod's scratch volume; the root filesystem is read-only",
        lambda c: TMP_DIR,
        aliases=("taskmanager.tmp.dirs",),  # deprecated key of io.tmp.dirs
    ),
    OwnedOption("env.log.dir", "points at the pod's log volume; the root filesystem is read-only", lambda c: LOG_DIR),
    OwnedOption(
        JAVA_OPTS_KEY,
        "starts with the Java 17 module flags Flink needs; your value is appended after them",
        _java_opts,
        aliases=("env.java.opts",),  # deprecated key of env.java.opts.all: ignored while env.java.opts.all is set
        extends_user_value=True,
    ),
    *RECOVERY_OPTIONS,
    *GATEWAY_OPTIONS,
    *HISTORY_SERVER_OPTIONS,
    # --- metrics: a reporter's options are not ConfigOptions (metrics.reporter.<name>.*) --
    OwnedOption(
        f"metrics.reporter.{PROMETHEUS_REPORTER}.factory.class",
        "set cluster.metrics.prometheus instead",
        lambda c: when(c.metrics.prometheus, PROMETHEUS_REPORTER_FACTORY),
    ),
    OwnedOption(
        f"metrics.reporter.{PROMETHEUS_REPORTER}.port",
        "fixed at 9249: the named container port, NetworkPolicy and PodMonitor use it",
        lambda c: when(c.metrics.prometheus, str(ports.PROMETHEUS)),
    ),
    # --- S3: read by the filesystem plugins, which mirror keys under the prefixes s3., s3a.
    # and fs.s3a. (flink-s3-fs-hadoop) and s3., presto.s3. (flink-s3-fs-presto), per their
    # S3FileSystemFactory.FLINK_CONFIG_PREFIXES in apache/flink's source (the plugin jars
    # are not part of apache-flink-libraries, so not checked against a jar here).
    OwnedOption(
        "s3.endpoint",
        "set cluster.storage.s3.endpoint instead",
        lambda c: c.storage.s3.endpoint if c.storage.s3 is not None else None,
        aliases=("s3a.endpoint", "fs.s3a.endpoint", "presto.s3.endpoint"),
    ),
    OwnedOption(
        "s3.path.style.access",
        "set cluster.storage.s3.pathStyleAccess instead",
        lambda c: when(c.storage.s3 is not None and c.storage.s3.path_style_access, True),
        aliases=("s3a.path.style.access", "fs.s3a.path.style.access", "presto.s3.path.style.access"),
    ),
)

# Never rendered, always refused: credentials would sit in plain text in the ConfigMap.
# Every spelling the S3 plugins read (the prefixes above, and their mirrored access.key/access-key).
_CREDENTIAL_REASON = "credentials never go in the ConfigMap; set cluster.storage.s3.accessKey and secretKey as Pulumi secrets"
CREDENTIAL_OPTIONS: frozenset[str] = frozenset(
    f"{prefix}{kind}{separator}key"
    for prefix in ("s3.", "s3a.", "fs.s3a.", "presto.s3.")
    for kind in ("access", "secret")
    for separator in ("-", ".")
)


def owned_values(cluster: Cluster) -> dict[str, FlinkValue]:
    """The owned options rendered for this cluster, key by key."""
    values: dict[str, FlinkValue] = {}
    for option in OWNED_OPTIONS:
        value = option.value(cluster)
        if value is not None:
            values[option.key] = value
    return values


def _refusals() -> Mapping[str, str]:
    reasons: dict[str, str] = dict.fromkeys(CREDENTIAL_OPTIONS, _CREDENTIAL_REASON)
    for option in OWNED_OPTIONS:
        if not option.extends_user_value:
            reasons[option.key] = f"is set by flink-session and may not be overridden: {option.reason}"
        for alias in option.aliases:
            reasons[alias] = (
                f"is another name Flink reads for {option.key}, which flink-session sets and may not be overridden: "
                f"{option.reason}"
            )
    return MappingProxyType(reasons)


_REFUSED = _refusals()


def normalized_key(key: str) -> str:
    """A key without case or whitespace: how a misspelt owned key (`Rest.Port`, `rest. port`) is recognised."""
    return "".join(key.split()).lower()


_REFUSED_NORMALIZED = MappingProxyType({normalized_key(key): key for key in _REFUSED})
# Words that mark a key's value as a credential, whatever the plugin's spelling: never echoed.
_CREDENTIAL_WORDS = ("secret", "password", "passwd", "token", "credential", "access-key", "access.key", "accesskey")


def refusal(key: str) -> str | None:
    """Why `flinkConfiguration` may not set `key`, or None if it may.

    Surrounding whitespace does not hide a key, and a key that differs from one the
    component owns only by case or whitespace is refused too (Flink would ignore it).
    """
    if key.strip() in _REFUSED:
        return _REFUSED[key.strip()]
    owned = _REFUSED_NORMALIZED.get(normalized_key(key))
    if owned is not None:
        return f"differs from {owned!r} only by case or whitespace, which Flink reads as another key; {_REFUSED[owned]}"
    return None


def is_credential_key(key: str) -> bool:
    """Whether a `flinkConfiguration` key names a credential in any spelling (its value is never echoed)."""
    normalized = normalized_key(key)
    return normalized in {normalized_key(c) for c in CREDENTIAL_OPTIONS} or any(w in normalized for w in _CREDENTIAL_WORDS)
