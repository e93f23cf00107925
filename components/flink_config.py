"""Render Flink's configuration file (`config.yaml`) and its logging configuration.

Flink 1.19 and newer read the standard-YAML `config.yaml` (2.0 dropped the legacy
`flink-conf.yaml`), so that is the only file rendered. Keys are written flat
(`taskmanager.memory.process.size: 1728m`), which every supported line accepts.
"""

from __future__ import annotations

import hashlib
from types import MappingProxyType
from typing import Any

import yaml

from components import ports
from components.quantities import format_flink_memory_size
from components.settings import ClusterSettings
from components.storage import state_option_keys

# libyaml's emitter when PyYAML has it (the wheels do): same YAML, several times faster.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

CONFIG_FILE = "config.yaml"
LOG4J_CONSOLE_FILE = "log4j-console.properties"
LOG4J_CLI_FILE = "log4j-cli.properties"

# Where the pods keep what Flink writes; the root filesystem is read-only.
CONF_DIR = "/opt/flink/conf"
LOG_DIR = "/opt/flink/log"
TMP_DIR = "/tmp"

_LOG4J_CONSOLE = """\
# Rendered by flink-session. Logs go to stdout (for kubectl logs and the node's log
# collector) and to a small rolling file that the Flink web UI shows.
monitorInterval = 30
rootLogger.level = INFO
rootLogger.appenderRef.console.ref = ConsoleAppender
rootLogger.appenderRef.rolling.ref = RollingFileAppender

logger.pekko.name = org.apache.pekko
logger.pekko.level = INFO
logger.kafka.name = org.apache.kafka
logger.kafka.level = INFO
logger.hadoop.name = org.apache.hadoop
logger.hadoop.level = WARN
logger.zookeeper.name = org.apache.zookeeper
logger.zookeeper.level = INFO
logger.netty.name = org.apache.flink.shaded.netty4.io.netty.channel.DefaultChannelPipeline
logger.netty.level = OFF

appender.console.name = ConsoleAppender
appender.console.type = CONSOLE
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n

# Bounded so the log volume (an emptyDir with a size limit) never fills up.
appender.rolling.name = RollingFileAppender
appender.rolling.type = RollingFile
appender.rolling.append = true
appender.rolling.fileName = ${sys:log.file}
appender.rolling.filePattern = ${sys:log.file}.%i
appender.rolling.layout.type = PatternLayout
appender.rolling.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
appender.rolling.policies.type = Policies
appender.rolling.policies.size.type = SizeBasedTriggeringPolicy
appender.rolling.policies.size.size = 20MB
appender.rolling.strategy.type = DefaultRolloverStrategy
appender.rolling.strategy.max = 3
"""

_LOG4J_CLI = """\
# Rendered by flink-session: the `flink` CLI inside a pod logs to stderr only.
rootLogger.level = WARN
rootLogger.appenderRef.console.ref = ConsoleAppender
appender.console.name = ConsoleAppender
appender.console.type = CONSOLE
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
"""


# The module flags Flink's own distribution config.yaml sets for Java 17 (Flink's
# reflection into java.util etc. fails without them: e.g. DataStream jobs cannot
# even be translated). Our config.yaml replaces the distribution's, so they are
# rendered here; a user's own env.java.opts.all is appended after them.
JAVA_17_MODULE_FLAGS = " ".join(
    [
        *(
            f"--add-exports={target}=ALL-UNNAMED"
            for target in (
                "java.base/sun.net.util",
                "java.rmi/sun.rmi.registry",
                "jdk.compiler/com.sun.tools.javac.api",
                "jdk.compiler/com.sun.tools.javac.file",
                "jdk.compiler/com.sun.tools.javac.parser",
                "jdk.compiler/com.sun.tools.javac.tree",
                "jdk.compiler/com.sun.tools.javac.util",
                "java.security.jgss/sun.security.krb5",
            )
        ),
        *(
            f"--add-opens=java.base/{package}=ALL-UNNAMED"
            for package in (
                "java.lang",
                "java.net",
                "java.io",
                "java.nio",
                "sun.nio.ch",
                "java.lang.reflect",
                "java.text",
                "java.time",
                "java.util",
                "java.util.concurrent",
                "java.util.concurrent.atomic",
                "java.util.concurrent.locks",
            )
        ),
    ]
)
JAVA_OPTS_KEY = "env.java.opts.all"
PROMETHEUS_REPORTER_FACTORY = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory"

# cluster.restartStrategy field -> the Flink option it renders to, per strategy type
_RESTART_OPTIONS = {
    "fixed-delay": {"attempts": "restart-strategy.fixed-delay.attempts", "delay": "restart-strategy.fixed-delay.delay"},
    "failure-rate": {
        "max_failures_per_interval": "restart-strategy.failure-rate.max-failures-per-interval",
        "failure_rate_interval": "restart-strategy.failure-rate.failure-rate-interval",
        "delay": "restart-strategy.failure-rate.delay",
    },
}


def ha_cluster_id(settings: ClusterSettings) -> str:
    """Namespace and name: two clusters sharing an HA storage dir never read each other's metadata."""
    return f"{settings.namespace}-{settings.name}"


def operations_options(settings: ClusterSettings) -> dict[str, Any]:
    """HA, state, restart, metrics and S3 options; option names follow the target Flink version."""
    ops = settings.operations
    options: dict[str, Any] = {}
    ha = ops.high_availability
    if ha.enabled:
        options |= {
            "high-availability.type": "kubernetes",
            "high-availability.storageDir": ha.storage_dir,
            "high-availability.cluster-id": ha_cluster_id(settings),
            "kubernetes.cluster-id": settings.name,
            # Flink's Kubernetes client defaults to the "default" namespace for its HA ConfigMaps.
            "kubernetes.namespace": settings.namespace,
        }
    state = ops.state
    keys = state_option_keys(settings.flink_version)
    options["state.backend.type"] = state.backend
    if state.backend == "rocksdb":
        options[keys.incremental] = state.incremental
    if state.checkpoints_dir is not None:
        options[keys.checkpoints_dir] = state.checkpoints_dir
    if state.savepoints_dir is not None:
        options[keys.savepoints_dir] = state.savepoints_dir
    if state.checkpoint_interval is not None:
        options["execution.checkpointing.interval"] = state.checkpoint_interval
        options["execution.checkpointing.mode"] = state.checkpoint_mode
    restart = state.restart_strategy
    if restart is not None:
        options["restart-strategy.type"] = restart.type
        for field_name, key in _RESTART_OPTIONS.get(restart.type, {}).items():
            value = getattr(restart, field_name)
            if value is not None:
                options[key] = value
    if ops.metrics.prometheus:
        options["metrics.reporter.prom.factory.class"] = PROMETHEUS_REPORTER_FACTORY
        options["metrics.reporter.prom.port"] = str(ports.PROMETHEUS)
    if ops.s3 is not None:
        if ops.s3.endpoint is not None:
            options["s3.endpoint"] = ops.s3.endpoint
        if ops.s3.path_style_access:
            options["s3.path.style.access"] = True
    return options


def render_flink_options(settings: ClusterSettings) -> MappingProxyType[str, Any]:
    """Every Flink option of the cluster: the component's own, then the user's extra options."""
    names = settings.names
    owned: dict[str, Any] = {
        "jobmanager.rpc.address": names.jobmanager_service_fqdn,
        "jobmanager.rpc.port": ports.JOBMANAGER_RPC,
        "jobmanager.bind-host": "0.0.0.0",
        "blob.server.port": ports.BLOB_SERVER,
        "query.server.port": ports.QUERY_SERVER,
        "rest.address": names.rest_service_fqdn,
        "rest.port": ports.REST,
        "rest.bind-address": "0.0.0.0",
        "taskmanager.bind-host": "0.0.0.0",
        "taskmanager.rpc.port": ports.TASKMANAGER_RPC,
        "taskmanager.data.port": ports.TASKMANAGER_DATA,
        "taskmanager.numberOfTaskSlots": settings.task_manager.slots,
        "parallelism.default": settings.parallelism,
        "taskmanager.memory.process.size": format_flink_memory_size(settings.task_manager.memory_bytes),
        "jobmanager.memory.process.size": format_flink_memory_size(settings.job_manager.memory_bytes),
        "io.tmp.dirs": TMP_DIR,
        "env.log.dir": LOG_DIR,
    }
    user = {k: list(v) if isinstance(v, tuple) else v for k, v in settings.flink_configuration.items()}
    java_opts = " ".join([JAVA_17_MODULE_FLAGS, str(user.pop(JAVA_OPTS_KEY, ""))]).strip()
    return MappingProxyType({**owned, **operations_options(settings), JAVA_OPTS_KEY: java_opts, **user})


def render_config_yaml(options: MappingProxyType[str, Any] | dict[str, Any]) -> str:
    """The config.yaml text, keys sorted so the same settings always give the same bytes."""
    header = "# Rendered by flink-session from the stack's settings; edit the stack, not this file.\n"
    return header + yaml.dump(dict(options), Dumper=_DUMPER, sort_keys=True, default_flow_style=False)


def render_config_files(settings: ClusterSettings) -> dict[str, str]:
    """The files of Flink's conf directory, as the ConfigMap holds them."""
    return {
        CONFIG_FILE: render_config_yaml(render_flink_options(settings)),
        LOG4J_CONSOLE_FILE: _LOG4J_CONSOLE,
        LOG4J_CLI_FILE: _LOG4J_CLI,
    }


def config_checksum(files: dict[str, str]) -> str:
    """A digest of the conf files; it goes on the pod templates so any change rolls the pods."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(files[name].encode())
        digest.update(b"\0")
    return digest.hexdigest()
