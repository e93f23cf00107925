"""The SQL Gateway's Deployment: Flink's SQL over REST (and the Flink JDBC driver) beside the session cluster.

Its pods are built like the JobManager's and TaskManagers' (deployments.py, pods.py):
the cluster's image through the image's own entrypoint (pass-through mode, so the
plugins and the config rewrite happen as for every Flink pod), the restricted security
context, a read-only root filesystem with the writable conf copy, log and scratch
volumes, `JOB_MANAGER_RPC_ADDRESS`, the cluster's ServiceAccount, and memory request =
limit. Only what differs is here:

- the command, `sql-gateway.sh start-foreground` with the owned gateway options as `-D`
  properties (flink_gateway_options.py: not in config.yaml, so adding or resizing a
  gateway rolls only the gateway); it finds the session cluster through `rest.address`
  and `rest.port`, which config.yaml points at the REST Service;
- its JVM flags in `JVM_ARGS`, laid out from the container limit (sql_gateway_memory.py);
- no ServiceAccount token even with HA: the gateway reaches the cluster over REST only;
- startup, readiness and liveness probes on `GET /v1/info`, which every REST API version
  of both lines serves without a session.

Sessions live in one gateway's memory: a restart or rollout ends them (clients open a
new one), and with several replicas the Service keeps a client on one (services.py).
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
