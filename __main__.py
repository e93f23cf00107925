"""The flink-session Pulumi program: read the stack's config once, validate it, build the clusters."""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType

import pulumi
from pulumi.runtime import is_config_secret

from components.errors import ConfigError
from components.input.stack_config import STACK_KEYS, decode_stack_config
from components.resolution import parse_stack_config
from components.resources.cluster import FlinkSessionCluster

CONFIG_NAMESPACE = "flink-session"
# The Kubernetes provider's own stack config: the jobs reach the REST API through the same API server.
KUBERNETES_NAMESPACE = "kubernetes"


def end_quietly_when_interrupted() -> None:
    """The engine interrupts the program (SIGINT) once a step failed or the user pressed Ctrl-C, and Pulumi's
    Python host would print the KeyboardInterrupt's traceback. The engine reports the failure itself, and the
    program holds nothing to clean up (resources are the engine's, dynamic providers run apart), so it ends."""

    def end(_signal: int, _frame: FrameType | None) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, end)


def main() -> None:
    end_quietly_when_interrupted()
    config = pulumi.Config(CONFIG_NAMESPACE)
    kubernetes = pulumi.Config(KUBERNETES_NAMESPACE)
    context, kubeconfig = kubernetes.get("context"), kubernetes.get("kubeconfig")
    # Raw text, decoded by the program: a malformed value is reported like any other problem.
    raw = decode_stack_config({key: config.get(key) for key in STACK_KEYS})
    secret = frozenset(key for key in STACK_KEYS if is_config_secret(f"{CONFIG_NAMESPACE}:{key}"))
    try:
        resolutions = parse_stack_config(raw, secret_keys=secret)
    except ConfigError as error:
        # RunError stops the program before any resource is registered, without a traceback.
        raise pulumi.RunError(str(error)) from None

    for resolution in resolutions:  # in the stack's order, as `tools/review` prints them
        for warning in resolution.warnings:
            pulumi.log.warn(warning)

    # A namespace shared by several clusters is created by one of them; the others wait for it.
    namespace_creators: dict[str, pulumi.Resource] = {}
    summaries: dict[str, pulumi.Output[dict[str, object]]] = {}
    for cluster in sorted((r.cluster for r in resolutions), key=lambda c: not c.create_namespace):
        component = FlinkSessionCluster(
            cluster.name,
            cluster,
            namespace_dependency=namespace_creators.get(cluster.namespace),
            context=context,
            kubeconfig=kubeconfig,
        )
        if component.namespace is not None:
            namespace_creators[cluster.namespace] = component.namespace
        summaries[cluster.name] = component.summary
    pulumi.export("clusters", summaries)

    if raw["cluster"] is not None:
        # One cluster: its outputs also at the top level, for scripts and `pulumi stack output`.
        (cluster_summary,) = summaries.values()
        for key in ("namespace", "jobManagerService", "restEndpoint", "taskManagers", "totalSlots", "portForward"):
            pulumi.export(key, cluster_summary[key])
        pulumi.export("sqlGatewayEndpoint", cluster_summary["sqlGatewayEndpoint"])
        pulumi.export("cluster", cluster_summary)
        pulumi.export("taskManagerMemory", cluster_summary["taskManagerMemory"])
        pulumi.export("jobManagerMemory", cluster_summary["jobManagerMemory"])


if __name__ == "__main__":
    main()
