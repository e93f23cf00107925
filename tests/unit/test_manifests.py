"""Pure tests of the rendered Flink config and Kubernetes manifests (no Pulumi, no mocks).

Covers: config.yaml content and its agreement with container limits, selectors and
ports, the entrypoint-proof conf layout, the content-named ConfigMap (a config change,
and only a config change, renames it and so changes both pod templates), and what
each object waits for.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest
import yaml

from components.flink.config_files import CONFIG_FILE, render_config_files
from components.kubernetes.quantities import parse_flink_memory_size, parse_memory
from components.manifests.config_map import config_map
from components.manifests.deployments import jobmanager_deployment, taskmanager_deployment
from components.manifests.namespace import namespace
from components.manifests.objects import cluster_objects
from components.manifests.services import jobmanager_service, rest_service
from components.model.cluster import Cluster
from components.model.naming import Part
from tests.support.config import STACKS, minimal_cluster, resolve, stack_cluster


def settings_of(stack: str) -> Cluster:
    return stack_cluster(stack)


def flink_options(settings: Cluster) -> dict[str, Any]:
    return dict(yaml.safe_load(render_config_files(settings)[CONFIG_FILE]))


def main_container(deployment: dict[str, Any]) -> dict[str, Any]:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return dict(container)


@pytest.mark.parametrize("stack", STACKS)
def test_config_yaml_has_slots_parallelism_and_process_sizes_equal_to_limits(stack: str) -> None:
    settings = settings_of(stack)
    options = flink_options(settings)
    assert options["taskmanager.numberOfTaskSlots"] == settings.task_manager.slots
    assert options["parallelism.default"] == settings.parallelism
    tm_limit = main_container(taskmanager_deployment(settings, "cm"))["resources"]["limits"]["memory"]
    jm_limit = main_container(jobmanager_deployment(settings, "cm"))["resources"]["limits"]["memory"]
    assert parse_flink_memory_size(options["taskmanager.memory.process.size"]) == parse_memory(tm_limit)
    assert parse_flink_memory_size(options["jobmanager.memory.process.size"]) == parse_memory(jm_limit)


@pytest.mark.parametrize("stack", STACKS)
def test_deployment_selectors_match_their_pod_labels(stack: str) -> None:
    settings = settings_of(stack)
    for deployment in (jobmanager_deployment(settings, "cm"), taskmanager_deployment(settings, "cm")):
        selector = deployment["spec"]["selector"]["matchLabels"]
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= pod_labels.items()


def test_services_select_only_the_jobmanager_pods() -> None:
    settings = settings_of("dev")
    jm_labels = jobmanager_deployment(settings, "cm")["spec"]["template"]["metadata"]["labels"]
    tm_labels = taskmanager_deployment(settings, "cm")["spec"]["template"]["metadata"]["labels"]
    for service in (jobmanager_service(settings), rest_service(settings)):
        selector = service["spec"]["selector"]
        assert selector.items() <= jm_labels.items()
        assert not selector.items() <= tm_labels.items()
        assert service["spec"]["type"] == "ClusterIP"
    assert [(p["name"], p["port"]) for p in jobmanager_service(settings)["spec"]["ports"]] == [("rpc", 6123), ("blob", 6124)]
    assert [(p["name"], p["port"]) for p in rest_service(settings)["spec"]["ports"]] == [("rest", 8081)]


def test_services_skip_the_providers_endpoint_await_and_keep_user_annotations() -> None:
    """The JobManager Deployment's await already proves the pods behind both Services are Ready."""
    settings = resolve(minimal_cluster(annotations={"team": "data"}))
    for service in (jobmanager_service(settings), rest_service(settings)):
        assert service["metadata"]["annotations"] == {
            "team": "data",
            "pulumi.com/patchForce": "true",
            "pulumi.com/skipAwait": "true",
        }
    deployment = jobmanager_deployment(settings, "conf")
    assert "pulumi.com/skipAwait" not in deployment["metadata"].get("annotations", {})


def test_service_target_ports_exist_on_the_jobmanager_container() -> None:
    settings = settings_of("dev")
    container_ports = {p["name"] for p in main_container(jobmanager_deployment(settings, "cm"))["ports"]}
    for service in (jobmanager_service(settings), rest_service(settings)):
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= container_ports


def test_replicas_and_images() -> None:
    settings = settings_of("prod")
    assert taskmanager_deployment(settings, "cm")["spec"]["replicas"] == 10
    # prod runs HA with a standby JobManager
    assert jobmanager_deployment(settings, "cm")["spec"]["replicas"] == 2
    assert main_container(taskmanager_deployment(settings, "cm"))["image"] == "flink:1.20.4-scala_2.12-java17"


def test_conf_dir_is_a_writable_copy_and_rpc_address_is_explicit() -> None:
    """The image's entrypoint rewrites conf/config.yaml: it must be writable and agree with the env."""
    settings = settings_of("dev")
    options = flink_options(settings)
    for deployment in (jobmanager_deployment(settings, "the-cm"), taskmanager_deployment(settings, "the-cm")):
        pod = deployment["spec"]["template"]["spec"]
        volumes = {v["name"]: v for v in pod["volumes"]}
        assert "emptyDir" in volumes["conf"]
        assert volumes["flink-config"]["configMap"]["name"] == "the-cm"
        (init,) = pod["initContainers"]
        assert {"name": "flink-config", "mountPath": "/flink-config", "readOnly": True} in init["volumeMounts"]
        assert "config.yaml" in init["command"][-1]
        container = pod["containers"][0]
        assert {"name": "conf", "mountPath": "/opt/flink/conf"} in container["volumeMounts"]
        assert all(m["name"] != "flink-config" for m in container["volumeMounts"])
        env = {e["name"]: e["value"] for e in container["env"]}
        assert env["JOB_MANAGER_RPC_ADDRESS"] == options["jobmanager.rpc.address"] == "analytics-jobmanager.flink-dev.svc"


def _config_map_volume(deployment: dict[str, Any]) -> str:
    (volume,) = [v for v in deployment["spec"]["template"]["spec"]["volumes"] if v["name"] == "flink-config"]
    name: str = volume["configMap"]["name"]
    return name


def test_a_config_change_changes_both_pod_templates_and_nothing_else_does_not() -> None:
    """The ConfigMap is named by its content (kustomize's generator): the name is what rolls the pods."""
    base = settings_of("dev")
    same = settings_of("dev")
    changed = replace(base, parallelism=base.parallelism + 1)
    assert cluster_objects(base) == cluster_objects(same)
    before, after = ({o.part: o.manifest for o in cluster_objects(c)} for c in (base, changed))
    assert config_map(base)["data"] != config_map(changed)["data"]
    assert before[Part.CONFIG]["metadata"]["name"] != after[Part.CONFIG]["metadata"]["name"]
    for part in (Part.JOBMANAGER, Part.TASKMANAGER):
        assert _config_map_volume(before[part]) == before[Part.CONFIG]["metadata"]["name"]
        assert _config_map_volume(after[part]) == after[Part.CONFIG]["metadata"]["name"]
        assert before[part] != after[part]
    # no checksum annotation is needed any more (nor an empty annotations map the API server would drop)
    assert "annotations" not in after[Part.TASKMANAGER]["spec"]["template"]["metadata"]


def test_the_config_map_name_is_the_cluster_name_and_a_hash_of_its_data() -> None:
    conf = config_map(settings_of("dev"))
    assert re.fullmatch(r"analytics-config-[0-9a-f]{10}", conf["metadata"]["name"])
    assert conf["metadata"]["name"] == config_map(settings_of("dev"))["metadata"]["name"]


@pytest.mark.parametrize("stack", STACKS)
def test_deployments_wait_for_what_their_pods_mount_and_everything_for_the_namespace(stack: str) -> None:
    objects = cluster_objects(stack_cluster(stack))
    present = {o.part for o in objects}
    for item in objects:
        assert (Part.NAMESPACE in item.depends_on) is (item.part is not Part.NAMESPACE), item.part
        if item.part in (Part.JOBMANAGER, Part.TASKMANAGER, Part.SQL_GATEWAY):
            expected = {Part.CONFIG, Part.SERVICE_ACCOUNT, Part.HA_ROLE, Part.HA_ROLE_BINDING, Part.STORAGE_SECRET} & present
            assert set(item.depends_on) - {Part.NAMESPACE} == expected
        else:
            assert item.depends_on in ((), (Part.NAMESPACE,)), item.part
        assert item.resource_name == f"analytics-{item.part}"
    order = [o.part for o in objects]
    assert all(order.index(dependency) < order.index(o.part) for o in objects for dependency in o.depends_on)


def test_user_flink_options_pass_through() -> None:
    settings = resolve(minimal_cluster(flinkConfiguration={"state.backend.rocksdb.thread.num": 4, "x.list": [1, 2]}))
    options = flink_options(settings)
    assert options["state.backend.rocksdb.thread.num"] == 4
    assert options["x.list"] == [1, 2]


def test_user_labels_and_annotations_reach_every_object() -> None:
    settings = resolve(minimal_cluster(labels={"team": "data"}, annotations={"owner": "data@example.com"}))
    objects = [
        namespace(settings),
        config_map(settings),
        jobmanager_service(settings),
        rest_service(settings),
        jobmanager_deployment(settings, "cm"),
        taskmanager_deployment(settings, "cm"),
    ]
    for obj in objects:
        assert obj["metadata"]["labels"]["team"] == "data", obj["kind"]
        assert obj["metadata"]["annotations"]["owner"] == "data@example.com", obj["kind"]
    for deployment in objects[-2:]:
        assert deployment["spec"]["template"]["metadata"]["labels"]["team"] == "data"


def test_rendering_is_deterministic() -> None:
    assert render_config_files(settings_of("prod")) == render_config_files(settings_of("prod"))


@pytest.mark.parametrize("stack", STACKS)
def test_every_object_takes_back_out_of_band_edits_of_its_own_fields(stack: str) -> None:
    """`pulumi up` after a `kubectl scale` must not fail on a server-side apply conflict."""
    for item in cluster_objects(stack_cluster(stack)):
        assert item.manifest["metadata"]["annotations"]["pulumi.com/patchForce"] == "true", item.resource_name


@pytest.mark.parametrize(("stack", "environment"), [("dev", "development"), ("staging", "production"), ("prod", "production")])
def test_every_object_carries_the_clusters_environment(stack: str, environment: str) -> None:
    """The policy pack's ha-in-production reads this label, not the stack's name."""
    for item in cluster_objects(stack_cluster(stack)):
        assert item.manifest["metadata"]["labels"]["flink-session.dev/environment"] == environment, item.part


def test_the_environment_label_is_the_programs_own() -> None:
    from components.errors import ConfigError  # noqa: PLC0415

    with pytest.raises(ConfigError, match="used in selectors"):
        resolve(minimal_cluster(labels={"flink-session.dev/environment": "development"}))
