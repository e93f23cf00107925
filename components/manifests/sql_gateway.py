"""The SQL Gateway's Deployment: Flink's SQL over REST (and the Flink JDBC driver) beside the session cluster.

Its pods are built like the JobManager's and TaskManagers' (deployments.py, pods.py);
what differs is here: the command, `sql-gateway.sh start-foreground` with the owned
gateway options as `-D` properties (gateway_options.py: outside config.yaml, so a
gateway change rolls only the gateway); its JVM flags in JVM_ARGS, sized from the
container limit (flink/jvm_memory.py); no ServiceAccount token, even with HA (it
reaches the cluster over REST only); and probes on `GET /v1/info`, which both lines
serve without a session. Sessions live in one gateway's memory (docs/sql-gateway.md).
"""

from __future__ import annotations

from typing import Any

from components.flink.gateway_options import sql_gateway_properties
from components.manifests.deployments import (
    ONE_AT_A_TIME,
    POD_IP_ENV,
    container_port,
    flink_container,
    flink_deployment,
)
from components.manifests.pods import container_resources, probes
from components.model import ports
from components.model.cluster import Cluster
from components.model.naming import SQL_GATEWAY
from components.model.paths import FLINK_HOME

SCRIPT = f"{FLINK_HOME}/bin/sql-gateway.sh"
PORT_NAME = "rest"
INFO_PATH = "/v1/info"


def sql_gateway_args(cluster: Cluster) -> list[str]:
    """The container's args: the image's entrypoint runs them in pass-through mode."""
    return [SCRIPT, "start-foreground", *(f"-D{key}={value}" for key, value in sql_gateway_properties(cluster).items())]


def sql_gateway_deployment(cluster: Cluster, config_map_name: str) -> dict[str, Any] | None:
    gateway = cluster.sql_gateway
    if gateway is None:
        return None
    jvm = {"name": "JVM_ARGS", "value": gateway.layout.jvm_flags()}
    container = flink_container(cluster, SQL_GATEWAY, sql_gateway_args(cluster), [POD_IP_ENV, jvm])
    container |= {
        "ports": [container_port(PORT_NAME, ports.SQL_GATEWAY)],
        "resources": container_resources(cluster, gateway),
        **probes({"httpGet": {"path": INFO_PATH, "port": PORT_NAME}}),
    }
    return flink_deployment(
        cluster,
        name=cluster.names.sql_gateway,
        component=SQL_GATEWAY,
        replicas=gateway.replicas,
        # A new gateway is Ready before an old one goes (its sessions end with it either way).
        strategy=ONE_AT_A_TIME,
        container=container,
        scratch_bytes=gateway.scratch_bytes,
        config_map_name=config_map_name,
        extra_spec={},
        mount_token=False,
    )
