"""The History Server's Deployment: Flink's web UI for the jobs the JobManagers archived (its Service: services.py).

Its pod is built like the other Flink pods (deployments.py, pods.py): the same image,
config.yaml copy, volumes (the shared volume, the filesystem plugins and the storage
credentials reach the archive dir as they reach the JobManagers'), security context and
scheduling. What differs is here: the image's `history-server` command, its own options
in FLINK_PROPERTIES (flink/history_server_options.py), its JVM flags in JVM_ARGS sized from
the container limit (flink/jvm_memory.py), no ServiceAccount token (it reads storage
only), probes on `GET /config` (a file it writes at start), and `Recreate`: one reader
of the archive at a time, which also cleans it up (retainedJobs).
"""

from __future__ import annotations

from typing import Any

from components.flink.history_server_options import flink_properties_text, history_server_properties
from components.manifests.deployments import container_port, flink_container, flink_deployment
from components.manifests.pods import container_resources, probes
from components.manifests.services import HISTORY_SERVER_PORT_NAME
from components.model import ports
from components.model.cluster import Cluster
from components.model.naming import HISTORY_SERVER

COMMAND = "history-server"
CONFIG_PATH = "/config"


def history_server_deployment(cluster: Cluster, config_map_name: str) -> dict[str, Any] | None:
    history = cluster.history_server
    if history is None:
        return None
    env = [
        {"name": "FLINK_PROPERTIES", "value": flink_properties_text(history_server_properties(history))},
        {"name": "JVM_ARGS", "value": history.layout.jvm_flags()},
    ]
    container = flink_container(cluster, HISTORY_SERVER, [COMMAND], env)
    container |= {
        "ports": [container_port(HISTORY_SERVER_PORT_NAME, ports.HISTORY_SERVER)],
        "resources": container_resources(cluster, history),
        **probes({"httpGet": {"path": CONFIG_PATH, "port": HISTORY_SERVER_PORT_NAME}}),
    }
    return flink_deployment(
        cluster,
        name=cluster.names.history_server,
        component=HISTORY_SERVER,
        replicas=history.replicas,
        strategy={"type": "Recreate"},
        container=container,
        scratch_bytes=history.scratch_bytes,
        config_map_name=config_map_name,
        extra_spec={},
        mount_token=False,
    )
