"""The History Server beside a session cluster: its settings, its archive, and every object it adds.

Resolution (defaults, the archive dir on the shared volume, every refusal with its key
path), the JobManagers' archive option in config.yaml, the Deployment (command,
FLINK_PROPERTIES, JVM flags, security, volumes, probes, no token), the Service, the
NetworkPolicy (only `network.historyServerAccess` reaches it), that a History Server
change rolls only its own pod, its option names in every supported line's catalogue,
and the summary.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.errors import ConfigError
from components.flink.catalogue import known_keys
from components.flink.config_files import CONFIG_FILE, render_config_files
from components.flink.history_server_options import HISTORY_SERVER_OPTIONS, JOBMANAGER_ARCHIVE_DIR
from components.manifests.history_server import history_server_deployment
from components.manifests.network_policy import default_deny, history_server_ingress
from components.manifests.objects import cluster_objects
from components.manifests.services import history_server_service
from components.model.cluster import Cluster
from components.model.naming import Part
from components.model.versions import SUPPORTED_LINES
from components.resolution import parse_stack_config
from components.resources.outputs import cluster_summary
from tests.support.config import minimal_cluster, resolve

SHARED = {"sharedVolume": {"claimName": "flink-state"}}
S3_ARCHIVE = "s3://bucket/flink/completed-jobs"
READERS = {"namespaceLabels": {"kubernetes.io/metadata.name": "support"}}


def with_history(history: dict[str, Any] | None = None, **overrides: Any) -> Cluster:
    return resolve(minimal_cluster(**{"historyServer": history or {}, "storage": SHARED, **overrides}))


def refused(**overrides: Any) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_stack_config({"cluster": minimal_cluster(**overrides)})
    return caught.value


def line(error: ConfigError, path: str) -> str:
    assert path in error.paths, str(error)
    return next(text.strip() for text in str(error).splitlines() if text.strip().startswith((f"- {path} ", f"- {path}:")))


def container(cluster: Cluster) -> dict[str, Any]:
    deployment = history_server_deployment(cluster, "config")
    assert deployment is not None
    spec: dict[str, Any] = deployment["spec"]["template"]["spec"]["containers"][0]
    return spec


def properties(cluster: Cluster) -> dict[str, str]:
    env = {e["name"]: e.get("value") for e in container(cluster)["env"]}
    return dict(entry.split(": ", 1) for entry in env["FLINK_PROPERTIES"].splitlines())


def test_defaults_archive_on_the_shared_volume_and_size_the_jvm_from_the_container() -> None:
    cluster = with_history()
    history = cluster.history_server
    assert history is not None
    assert history.archive_dir == "file:///flink-state/completed-jobs"
    assert (history.cpu_millis, history.memory_bytes, history.retained_jobs, history.refresh_interval) == (250, 2**30, 500, "10s")
    layout = history.layout
    assert layout.heap + layout.metaspace + layout.direct + layout.overhead == history.memory_bytes
    env = {e["name"]: e.get("value") for e in container(cluster)["env"]}
    assert env["JVM_ARGS"] == layout.jvm_flags()
    assert properties(cluster) == {
        "historyserver.archive.fs.dir": "file:///flink-state/completed-jobs",
        "historyserver.archive.fs.refresh-interval": "10s",
        "historyserver.archive.retained-jobs": "500",
        "historyserver.web.address": "0.0.0.0",
        "historyserver.web.port": "8082",
        "historyserver.web.tmpdir": "/tmp/history-server",
    }
    # The JobManagers write where the History Server reads.
    assert f"{JOBMANAGER_ARCHIVE_DIR}: file:///flink-state/completed-jobs" in render_config_files(cluster)[CONFIG_FILE]


def test_without_a_history_server_nothing_is_archived_and_nothing_is_added() -> None:
    cluster = resolve(minimal_cluster())
    assert cluster.history_server is None
    assert JOBMANAGER_ARCHIVE_DIR not in render_config_files(cluster)[CONFIG_FILE]
    parts = {item.part for item in cluster_objects(cluster)}
    assert not parts & {Part.HISTORY_SERVER, Part.HISTORY_SERVER_SERVICE, Part.HISTORY_SERVER_POLICY}
    assert cluster_summary(cluster)["historyServerPortForward"] is None


def test_its_pod_is_a_restricted_flink_pod_that_reads_storage_and_holds_no_token() -> None:
    cluster = with_history({"archiveDir": S3_ARCHIVE}, checkpoints={"dir": "s3://bucket/cp"}, storage={})
    deployment = history_server_deployment(cluster, "config")
    assert deployment is not None
    pod = deployment["spec"]["template"]["spec"]
    spec = pod["containers"][0]
    assert spec["args"] == ["history-server"]
    assert pod["automountServiceAccountToken"] is False
    assert spec["securityContext"]["readOnlyRootFilesystem"] is True and spec["securityContext"]["runAsNonRoot"] is True
    assert spec["resources"]["limits"]["memory"] == spec["resources"]["requests"]["memory"] == "1Gi"
    assert spec["startupProbe"]["httpGet"] == {"path": "/config", "port": "http"}
    assert spec["ports"] == [{"name": "http", "containerPort": 8082, "protocol": "TCP"}]
    # The archive's scheme needs the same filesystem plugin as the state paths.
    env = {e["name"]: e.get("value") for e in spec["env"]}
    assert env["ENABLE_BUILT_IN_PLUGINS"] == "flink-s3-fs-presto-2.2.1.jar"
    assert deployment["spec"]["strategy"] == {"type": "Recreate"} and deployment["spec"]["replicas"] == 1


def test_the_shared_volume_is_mounted_where_the_archive_is() -> None:
    spec = container(with_history())
    assert {"name": "shared-state", "mountPath": "/flink-state"} in spec["volumeMounts"]


def test_its_service_and_network_policy() -> None:
    cluster = with_history(network={"historyServerAccess": [READERS]})
    service = history_server_service(cluster)
    assert service is not None
    assert service["metadata"]["name"] == "demo-history" and service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["selector"]["app.kubernetes.io/component"] == "history-server"
    policy = history_server_ingress(cluster)
    assert policy is not None
    assert policy["spec"]["ingress"] == [
        {
            "from": [{"namespaceSelector": {"matchLabels": READERS["namespaceLabels"]}}],
            "ports": [{"protocol": "TCP", "port": 8082}],
        }
    ]
    # Covered by the default deny (every pod of the cluster); with no peers nothing reaches it.
    assert default_deny(cluster)["spec"]["podSelector"]["matchLabels"].items() <= service["spec"]["selector"].items()
    closed = history_server_ingress(with_history())
    assert closed is not None and "ingress" not in closed["spec"]


def test_a_history_server_change_rolls_only_its_own_pod() -> None:
    before = {item.part: item.manifest for item in cluster_objects(with_history())}
    after = {item.part: item.manifest for item in cluster_objects(with_history({"retainedJobs": 20, "memory": "2Gi"}))}
    changed = {part for part in before if before[part] != after[part]}
    assert changed == {Part.HISTORY_SERVER}


@pytest.mark.parametrize("line_version", SUPPORTED_LINES, ids=lambda v: f"{v[0]}.{v[1]}")
def test_its_option_names_are_flink_options_of_every_supported_line(line_version: tuple[int, int]) -> None:
    keys = known_keys(line_version)
    missing = [option.key for option in HISTORY_SERVER_OPTIONS if option.key not in keys]
    assert not missing


def test_the_summary_says_how_to_reach_it() -> None:
    summary = cluster_summary(with_history())
    assert summary["historyServerPortForward"] == "kubectl -n demo port-forward svc/demo-history 8082:8082"
    assert summary["historyServerArchiveDir"] == "file:///flink-state/completed-jobs"
    assert summary["historyServerMemory"]["jvmFlags"].startswith("-Xmx")


def test_without_shared_storage_the_archive_dir_is_required() -> None:
    error = refused(historyServer={})
    assert "is required without storage.sharedVolume" in line(error, "cluster.historyServer.archiveDir")


@pytest.mark.parametrize("environment", ["production", "development"])
def test_a_pod_local_archive_is_refused_in_every_environment(environment: str) -> None:
    error = refused(historyServer={"archiveDir": "file:///tmp/archive"}, environment=environment)
    assert "only that pod sees" in line(error, "cluster.historyServer.archiveDir")
    error = refused(historyServer={"archiveDir": "file:///elsewhere/archive"}, storage=SHARED, environment=environment)
    assert "under /flink-state" in line(error, "cluster.historyServer.archiveDir")


@pytest.mark.parametrize(
    ("archive", "expected"),
    [
        ("s3://bucket/with space", "may not contain whitespace"),
        ("s3://bucket/$HOME", "'$'"),
        ("ftp://host/archive", "must be a URI on durable storage"),
        ("s3:///no-bucket", "names no bucket"),
    ],
)
def test_an_archive_dir_flink_cannot_use_is_refused(archive: str, expected: str) -> None:
    error = refused(historyServer={"archiveDir": archive})
    assert expected in line(error, "cluster.historyServer.archiveDir")


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("retainedJobs", 0, "greater than or equal to 1"),
        ("retainedJobs", -1, "greater than or equal to 1"),
        ("retainedJobs", "10", "integer"),
        ("refreshInterval", "soon", "duration"),
        ("memory", "512Mi", "use at least 832Mi"),
        ("cpu", "-1", "is not a Kubernetes quantity"),
        ("cpuLimit", "100m", "below the pod's CPU request"),
        ("replicas", 2, "is not a known key"),
    ],
)
def test_bad_history_server_settings_are_refused_at_their_key(field: str, value: object, expected: str) -> None:
    error = refused(historyServer={"archiveDir": S3_ARCHIVE, field: value})
    assert expected in line(error, f"cluster.historyServer.{field}")


def test_access_without_a_history_server_is_refused() -> None:
    error = refused(network={"historyServerAccess": [READERS]})
    assert "cluster.historyServer is not set" in line(error, "cluster.network.historyServerAccess")


@pytest.mark.parametrize("key", [option.key for option in HISTORY_SERVER_OPTIONS])
def test_its_options_are_refused_in_flink_configuration(key: str) -> None:
    error = refused(flinkConfiguration={key: "x"})
    assert "historyServer" in line(error, f'cluster.flinkConfiguration["{key}"]') or "History Server" in str(error)
