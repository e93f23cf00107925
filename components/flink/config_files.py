"""Render Flink's configuration file (`config.yaml`) and its logging configuration.

Flink 1.19 and newer read the standard-YAML `config.yaml` (2.0 dropped the legacy
`flink-conf.yaml`), so that is the only file rendered. Keys are written flat
(`taskmanager.memory.process.size: 1728m`), which every supported line accepts.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Any

import yaml

from components.flink.options import owned_values
from components.model.cluster import Cluster

# libyaml's emitter when PyYAML has it (the wheels do): same YAML, several times faster.
_BASE_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# Flink (1.19+) reads config.yaml as YAML 1.2, PyYAML writes YAML 1.1: a string such as
# '1e-5' or '0o17' is plain text in 1.1 but a number in 1.2, so Flink would read a
# number (and '1e3' would reach a string option as '1000.0'). Strings that the 1.2 core
# schema resolves to a null, bool, int or float are therefore always quoted.
_YAML12_NOT_A_STRING = re.compile(
    r"(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE"
    r"|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)"
)


class _ConfigDumper(_BASE_DUMPER):  # type: ignore[misc,valid-type]  # the C or the Python SafeDumper, as available
    """PyYAML's safe dumper, quoting the strings a YAML 1.2 reader would not read as strings."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if _YAML12_NOT_A_STRING.fullmatch(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    return dumper.represent_str(value)


_ConfigDumper.add_representer(str, _represent_str)

CONFIG_FILE = "config.yaml"
LOG4J_CONSOLE_FILE = "log4j-console.properties"
LOG4J_CLI_FILE = "log4j-cli.properties"

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


def render_flink_options(cluster: Cluster) -> MappingProxyType[str, Any]:
    """Every Flink option of the cluster: the user's extra options first, the owned ones on top.

    The owned options come from one table (flink_options.OWNED_OPTIONS), which the
    validator also reads, so a typed value always wins over a raw one.
    """
    user = {k: list(v) if isinstance(v, tuple) else v for k, v in cluster.flink_configuration.items()}
    return MappingProxyType({**user, **owned_values(cluster)})


def render_config_yaml(options: MappingProxyType[str, Any] | dict[str, Any]) -> str:
    """The config.yaml text, keys sorted so the same settings always give the same bytes."""
    header = "# Rendered by flink-session from the stack's settings; edit the stack, not this file.\n"
    return header + yaml.dump(dict(options), Dumper=_ConfigDumper, sort_keys=True, default_flow_style=False)


def render_config_files(cluster: Cluster) -> dict[str, str]:
    """The files of Flink's conf directory, as the ConfigMap holds them (and as its name hashes them)."""
    return {
        CONFIG_FILE: render_config_yaml(render_flink_options(cluster)),
        LOG4J_CONSOLE_FILE: _LOG4J_CONSOLE,
        LOG4J_CLI_FILE: _LOG4J_CLI,
    }
