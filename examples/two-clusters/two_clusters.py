"""Two Flink session clusters built in code: the FlinkSessionCluster component used by another program.

No stack config: every setting is an argument, in Python spelling, checked by the same
rules as a stack file (an invalid one stops the program with every problem listed).
`ingest` creates the namespace and is a development cluster (no HA asked for);
`reports` shares that namespace, waits for it, and runs Kubernetes HA in production
style. The program exports a few outputs of each and waits on a child of the other.
"""

from __future__ import annotations

import pulumi

from components import FlinkSessionCluster, FlinkSessionClusterArgs, HighAvailabilityArgs, JobManagerArgs, TaskManagerArgs

NAMESPACE = "flink-examples"

INGEST = FlinkSessionClusterArgs(
    namespace=NAMESPACE,
    environment="development",
    flink_version="2.2.1",
    parallelism=2,
    task_manager=TaskManagerArgs(slots=2, cpu="500m", memory="1728Mi"),
    job_manager=JobManagerArgs(cpu="250m", memory="1024Mi"),
)

REPORTS = FlinkSessionClusterArgs(
    namespace=NAMESPACE,
    create_namespace=False,
    flink_version="1.20.4",
    parallelism=4,
    task_manager=TaskManagerArgs(slots=2, cpu_per_slot="250m", memory_per_slot="512Mi"),
    job_manager=JobManagerArgs(cpu="250m", memory="1024Mi"),
    high_availability=HighAvailabilityArgs(enabled=True, storage_dir="s3://reports-flink/ha"),
    labels={"team": "reports"},
)


def main() -> None:
    ingest = FlinkSessionCluster("ingest", INGEST)
    # The namespace is ingest's: reports' objects wait for it (and the program's own
    # resources could wait for a child the same way, e.g. depends_on=[ingest.jobmanager_deployment]).
    reports = FlinkSessionCluster("reports", REPORTS, namespace_dependency=ingest.namespace)
    for name, cluster in (("ingest", ingest), ("reports", reports)):
        pulumi.export(f"{name}RestEndpoint", cluster.rest_endpoint)
        pulumi.export(f"{name}ConfigMap", cluster.config_map_name)
        pulumi.export(f"{name}TotalSlots", cluster.total_slots)
        pulumi.export(f"{name}PortForward", cluster.port_forward)
