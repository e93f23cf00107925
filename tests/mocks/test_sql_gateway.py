"""The SQL Gateway under Pulumi mocks: registered under the component and reported as a stack output.

The real `__main__.py` with the staging stack (which has a gateway) and with a minimal
cluster (which has none), and the component built from `FlinkSessionClusterArgs` with
`SqlGatewayArgs`: the gateway's Deployment, Service, NetworkPolicy and budget are
children of the component, the Deployment mounts the cluster's content-named
ConfigMap, and `sqlGatewayEndpoint` is exported (None without a gateway).
"""

from __future__ import annotations

import re
from typing import Any

import pulumi

from components.input.schema import FlinkSessionClusterArgs, JobManagerArgs, SqlGatewayArgs, TaskManagerArgs
from components.model.naming import Part
from components.resources.cluster import COMPONENT_TYPE, FlinkSessionCluster
from tests.support.config import minimal_cluster, stack_config
from tools.mocks import Registered, program_mocks, run_program

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
GATEWAY_KINDS = {
    "analytics-sql-gateway": DEPLOYMENT,
    "analytics-sql-gateway-service": "kubernetes:core/v1:Service",
    "analytics-sql-gateway-ingress": "kubernetes:networking.k8s.io/v1:NetworkPolicy",
}


def test_staging_registers_the_gateway_under_the_component_and_exports_its_endpoint() -> None:
    registered, outputs = run_program(stack_config("staging"), "staging")
    children = {r.name: r for r in registered if r.name in GATEWAY_KINDS}
    assert {name: r.type for name, r in children.items()} == GATEWAY_KINDS
    for child in children.values():
        assert re.fullmatch(rf"urn:pulumi:[^:]+::[^:]+::{re.escape(COMPONENT_TYPE)}\$[^$]+::{child.name}", child.urn), child.urn
    deployment = children["analytics-sql-gateway"].inputs
    assert deployment["metadata"]["namespace"] == "flink-staging"
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["image"] == "flink:1.20.4-scala_2.12-java17"
    assert container["args"][-1] == "-Dhigh-availability.type=NONE"  # staging has HA
    # the same content-named ConfigMap as the JobManagers and TaskManagers
    (config_map,) = [r for r in registered if r.type == "kubernetes:core/v1:ConfigMap"]
    volume = next(v for v in deployment["spec"]["template"]["spec"]["volumes"] if v["name"] == "flink-config")
    assert volume["configMap"]["name"] == config_map.inputs["metadata"]["name"]
    assert outputs["sqlGatewayEndpoint"] == "http://analytics-sql-gateway.flink-staging.svc:8083"
    summary = outputs["clusters"]["analytics"]
    assert summary["sqlGatewayEndpoint"] == outputs["sqlGatewayEndpoint"]
    assert summary["sqlGatewayPortForward"] == "kubectl -n flink-staging port-forward svc/analytics-sql-gateway 8083:8083"
    assert summary["sqlGatewayMemory"]["heapMiB"] == 960


def test_without_a_gateway_nothing_is_registered_and_the_endpoint_is_none() -> None:
    registered, outputs = run_program({"cluster": minimal_cluster()})
    assert not [r for r in registered if "sql-gateway" in r.name]
    assert outputs["sqlGatewayEndpoint"] is None
    assert outputs["clusters"]["demo"]["sqlGatewayEndpoint"] is None


def test_the_component_from_args_has_the_gateway_children() -> None:
    registered: list[Registered] = []
    pulumi.runtime.set_mocks(program_mocks(registered), project="flink-session", stack="test", preview=False)
    args = FlinkSessionClusterArgs(
        flink_version="2.2.1",
        parallelism=4,
        task_manager=TaskManagerArgs(slots=2, cpu="1", memory="1728Mi"),
        job_manager=JobManagerArgs(cpu="500m", memory="1024Mi"),
        sql_gateway=SqlGatewayArgs(cpu="250m", memory="1Gi", replicas=2),
    )

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def check() -> pulumi.Output[Any]:
        cluster = FlinkSessionCluster("demo", args)
        parts = {Part.SQL_GATEWAY, Part.SQL_GATEWAY_SERVICE, Part.SQL_GATEWAY_POLICY, Part.SQL_GATEWAY_BUDGET}
        assert parts <= set(cluster.children)

        def endpoint(summary: dict[str, Any]) -> None:
            assert summary["sqlGatewayEndpoint"] == "http://demo-sql-gateway.demo.svc:8083"

        return cluster.summary.apply(endpoint)

    check()
    names = {r.name: r.type for r in registered}
    assert names["demo-sql-gateway"] == DEPLOYMENT
    assert names["demo-sql-gateway-pdb"] == "kubernetes:policy/v1:PodDisruptionBudget"
