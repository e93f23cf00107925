"""FlinkSessionCluster as another program uses it: typed args in, key children and typed outputs out.

Under mocks: the component built from `FlinkSessionClusterArgs` registers exactly the
objects the pure list holds, exposes the Namespace, ConfigMap, Services and
Deployments as attributes (the same resources as `children`), resolves its outputs,
logs its warnings on itself, and refuses invalid args with the stack's own messages
before registering anything. The examples/two-clusters program runs under the same
harness and registers both clusters, the second waiting for the first's namespace.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components.input.schema import FlinkSessionClusterArgs, JobManagerArgs, TaskManagerArgs
from components.manifests.objects import cluster_objects
from components.model.naming import Part
from components.resolution import resolve_args
from components.resources.cluster import COMPONENT_TYPE, FlinkSessionCluster
from components.resources.kubernetes_object import KubernetesObject
from tests.support.config import ROOT
from tools.mocks import Registered, program_mocks, run_program

EXAMPLE = ROOT / "examples" / "two-clusters"
ARGS = FlinkSessionClusterArgs(
    flink_version="2.2.1",
    parallelism=4,
    task_manager=TaskManagerArgs(slots=2, cpu="1", memory="1728Mi"),
    job_manager=JobManagerArgs(cpu="500m", memory="1024Mi"),
)


def _mocks(sink: list[Registered]) -> None:
    pulumi.runtime.set_mocks(program_mocks(sink), project="flink-session", stack="test", preview=False)


def test_children_are_attributes_and_outputs_resolve() -> None:
    registered: list[Registered] = []
    _mocks(registered)
    expected = {item.part: item for item in cluster_objects(resolve_args("demo", ARGS).cluster)}

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def check() -> pulumi.Output[Any]:
        cluster = FlinkSessionCluster("demo", ARGS)
        assert cluster.namespace is cluster.children[Part.NAMESPACE]
        assert cluster.config_map is cluster.children[Part.CONFIG]
        assert cluster.jobmanager_service is cluster.children[Part.JOBMANAGER_SERVICE]
        assert cluster.rest_service is cluster.children[Part.REST_SERVICE]
        assert cluster.jobmanager_deployment is cluster.children[Part.JOBMANAGER]
        assert cluster.taskmanager_deployment is cluster.children[Part.TASKMANAGER]
        assert set(cluster.children) == set(expected)
        assert all(isinstance(child, KubernetesObject) for child in cluster.children.values())

        def outputs(values: list[Any]) -> None:
            metadata, config_map_name, namespace, rest, slots, managers, address = values
            assert metadata["name"] == config_map_name == expected[Part.CONFIG].manifest["metadata"]["name"]
            assert namespace == "demo"
            assert rest == "http://demo-rest.demo.svc:8081"
            assert (slots, managers) == (4, 2)
            assert address == "demo-jobmanager.demo.svc:6123"

        return pulumi.Output.all(
            cluster.config_map.metadata,
            cluster.config_map_name,
            cluster.namespace_name,
            cluster.rest_endpoint,
            cluster.total_slots,
            cluster.task_managers,
            cluster.jobmanager_address,
        ).apply(outputs)

    check()
    kinds = [r.type for r in registered]
    assert kinds.count(COMPONENT_TYPE) == 1
    objects = [r.name for r in registered if r.type.startswith("kubernetes:")]
    assert sorted(objects) == sorted(o.resource_name for o in expected.values())
    assert [r.name for r in registered if r.type == "pulumi-python:dynamic:Resource"] == ["demo-taskmanager-scaling"]


def test_warnings_are_logged_on_the_component(monkeypatch: pytest.MonkeyPatch) -> None:
    _mocks([])
    logged: list[tuple[str, Any]] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda message, resource=None, **_: logged.append((message, resource)))

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def build() -> pulumi.Output[str]:
        cluster = FlinkSessionCluster("demo", ARGS)  # production without HA: a warning
        assert [resource for _, resource in logged] == [cluster]
        return cluster.namespace_name

    build()
    assert [message for message, _ in logged] == list(resolve_args("demo", ARGS).warnings)
    assert logged[0][0].startswith("cluster.highAvailability is off in a production environment")


def test_invalid_args_stop_the_program_with_the_stacks_messages_and_register_nothing() -> None:
    registered: list[Registered] = []
    _mocks(registered)
    bad = FlinkSessionClusterArgs(
        flink_version="2.2.1",
        parallelism=4,
        task_manager=TaskManagerArgs(slots=2, cpu="1", memory="900Mi"),
        job_manager=JobManagerArgs(cpu="500m", memory="1024Mi"),
    )

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def build() -> None:
        FlinkSessionCluster("demo", bad)

    with pytest.raises(pulumi.RunError, match=r"FlinkSessionCluster 'demo': invalid flink-session configuration") as caught:
        build()
    assert "cluster.taskManager.memory = '900Mi': is too small" in str(caught.value)
    assert registered == []


def test_a_resolved_cluster_must_be_given_its_own_name() -> None:
    cluster = resolve_args("demo", ARGS).cluster
    with pytest.raises(ValueError, match="was given the resolved cluster 'demo'"):
        FlinkSessionCluster("other", cluster)


def test_the_example_builds_two_clusters_in_code() -> None:
    registered, outputs = run_program({}, stack="dev", program=EXAMPLE)
    components = [r for r in registered if r.type == COMPONENT_TYPE]
    assert sorted(c.name for c in components) == ["ingest", "reports"]
    namespaces = [r for r in registered if r.type == "kubernetes:core/v1:Namespace"]
    assert [n.inputs["metadata"]["name"] for n in namespaces] == ["flink-examples"]  # reports shares ingest's
    children = [r for r in registered if r.type != COMPONENT_TYPE]
    assert all(f"::{COMPONENT_TYPE}$" in child.urn for child in children)
    assert outputs["ingestRestEndpoint"] == "http://ingest-rest.flink-examples.svc:8081"
    assert outputs["reportsTotalSlots"] == 4
    assert outputs["reportsConfigMap"].startswith("reports-config-")
    (reports_role,) = [r for r in registered if r.type == "kubernetes:rbac.authorization.k8s.io/v1:Role"]
    assert reports_role.name == "reports-ha-role"
