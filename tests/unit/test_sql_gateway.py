"""The SQL Gateway beside a session cluster: its settings, its JVM, and every object it adds, field by field.

Resolution (defaults, the JVM layout from the container limit, every refusal with its
key path), the Deployment (command line, environment, security, volumes, probes,
resources: the same pod as the JobManager's where they should be the same), the
Service, the NetworkPolicies (the gateway reaches only the JobManagers' REST API, only
`network.sqlGatewayAccess` reaches the gateway), the disruption budget, the order of
objects, the options it owns, and the summary.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.errors import ConfigError
from components.flink.config_files import render_config_files
from components.flink.jvm_memory import jvm_memory, smallest_jvm_memory
from components.input.schema import (
    FlinkSessionClusterArgs,
    JobManagerArgs,
    NetworkArgs,
    PeerArgs,
    SqlGatewayArgs,
    TaskManagerArgs,
)
from components.kubernetes.quantities import MIB
from components.manifests.deployments import jobmanager_deployment
from components.manifests.disruption import sql_gateway_disruption_budget
from components.manifests.network_policy import default_deny, jobmanager_ingress, sql_gateway_ingress
from components.manifests.objects import cluster_objects
from components.manifests.services import sql_gateway_service
from components.manifests.sql_gateway import sql_gateway_deployment
from components.model.cluster import Cluster
from components.model.naming import Part
from components.resolution import parse_stack_config, resolve_args
from components.resources.outputs import cluster_summary
from tests.support.config import minimal_cluster, resolve

GATEWAY = {"cpu": "250m", "memory": "1Gi"}
CLIENTS = {"namespaceLabels": {"kubernetes.io/metadata.name": "analytics"}, "podLabels": {"app": "superset"}}
HA = {"enabled": True, "storageDir": "s3://bucket/ha"}


def with_gateway(**overrides: Any) -> Cluster:
    return resolve(minimal_cluster(**{"sqlGateway": GATEWAY, **overrides}))


def refused(**overrides: Any) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_stack_config({"cluster": minimal_cluster(**overrides)})
    return caught.value


def line(error: ConfigError, path: str) -> str:
    assert path in error.paths, str(error)
    return next(text.strip() for text in str(error).splitlines() if text.strip().startswith((f"- {path} ", f"- {path}:")))


def deployment(cluster: Cluster) -> dict[str, Any]:
    manifest = sql_gateway_deployment(cluster, "demo-config-0123456789")
    assert manifest is not None
    return manifest


def container(cluster: Cluster) -> dict[str, Any]:
    pod = deployment(cluster)["spec"]["template"]["spec"]
    (gateway,) = pod["containers"]
    return dict(gateway)


# --- settings and the JVM ------------------------------------------------------------------


def test_defaults_and_the_jvm_laid_out_in_the_container_limit() -> None:
    gateway = with_gateway().sql_gateway
    assert gateway is not None
    assert (gateway.replicas, gateway.cpu_millis, gateway.cpu_limit_millis) == (1, 250, 250)
    assert (gateway.memory_bytes, gateway.scratch_bytes) == (1024 * MIB, 1024 * MIB)
    layout = gateway.layout
    # 1Gi: overhead at its 192Mi floor, metaspace 256Mi, direct 128Mi, the rest heap
    assert (layout.heap, layout.metaspace, layout.direct, layout.overhead) == (448 * MIB, 256 * MIB, 128 * MIB, 192 * MIB)
    assert layout.heap + layout.metaspace + layout.direct + layout.overhead == layout.process == gateway.memory_bytes
    assert layout.jvm_flags() == "-Xmx469762048 -Xms469762048 -XX:MaxDirectMemorySize=134217728 -XX:MaxMetaspaceSize=268435456"


@pytest.mark.parametrize(
    ("memory_mib", "heap_mib", "overhead_mib"),
    [(832, 256, 192), (4096, 3302, 410), (16384, 14976, 1024)],
    ids=["smallest", "4Gi-a-tenth", "16Gi-capped-at-1Gi"],
)
def test_the_overhead_is_a_tenth_between_192mi_and_1gi_and_the_heap_whole_mib(
    memory_mib: int, heap_mib: int, overhead_mib: int
) -> None:
    layout = jvm_memory(memory_mib * MIB)
    assert layout is not None
    assert layout.heap == heap_mib * MIB
    assert layout.overhead // MIB == overhead_mib
    assert layout.heap + layout.metaspace + layout.direct + layout.overhead == memory_mib * MIB


def test_the_smallest_gateway_is_832mi() -> None:
    assert smallest_jvm_memory() == 832 * MIB
    assert jvm_memory(832 * MIB) is not None
    assert jvm_memory(831 * MIB) is None


def test_every_setting_is_taken() -> None:
    gateway = with_gateway(sqlGateway={"cpu": "500m", "memory": "2Gi", "cpuLimit": "2", "replicas": 3, "scratchSize": "512Mi"})
    assert gateway.sql_gateway is not None
    assert (gateway.sql_gateway.cpu_limit_millis, gateway.sql_gateway.replicas) == (2000, 3)
    assert gateway.sql_gateway.scratch_bytes == 512 * MIB


def test_no_gateway_unless_configured() -> None:
    cluster = resolve(minimal_cluster())
    assert cluster.sql_gateway is None and cluster.network.sql_gateway_access == ()
    assert sql_gateway_deployment(cluster, "cm") is None
    assert sql_gateway_service(cluster) is None
    assert sql_gateway_ingress(cluster) is None
    assert not {Part.SQL_GATEWAY, Part.SQL_GATEWAY_SERVICE, Part.SQL_GATEWAY_POLICY} & {o.part for o in cluster_objects(cluster)}


# --- what is refused, with the key path, the value and what is accepted ------------------


def test_too_little_memory_names_the_smallest_that_works() -> None:
    error = refused(sqlGateway={"cpu": "250m", "memory": "800Mi"})
    assert line(error, "cluster.sqlGateway.memory") == (
        "- cluster.sqlGateway.memory = '800Mi': is too small: JVM metaspace 256Mi, direct memory 128Mi and JVM overhead "
        "(at least 192Mi) leave less than the 256Mi heap the gateway needs; use at least 832Mi"
    )


def test_a_cpu_limit_below_the_request_is_refused() -> None:
    error = refused(sqlGateway={"cpu": "1", "memory": "1Gi", "cpuLimit": "500m"})
    assert line(error, "cluster.sqlGateway.cpuLimit") == (
        "- cluster.sqlGateway.cpuLimit = '500m': is below the pod's CPU request, cluster.sqlGateway.cpu = 1; "
        "use at least 1 or omit it"
    )


@pytest.mark.parametrize(
    ("gateway", "path", "text"),
    [
        ({"memory": "1Gi"}, "cluster.sqlGateway.cpu", "required"),
        ({"cpu": "250m"}, "cluster.sqlGateway.memory", "required"),
        ({**GATEWAY, "replicas": 0}, "cluster.sqlGateway.replicas", "greater than or equal to 1"),
        ({**GATEWAY, "replicas": 11}, "cluster.sqlGateway.replicas", "must be at most 10"),
        ({**GATEWAY, "memory": "1000.5Mi"}, "cluster.sqlGateway.memory", "not a whole number of MiB"),
        ({**GATEWAY, "scratchSize": "lots"}, "cluster.sqlGateway.scratchSize", "is not a Kubernetes quantity"),
        ({**GATEWAY, "port": 9000}, "cluster.sqlGateway.port", "not a known key"),
    ],
    ids=["no-cpu", "no-memory", "no-replicas", "too-many-replicas", "fractional-mib", "bad-scratch", "unknown-key"],
)
def test_each_bad_value_is_reported_at_its_key(gateway: dict[str, Any], path: str, text: str) -> None:
    assert text in line(refused(sqlGateway=gateway), path)


def test_a_gateway_that_is_not_a_mapping_says_what_belongs_there() -> None:
    assert "mapping" in line(refused(sqlGateway="yes"), "cluster.sqlGateway")


def test_access_without_a_gateway_is_refused() -> None:
    error = refused(network={"sqlGatewayAccess": [CLIENTS]})
    assert line(error, "cluster.network.sqlGatewayAccess") == (
        "- cluster.network.sqlGatewayAccess: lists peers for a SQL Gateway, but cluster.sqlGateway is not set; "
        "add cluster.sqlGateway or remove this list"
    )


def test_access_peers_are_checked_like_every_peer() -> None:
    peer = {"cidr": "10.0.0.0/8", "podLabels": {"app": "x"}}
    error = refused(sqlGateway=GATEWAY, network={"sqlGatewayAccess": [peer, {}]})
    assert "a peer is either a CIDR or a label selector" in line(error, "cluster.network.sqlGatewayAccess[0]")
    assert "selects nothing" in line(error, "cluster.network.sqlGatewayAccess[1]")


@pytest.mark.parametrize(
    "key",
    [
        "sql-gateway.endpoint.type",
        "sql-gateway.endpoint.rest.address",
        "sql-gateway.endpoint.rest.bind-address",
        "sql-gateway.endpoint.rest.port",
        "sql-gateway.endpoint.rest.bind-port",
    ],
)
def test_the_gateway_options_it_sets_are_refused_in_flink_configuration(key: str) -> None:
    error = refused(sqlGateway=GATEWAY, flinkConfiguration={key: "x"})
    text = line(error, f'cluster.flinkConfiguration["{key}"]')
    assert "is set by flink-session and may not be overridden" in text
    assert "(set on the SQL Gateway's command line)" in text


def test_other_gateway_options_stay_the_users() -> None:
    options = {"sql-gateway.session.idle-timeout": "30min", "env.java.opts.sql-gateway": "-XX:+UseZGC"}
    assert dict(with_gateway(flinkConfiguration=options).flink_configuration) == options


def test_args_resolve_to_the_same_gateway_as_the_stack_keys() -> None:
    args = FlinkSessionClusterArgs(
        flink_version="2.2.1",
        parallelism=4,
        task_manager=TaskManagerArgs(slots=2, cpu="1", memory="1728Mi"),
        job_manager=JobManagerArgs(cpu="500m", memory="1024Mi"),
        sql_gateway=SqlGatewayArgs(cpu="250m", memory="1Gi", replicas=2),
        network=NetworkArgs(sql_gateway_access=[PeerArgs(cidr="10.0.0.0/8")]),
    )
    from_args = resolve_args("demo", args).cluster
    from_stack = with_gateway(sqlGateway={**GATEWAY, "replicas": 2}, network={"sqlGatewayAccess": [{"cidr": "10.0.0.0/8"}]})
    assert from_args == from_stack


# --- the Deployment ----------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2.2.1", "1.20.4"])
def test_the_command_line_is_the_same_on_both_lines(version: str) -> None:
    cluster = with_gateway(flinkVersion=version)
    gateway = container(cluster)
    assert gateway["image"] == f"flink:{version}-scala_2.12-java17"
    # no `command`: the image's entrypoint runs the args in pass-through mode (plugins, config rewrite)
    assert "command" not in gateway
    assert gateway["args"] == [
        "/opt/flink/bin/sql-gateway.sh",
        "start-foreground",
        "-Dsql-gateway.endpoint.type=rest",
        "-Dsql-gateway.endpoint.rest.address=$(POD_IP)",
        "-Dsql-gateway.endpoint.rest.bind-address=0.0.0.0",
        "-Dsql-gateway.endpoint.rest.port=8083",
        "-Dsql-gateway.endpoint.rest.bind-port=8083",
    ]


def test_with_ha_the_gateway_is_a_plain_rest_client_without_a_token() -> None:
    cluster = with_gateway(highAvailability=HA)
    gateway = container(cluster)
    assert gateway["args"][-1] == "-Dhigh-availability.type=NONE"
    pod = deployment(cluster)["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["serviceAccountName"] == "demo-flink"
    assert not any("CKV_K8S_38" in value for value in deployment(cluster)["metadata"]["annotations"].values())
    # the JobManagers keep theirs
    assert jobmanager_deployment(cluster, "cm")["spec"]["template"]["spec"]["automountServiceAccountToken"] is True


def test_no_argument_could_make_the_script_print_its_usage() -> None:
    """sql-gateway.sh prints its usage and exits if any argument contains `-h` (`[[ "$*" = *-h* ]]`)."""
    for cluster in (with_gateway(name="etl-hourly", namespace="team-h"), with_gateway(highAvailability=HA)):
        assert not [arg for arg in container(cluster)["args"] if "-h" in arg or "--help" in arg]


def test_environment_jvm_and_the_address_the_entrypoint_rewrites() -> None:
    cluster = with_gateway()
    env = container(cluster)["env"]
    assert env == [
        {"name": "JOB_MANAGER_RPC_ADDRESS", "value": "demo-jobmanager.demo.svc"},
        {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}},
        {
            "name": "JVM_ARGS",
            "value": "-Xmx469762048 -Xms469762048 -XX:MaxDirectMemorySize=134217728 -XX:MaxMetaspaceSize=268435456",
        },
    ]


def test_plugins_and_credentials_reach_the_gateway_as_every_flink_pod() -> None:
    storage = {"s3": {"endpoint": "https://minio.example.com", "accessKey": "a", "secretKey": "s"}}
    cluster = with_gateway(flinkVersion="1.20.4", checkpoints={"dir": "s3://bucket/cp"}, storage=storage)
    gateway, jm = container(cluster), jobmanager_deployment(cluster, "cm")["spec"]["template"]["spec"]["containers"][0]
    shared = [e for e in jm["env"] if e["name"] != "POD_IP"]
    assert all(item in gateway["env"] for item in shared)
    assert {e["name"] for e in gateway["env"]} >= {"ENABLE_BUILT_IN_PLUGINS", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
    assert gateway["volumeMounts"] == jm["volumeMounts"]


def test_the_pod_is_the_jobmanagers_where_it_should_be() -> None:
    cluster = with_gateway(storage={"sharedVolume": {"claimName": "flink-state"}})
    pod = deployment(cluster)["spec"]["template"]["spec"]
    jm = jobmanager_deployment(cluster, "demo-config-0123456789")["spec"]["template"]["spec"]
    for key in ("securityContext", "initContainers", "volumes", "enableServiceLinks", "serviceAccountName"):
        assert pod[key] == jm[key], key
    assert container(cluster)["securityContext"] == jm["containers"][0]["securityContext"]
    assert container(cluster)["volumeMounts"] == jm["containers"][0]["volumeMounts"]


def test_resources_probes_ports_and_rollout() -> None:
    cluster = with_gateway(sqlGateway={"cpu": "250m", "memory": "1Gi", "cpuLimit": "1", "scratchSize": "512Mi"})
    gateway = container(cluster)
    # conf 16Mi + log 128Mi + scratch 512Mi + the kubelet-kept stdout 256Mi
    assert gateway["resources"] == {
        "requests": {"cpu": "250m", "memory": "1Gi", "ephemeral-storage": "912Mi"},
        "limits": {"cpu": "1", "memory": "1Gi", "ephemeral-storage": "912Mi"},
    }
    assert gateway["ports"] == [{"name": "rest", "containerPort": 8083, "protocol": "TCP"}]
    info = {"path": "/v1/info", "port": "rest"}
    assert gateway["startupProbe"] == {"httpGet": info, "periodSeconds": 5, "failureThreshold": 60, "timeoutSeconds": 5}
    assert gateway["readinessProbe"] == {"httpGet": info, "periodSeconds": 10, "failureThreshold": 3, "timeoutSeconds": 5}
    assert gateway["livenessProbe"] == {"httpGet": info, "periodSeconds": 15, "failureThreshold": 4, "timeoutSeconds": 5}
    manifest = deployment(cluster)
    assert manifest["metadata"]["name"] == "demo-sql-gateway"
    assert manifest["spec"]["replicas"] == 1
    assert manifest["spec"]["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    selector = {
        "app.kubernetes.io/name": "flink",
        "app.kubernetes.io/instance": "demo",
        "app.kubernetes.io/component": "sql-gateway",
    }
    assert manifest["spec"]["selector"] == {"matchLabels": selector}
    assert selector.items() <= manifest["spec"]["template"]["metadata"]["labels"].items()


def test_adding_or_resizing_a_gateway_leaves_config_yaml_and_the_flink_pods_alone() -> None:
    without = resolve(minimal_cluster(highAvailability=HA))
    small = with_gateway(highAvailability=HA)
    large = with_gateway(highAvailability=HA, sqlGateway={"cpu": "1", "memory": "4Gi", "replicas": 2})
    assert render_config_files(without) == render_config_files(small) == render_config_files(large)
    for part in (Part.CONFIG, Part.JOBMANAGER, Part.TASKMANAGER):
        manifests = [{o.part: o.manifest for o in cluster_objects(c)}[part] for c in (without, small, large)]
        assert manifests[0] == manifests[1] == manifests[2], part


# --- Service, NetworkPolicies, disruption budget, object order ------------------------------


def test_the_service() -> None:
    service = sql_gateway_service(with_gateway())
    assert service is not None
    assert service["metadata"]["name"] == "demo-sql-gateway"
    assert service["metadata"]["annotations"]["pulumi.com/skipAwait"] == "true"
    assert service["spec"] == {
        "type": "ClusterIP",
        "selector": {
            "app.kubernetes.io/name": "flink",
            "app.kubernetes.io/instance": "demo",
            "app.kubernetes.io/component": "sql-gateway",
        },
        "ports": [{"name": "rest", "port": 8083, "targetPort": "rest", "protocol": "TCP"}],
        # a session lives in one gateway: a client inside the cluster keeps reaching the same one
        "sessionAffinity": "ClientIP",
    }


def _selects(policy: dict[str, Any], labels: dict[str, str]) -> bool:
    selector: dict[str, str] = policy["spec"]["podSelector"]["matchLabels"]
    return selector.items() <= labels.items()


def test_the_default_deny_covers_the_gateway_and_only_configured_peers_reach_it() -> None:
    cluster = with_gateway(network={"sqlGatewayAccess": [CLIENTS, {"cidr": "10.1.0.0/16"}]})
    pod_labels = deployment(cluster)["spec"]["template"]["metadata"]["labels"]
    assert _selects(default_deny(cluster), pod_labels)
    policy = sql_gateway_ingress(cluster)
    assert policy is not None
    assert policy["metadata"]["name"] == "demo-sql-gateway-ingress"
    assert _selects(policy, pod_labels) and not _selects(policy, {**pod_labels, "app.kubernetes.io/component": "jobmanager"})
    assert policy["spec"]["ingress"] == [
        {
            "from": [
                {
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "analytics"}},
                    "podSelector": {"matchLabels": {"app": "superset"}},
                },
                {"ipBlock": {"cidr": "10.1.0.0/16"}},
            ],
            "ports": [{"protocol": "TCP", "port": 8083}],
        }
    ]


def test_without_peers_nothing_reaches_the_gateway() -> None:
    policy = sql_gateway_ingress(with_gateway())
    assert policy is not None
    assert "ingress" not in policy["spec"] and policy["spec"]["policyTypes"] == ["Ingress"]


def test_the_gateway_reaches_the_jobmanagers_rest_api_and_nothing_else() -> None:
    cluster = with_gateway(network={"restAccess": [{"cidr": "10.2.0.0/16"}]})
    rules = jobmanager_ingress(cluster)["spec"]["ingress"]
    gateway_peer = {"podSelector": {"matchLabels": cluster.names.selector_labels("sql-gateway")}}
    rpc_and_blob, rest = rules
    assert [p["port"] for p in rpc_and_blob["ports"]] == [6123, 6124]
    # RPC and blob only from JobManagers and TaskManagers, no longer from every pod of the cluster
    assert rpc_and_blob["from"] == [
        {"podSelector": {"matchLabels": cluster.names.selector_labels("jobmanager")}},
        {"podSelector": {"matchLabels": cluster.names.selector_labels("taskmanager")}},
    ]
    assert rest == {"from": [{"ipBlock": {"cidr": "10.2.0.0/16"}}, gateway_peer], "ports": [{"protocol": "TCP", "port": 8081}]}
    # without a gateway the REST rule stays as it was
    plain = jobmanager_ingress(resolve(minimal_cluster()))["spec"]["ingress"]
    assert all(8081 not in [p["port"] for p in rule["ports"]] for rule in plain)


def test_a_disruption_budget_only_with_two_or_more_gateways() -> None:
    assert sql_gateway_disruption_budget(with_gateway()) is None
    budget = sql_gateway_disruption_budget(with_gateway(sqlGateway={**GATEWAY, "replicas": 2}))
    assert budget is not None
    assert budget["metadata"]["name"] == "demo-sql-gateway"
    assert budget["spec"] == {
        "maxUnavailable": 1,
        "selector": {
            "matchLabels": {
                "app.kubernetes.io/name": "flink",
                "app.kubernetes.io/instance": "demo",
                "app.kubernetes.io/component": "sql-gateway",
            }
        },
    }


def test_objects_their_order_and_what_the_gateway_waits_for() -> None:
    storage = {"s3": {"accessKey": "a", "secretKey": "s"}}
    cluster = with_gateway(sqlGateway={**GATEWAY, "replicas": 2}, highAvailability=HA, storage=storage)
    objects = {o.part: o for o in cluster_objects(cluster)}
    order = [o.part for o in cluster_objects(cluster)]
    assert order.index(Part.SQL_GATEWAY_SERVICE) == order.index(Part.REST_SERVICE) + 1
    assert order.index(Part.SQL_GATEWAY) == order.index(Part.TASKMANAGER) + 1
    assert order.index(Part.SQL_GATEWAY_POLICY) == order.index(Part.TASKMANAGER_POLICY) + 1
    assert order.index(Part.SQL_GATEWAY_BUDGET) == order.index(Part.JOBMANAGER_BUDGET) + 1
    gateway = objects[Part.SQL_GATEWAY]
    assert gateway.resource_name == "demo-sql-gateway"
    # what its pods mount or use, not the JobManagers: it reaches them only when a statement runs
    assert gateway.depends_on == (
        Part.NAMESPACE,
        Part.CONFIG,
        Part.SERVICE_ACCOUNT,
        Part.HA_ROLE,
        Part.HA_ROLE_BINDING,
        Part.STORAGE_SECRET,
    )
    assert objects[Part.SQL_GATEWAY_SERVICE].resource_name == "demo-sql-gateway-service"
    assert objects[Part.SQL_GATEWAY_BUDGET].resource_name == "demo-sql-gateway-pdb"


def test_the_summary_says_where_the_gateway_is() -> None:
    summary = cluster_summary(with_gateway(namespace="flink-dev"))
    assert summary["sqlGatewayEndpoint"] == "http://demo-sql-gateway.flink-dev.svc:8083"
    assert summary["sqlGatewayPortForward"] == "kubectl -n flink-dev port-forward svc/demo-sql-gateway 8083:8083"
    assert summary["sqlGatewayMemory"] == {
        "processMiB": 1024.0,
        "heapMiB": 448.0,
        "metaspaceMiB": 256.0,
        "directMiB": 128.0,
        "overheadMiB": 192.0,
        "jvmFlags": "-Xmx469762048 -Xms469762048 -XX:MaxDirectMemorySize=134217728 -XX:MaxMetaspaceSize=268435456",
    }
    plain = cluster_summary(resolve(minimal_cluster()))
    assert (plain["sqlGatewayEndpoint"], plain["sqlGatewayPortForward"], plain["sqlGatewayMemory"]) == (None, None, None)
