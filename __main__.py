"""The flink-session Pulumi program: read the stack's config once, validate it, build the clusters."""

from __future__ import annotations

import pulumi

from components.cluster import FlinkSessionCluster
from components.errors import ConfigError
from components.settings import parse_stack_config

CONFIG_NAMESPACE = "flink-session"


def main() -> None:
    config = pulumi.Config(CONFIG_NAMESPACE)
    raw = {"cluster": config.get_object("cluster")}
    try:
        clusters = parse_stack_config(raw)
    except ConfigError as error:
        # RunError stops the program before any resource is registered, without a traceback.
        raise pulumi.RunError(str(error)) from None

    for settings in clusters:
        for warning in settings.warnings:
            pulumi.log.warn(warning)
        cluster = FlinkSessionCluster(settings.name, settings)
        pulumi.export("namespace", cluster.namespace)
        pulumi.export("jobManagerService", cluster.job_manager_service)
        pulumi.export("restEndpoint", cluster.rest_endpoint)
        pulumi.export("taskManagers", cluster.task_managers)
        pulumi.export("totalSlots", cluster.total_slots)
        pulumi.export("portForward", cluster.port_forward)
        pulumi.export("cluster", cluster.summary)
        pulumi.export("taskManagerMemory", cluster.summary["taskManagerMemory"])
        pulumi.export("jobManagerMemory", cluster.summary["jobManagerMemory"])


if __name__ == "__main__":
    main()
