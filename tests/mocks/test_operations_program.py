"""The program under mocks with production operations: secrets, RBAC, PodMonitor, several clusters.

Asserts that credentials leave the program only as Pulumi secrets (inside the
Secret) and never in a ConfigMap or a stack output; that `flink-session:clusters`
(list or map) registers one component per cluster with outputs grouped per cluster;
and that collisions between clusters stop the program before anything is registered.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from tests.support.config import minimal_cluster, stack_config
from tools.mocks import Registered, run_program

COMPONENT = "flink-session:index:FlinkSessionCluster"


ProdRun = tuple[list[Registered], dict[str, Any], dict[str, Any]]


@pytest.fixture(scope="module")
def prod_run() -> ProdRun:
    config = stack_config("prod")
    registered, outputs = run_program(config, "prod")
    return registered, outputs, config


def test_credentials_are_pulumi_secrets_and_nowhere_else(prod_run: ProdRun) -> None:
    registered, outputs, config = prod_run
    s3 = config["cluster"]["storage"]["s3"]
    plaintexts = (s3["accessKey"], s3["secretKey"])
    (secret,) = [r for r in registered if r.type == "kubernetes:core/v1:Secret"]
    assert any(path.startswith("stringData") for path in secret.secret_paths), secret.secret_paths
    assert set(secret.inputs["stringData"].values()) == set(plaintexts)
    for item in registered:
        if item is secret:
            continue
        text = json.dumps(item.inputs)
        assert not any(p in text for p in plaintexts), f"{item.type} {item.name} holds a credential"
    exported = json.dumps(outputs)
    assert not any(p in exported for p in plaintexts)


def test_ha_rbac_and_pod_monitor_are_registered_under_the_component(
    prod_run: ProdRun,
) -> None:
    registered, _, _ = prod_run
    (role,) = [r for r in registered if r.type == "kubernetes:rbac.authorization.k8s.io/v1:Role"]
    assert role.inputs["rules"] == [
        {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"]}
    ]
    assert not [r for r in registered if "ClusterRole" in r.type]
    (monitor,) = [r for r in registered if r.type == "kubernetes:monitoring.coreos.com/v1:PodMonitor"]
    assert monitor.inputs["spec"]["podMetricsEndpoints"][0]["port"] == "metrics"
    for item in (role, monitor):
        assert f"::{COMPONENT}$" in item.urn


def test_prod_outputs_describe_operations(prod_run: ProdRun) -> None:
    _, outputs, _ = prod_run
    summary = outputs["clusters"]["analytics"]
    assert summary["highAvailability"] is True and summary["jobManagers"] == 2
    assert summary["filesystemPlugins"] == ["flink-s3-fs-presto-1.20.4.jar"]
    assert summary["metricsPort"] == 9249
    assert outputs["cluster"] == summary


TEAMS = [
    minimal_cluster(name="team-a"),
    minimal_cluster(name="team-b", namespace="shared", parallelism=2),
    minimal_cluster(name="team-c", namespace="shared", createNamespace=False, parallelism=2),
]


@pytest.mark.parametrize("form", ["list", "map"])
def test_several_clusters_register_one_component_each_with_grouped_outputs(form: str) -> None:
    clusters: Any = TEAMS if form == "list" else {c["name"]: {k: v for k, v in c.items() if k != "name"} for c in TEAMS}
    registered, outputs = run_program({"clusters": clusters})
    components = sorted(r.name for r in registered if r.type == COMPONENT)
    assert components == ["team-a", "team-b", "team-c"]
    assert sorted(outputs["clusters"]) == ["team-a", "team-b", "team-c"]
    assert outputs["clusters"]["team-c"]["namespace"] == "shared"
    assert "restEndpoint" not in outputs  # flat outputs only for the single-cluster form
    namespaces = [r for r in registered if r.type == "kubernetes:core/v1:Namespace"]
    assert sorted(n.inputs["metadata"]["name"] for n in namespaces) == ["shared", "team-a"]


@pytest.mark.parametrize(
    ("config", "path"),
    [
        ({"clusters": [minimal_cluster(), minimal_cluster(namespace="other")]}, r"clusters\[1\]\.name"),
        ({"clusters": [minimal_cluster(name="a", namespace="x"), minimal_cluster(name="b", namespace="x")]}, "createNamespace"),
        ({"cluster": minimal_cluster(), "clusters": [minimal_cluster()]}, "clusters: cannot be set together"),
        ({"clusters": {"a": minimal_cluster(name="b")}}, r'clusters\["a"\]\.name|clusters\.a\.name'),
        ({"clusters": []}, "clusters"),
        ({"clusters": [minimal_cluster(name="a"), minimal_cluster(name="b", parallelism=0)]}, r"clusters\[1\]\.parallelism"),
    ],
)
def test_cluster_collisions_and_bad_entries_register_nothing(config: dict[str, Any], path: str) -> None:
    registered: list[Registered] = []
    with pytest.raises(pulumi.RunError, match=path):
        run_program(config, sink=registered)
    assert registered == []
