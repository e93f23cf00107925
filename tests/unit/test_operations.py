"""Production operations, pure tier: HA, state storage, the shared volume, credentials, metrics, exposure.

Covers the rendered Flink options per version, the exact RBAC that Kubernetes HA
gets, that credentials never reach the ConfigMap or an error message, what the
`environment` key allows (file:// state, the HA warning), and every combination that
is refused (with its key path).
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from components.errors import ConfigError
from components.flink.config_files import CONFIG_FILE, render_config_files, render_flink_options
from components.manifests.config_map import config_map
from components.manifests.deployments import jobmanager_deployment, taskmanager_deployment
from components.manifests.disruption import jobmanager_disruption_budget
from components.manifests.ingress import ingress
from components.manifests.monitoring import pod_monitor
from components.manifests.network_policy import network_policies
from components.manifests.rbac import ha_role, ha_role_binding, service_account
from components.manifests.secret import storage_credentials_secret
from components.manifests.services import rest_service
from components.model.cluster import Cluster, Sensitive
from components.resolution import Resolution, parse_stack_config
from tests.support.config import minimal_cluster, stack_cluster, stack_config

S3_HA = {"enabled": True, "storageDir": "s3://bucket/ha"}
KEYS = {"accessKey": "AKIA-TEST-ACCESS", "secretKey": "very-secret-key-material"}


def resolution_for(**overrides: Any) -> Resolution:
    (resolution,) = parse_stack_config({"cluster": minimal_cluster(**overrides)})
    return resolution


def settings_for(**overrides: Any) -> Cluster:
    return resolution_for(**overrides).cluster


def problems_of(**overrides: Any) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_stack_config({"cluster": minimal_cluster(**overrides)})
    return caught.value


def jm_container(settings: Cluster) -> dict[str, Any]:
    container: dict[str, Any] = jobmanager_deployment(settings, "cm")["spec"]["template"]["spec"]["containers"][0]
    return container


# --- high availability ---------------------------------------------------------------

BIND_TO_POD_IP = ["-D", "jobmanager.bind-host=$(POD_IP)"]


@pytest.mark.parametrize(
    ("version", "args"),
    [
        ("1.20.4", ["jobmanager", "$(POD_IP)", *BIND_TO_POD_IP]),
        ("1.19.3", ["jobmanager", "$(POD_IP)", *BIND_TO_POD_IP]),
        ("2.2.1", ["jobmanager", "-D", "jobmanager.rpc.address=$(POD_IP)", *BIND_TO_POD_IP]),
    ],
)
def test_ha_jobmanagers_advertise_and_bind_their_pod_ip_the_way_each_version_accepts(version: str, args: list[str]) -> None:
    """Bound to the pod IP, the leader's blob server reports an address the standby can reach
    (bound to 0.0.0.0 it reported the pod's hostname: job submission through the standby failed)."""
    settings = settings_for(flinkVersion=version, highAvailability=S3_HA)
    container = jm_container(settings)
    assert container["args"] == args
    pod_ip = next(e for e in container["env"] if e["name"] == "POD_IP")
    assert pod_ip["valueFrom"]["fieldRef"]["fieldPath"] == "status.podIP"


def test_without_ha_the_jobmanager_keeps_the_service_address_and_one_replica() -> None:
    settings = settings_for()
    deployment = jobmanager_deployment(settings, "cm")
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    assert jm_container(settings)["args"] == ["jobmanager"]
    assert "high-availability.type" not in render_flink_options(settings)
    assert ha_role(settings) is None and ha_role_binding(settings) is None


def test_ha_options_and_a_stable_cluster_id() -> None:
    settings = settings_for(namespace="flink-a", highAvailability=S3_HA)
    options = render_flink_options(settings)
    assert options["high-availability.type"] == "kubernetes"
    assert options["high-availability.storageDir"] == "s3://bucket/ha"
    assert options["kubernetes.cluster-id"] == "demo"
    assert options["kubernetes.namespace"] == "flink-a"
    assert options["high-availability.cluster-id"] == "flink-a-demo"
    # the same settings always give the same id (no random suffix)
    assert render_flink_options(settings_for(namespace="flink-a", highAvailability=S3_HA))["kubernetes.cluster-id"] == "demo"


def test_ha_defaults_to_a_standby_jobmanager_rolled_without_downtime() -> None:
    settings = settings_for(highAvailability=S3_HA)
    deployment = jobmanager_deployment(settings, "cm")
    assert deployment["spec"]["replicas"] == 2
    assert deployment["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": 1, "maxUnavailable": 0}
    budget = jobmanager_disruption_budget(settings)
    assert budget is not None and budget["spec"]["maxUnavailable"] == 1


def test_ha_rbac_is_exactly_what_flink_ha_needs_and_namespaced() -> None:
    settings = settings_for(namespace="flink-a", highAvailability=S3_HA)
    role, binding = ha_role(settings), ha_role_binding(settings)
    assert role is not None and binding is not None
    assert role["kind"] == "Role" and role["metadata"]["namespace"] == "flink-a"
    assert role["rules"] == [
        {
            "apiGroups": [""],
            "resources": ["configmaps"],
            "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"],
        }
    ]
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role["metadata"]["name"]}
    account = service_account(settings)
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": account["metadata"]["name"], "namespace": "flink-a"}]
    assert account["automountServiceAccountToken"] is False


def test_the_token_is_mounted_only_with_ha() -> None:
    for ha, mounted in ((None, False), (S3_HA, True)):
        settings = settings_for(highAvailability=ha) if ha else settings_for()
        for deployment in (jobmanager_deployment(settings, "cm"), taskmanager_deployment(settings, "cm")):
            assert deployment["spec"]["template"]["spec"]["automountServiceAccountToken"] is mounted


@pytest.mark.parametrize(
    ("ha", "path", "fragment"),
    [
        ({"jobManagerReplicas": 2}, "cluster.highAvailability.jobManagerReplicas", "needs highAvailability.enabled: true"),
        ({"enabled": True}, "cluster.highAvailability.storageDir", "is required with HA"),
        ({"enabled": True, "storageDir": "file:///tmp/ha"}, "cluster.highAvailability.storageDir", "environment: development"),
        ({"enabled": True, "storageDir": "ftp://host/ha"}, "cluster.highAvailability.storageDir", "s3://, s3p://"),
        ({"enabled": True, "storageDir": "s3:///no-bucket"}, "cluster.highAvailability.storageDir", "names no bucket"),
        ({"storageDir": "s3://bucket/ha"}, "cluster.highAvailability.storageDir", "only used with"),
    ],
)
def test_invalid_ha_combinations_are_refused(ha: dict[str, Any], path: str, fragment: str) -> None:
    error = problems_of(highAvailability=ha)
    assert path in error.paths, str(error)
    assert fragment in str(error)


def test_local_state_is_allowed_only_in_development() -> None:
    ha = {"enabled": True, "storageDir": "file:///var/flink/ha"}
    development = settings_for(environment="development", highAvailability=ha)
    assert development.high_availability is not None
    assert development.high_availability.storage_dir == "file:///var/flink/ha"
    for production in ({"environment": "production"}, {}):  # production is the default
        assert "cluster.highAvailability.storageDir" in problems_of(**production, highAvailability=ha).paths


def test_ha_keys_cannot_be_set_through_flink_configuration() -> None:
    error = problems_of(flinkConfiguration={"high-availability.type": "kubernetes", "kubernetes.cluster-id": "x"})
    assert 'cluster.flinkConfiguration["high-availability.type"]' in error.paths
    assert "highAvailability.enabled" in str(error)


# --- state storage -------------------------------------------------------------------

STATE: dict[str, Any] = {
    "stateBackend": {"type": "rocksdb"},
    "checkpoints": {"dir": "s3://bucket/cp", "interval": "30s", "mode": "AT_LEAST_ONCE"},
    "savepoints": {"dir": "s3://bucket/sp"},
}


@pytest.mark.parametrize(
    ("version", "checkpoints", "savepoints", "incremental"),
    [
        ("1.19.3", "state.checkpoints.dir", "state.savepoints.dir", "state.backend.incremental"),
        ("1.20.4", "execution.checkpointing.dir", "execution.checkpointing.savepoint-dir", "execution.checkpointing.incremental"),
        ("2.2.1", "execution.checkpointing.dir", "execution.checkpointing.savepoint-dir", "execution.checkpointing.incremental"),
    ],
)
def test_state_options_use_the_names_each_version_reads(
    version: str, checkpoints: str, savepoints: str, incremental: str
) -> None:
    options = render_flink_options(settings_for(flinkVersion=version, **STATE))
    assert options[checkpoints] == "s3://bucket/cp"
    assert options[savepoints] == "s3://bucket/sp"
    assert options[incremental] is True  # rocksdb defaults to incremental
    assert options["state.backend.type"] == "rocksdb"
    assert options["execution.checkpointing.interval"] == "30s"
    assert options["execution.checkpointing.mode"] == "AT_LEAST_ONCE"
    stale = {"state.checkpoints.dir", "execution.checkpointing.dir"} - {checkpoints}
    assert not stale & set(options)


@pytest.mark.parametrize(
    ("scheme", "jar"),
    [
        ("s3", "flink-s3-fs-presto-1.20.4.jar"),
        ("s3a", "flink-s3-fs-hadoop-1.20.4.jar"),
        ("gs", "flink-gs-fs-hadoop-1.20.4.jar"),
        ("abfss", "flink-azure-fs-hadoop-1.20.4.jar"),
        ("oss", "flink-oss-fs-hadoop-1.20.4.jar"),
    ],
)
def test_the_plugin_for_each_scheme_is_enabled_with_its_exact_jar(scheme: str, jar: str) -> None:
    settings = settings_for(flinkVersion="1.20.4", checkpoints={"dir": f"{scheme}://bucket/cp"})
    assert settings.storage.plugins == (jar,)
    container = jm_container(settings)
    assert {"name": "ENABLE_BUILT_IN_PLUGINS", "value": jar} in container["env"]
    # the entrypoint links the jar into plugins/, which is a writable copy of the image's
    assert {"name": "plugins", "mountPath": "/opt/flink/plugins"} in container["volumeMounts"]
    init = jobmanager_deployment(settings, "cm")["spec"]["template"]["spec"]["initContainers"][0]
    assert "cp -R /opt/flink/plugins/. /flink-plugins/" in init["command"][-1]


def test_no_plugin_volume_without_an_object_store() -> None:
    container = jm_container(settings_for())
    assert all(m["name"] != "plugins" for m in container["volumeMounts"])
    assert all(e["name"] != "ENABLE_BUILT_IN_PLUGINS" for e in container["env"])


@pytest.mark.parametrize(
    ("overrides", "path", "fragment"),
    [
        ({"flinkVersion": "1.20", "checkpoints": {"dir": "s3://b/cp"}}, "cluster.flinkVersion", "patch release"),
        ({"stateBackend": {"type": "hashmap", "incremental": True}}, "cluster.stateBackend.incremental", "rocksdb"),
        ({"checkpoints": {"interval": "1min"}}, "cluster.checkpoints.dir", "is required when checkpoints.interval"),
        ({"checkpoints": {"dir": "s3://b/cp", "interval": "soon"}}, "cluster.checkpoints.interval", "duration"),
        (
            {"checkpoints": {"dir": "s3://b/cp"}, "savepoints": {"dir": "s3a://b/sp"}},
            "cluster.checkpoints.dir",
            "one S3 scheme",
        ),
        ({"restartStrategy": {"type": "exponential-delay", "attempts": 3}}, "cluster.restartStrategy.attempts", "does not"),
        ({"restartStrategy": {"type": "sometimes"}}, "cluster.restartStrategy.type", "fixed-delay"),
    ],
)
def test_invalid_state_settings_are_refused(overrides: dict[str, Any], path: str, fragment: str) -> None:
    error = problems_of(**overrides)
    assert path in error.paths, str(error)
    assert fragment in str(error)


def test_restart_strategy_renders_its_own_options() -> None:
    restart = {"type": "fixed-delay", "attempts": 5, "delay": "10s"}
    options = render_flink_options(settings_for(restartStrategy=restart))
    assert options["restart-strategy.type"] == "fixed-delay"
    assert options["restart-strategy.fixed-delay.attempts"] == 5
    assert options["restart-strategy.fixed-delay.delay"] == "10s"


# --- credentials ---------------------------------------------------------------------

WITH_S3: dict[str, Any] = {
    "checkpoints": {"dir": "s3://bucket/cp"},
    "storage": {"s3": {"endpoint": "https://minio.example.com:9000", "pathStyleAccess": True, **KEYS}},
}


def test_credentials_reach_flink_only_through_a_secret_and_environment_variables() -> None:
    settings = settings_for(**WITH_S3)
    secret = storage_credentials_secret(settings)
    assert secret is not None
    assert set(secret["stringData"]) == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
    assert all(isinstance(v, Sensitive) for v in secret["stringData"].values())
    for deployment in (jobmanager_deployment(settings, "cm"), taskmanager_deployment(settings, "cm")):
        env = {e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
        assert env["AWS_SECRET_ACCESS_KEY"]["valueFrom"]["secretKeyRef"] == {
            "name": secret["metadata"]["name"],
            "key": "AWS_SECRET_ACCESS_KEY",
        }
    text = yaml.safe_dump(config_map(settings)) + render_config_files(settings)[CONFIG_FILE] + repr(settings)
    for value in KEYS.values():
        assert value not in text
    options = render_flink_options(settings)
    assert options["s3.endpoint"] == "https://minio.example.com:9000"
    assert options["s3.path.style.access"] is True


def test_a_bad_credential_is_reported_without_its_value() -> None:
    error = problems_of(checkpoints={"dir": "s3://b/cp"}, storage={"s3": {"accessKey": 12345678, "secretKey": "x"}})
    assert "cluster.storage.s3.accessKey" in error.paths
    assert "12345678" not in str(error)
    assert "value hidden" in str(error)


@pytest.mark.parametrize(
    ("storage", "path"),
    [
        ({"s3": {"accessKey": "a"}}, "cluster.storage.s3.secretKey"),
        ({"s3": {"endpoint": "minio:9000"}}, "cluster.storage.s3.endpoint"),
    ],
)
def test_incomplete_s3_settings_are_refused(storage: dict[str, Any], path: str) -> None:
    assert path in problems_of(checkpoints={"dir": "s3://b/cp"}, storage=storage).paths


def test_credentials_no_path_uses_are_refused() -> None:
    error = problems_of(checkpoints={"dir": "gs://b/cp"}, storage={"s3": KEYS})
    assert "cluster.storage.s3" in error.paths


def test_credentials_cannot_be_put_in_flink_configuration() -> None:
    error = problems_of(flinkConfiguration={"s3.secret-key": "oops"})
    assert 'cluster.flinkConfiguration["s3.secret-key"]' in error.paths
    assert "Pulumi secret" in str(error)


# --- metrics -------------------------------------------------------------------------

SCRAPERS = [{"namespaceLabels": {"kubernetes.io/metadata.name": "monitoring"}}]


def test_prometheus_reporter_named_port_and_scrape_rule() -> None:
    settings = settings_for(metrics={"prometheus": True, "scrapers": SCRAPERS})
    options = render_flink_options(settings)
    assert options["metrics.reporter.prom.factory.class"] == "org.apache.flink.metrics.prometheus.PrometheusReporterFactory"
    assert options["metrics.reporter.prom.port"] == "9249"
    for deployment in (jobmanager_deployment(settings, "cm"), taskmanager_deployment(settings, "cm")):
        ports = deployment["spec"]["template"]["spec"]["containers"][0]["ports"]
        assert {"name": "metrics", "containerPort": 9249, "protocol": "TCP"} in ports
    _, jm_policy, tm_policy = network_policies(settings)
    for policy in (jm_policy, tm_policy):
        rule = policy["spec"]["ingress"][-1]
        assert rule == {
            "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
            "ports": [{"protocol": "TCP", "port": 9249}],
        }
    assert pod_monitor(settings) is None


def test_pod_monitor_selects_every_flink_pod_by_the_named_port() -> None:
    metrics = {"prometheus": True, "podMonitor": True, "podMonitorLabels": {"release": "prom"}}
    settings = settings_for(metrics=metrics)
    monitor = pod_monitor(settings)
    assert monitor is not None
    assert (monitor["apiVersion"], monitor["kind"]) == ("monitoring.coreos.com/v1", "PodMonitor")
    assert monitor["metadata"]["labels"]["release"] == "prom"
    assert monitor["spec"]["selector"]["matchLabels"] == settings.names.cluster_selector_labels()
    assert monitor["spec"]["podMetricsEndpoints"] == [{"port": "metrics", "interval": "30s"}]
    assert any("metrics.scrapers is empty" in w for w in resolution_for(metrics=metrics).warnings)


def test_a_pod_monitor_without_the_reporter_is_refused() -> None:
    assert "cluster.metrics.podMonitor" in problems_of(metrics={"podMonitor": True}).paths


# --- REST exposure -------------------------------------------------------------------

INGRESS_PEER = [{"namespaceLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}]


def test_rest_is_cluster_ip_unless_asked_and_other_types_warn() -> None:
    assert rest_service(settings_for())["spec"]["type"] == "ClusterIP"
    exposure = resolution_for(network={"restServiceType": "LoadBalancer", "restAccess": [{"cidr": "10.0.0.0/8"}]})
    exposed = exposure.cluster
    assert rest_service(exposed)["spec"]["type"] == "LoadBalancer"
    assert any("no authentication" in w for w in exposure.warnings)
    _, jm_policy, _ = network_policies(exposed)
    assert {"ipBlock": {"cidr": "10.0.0.0/8"}} in jm_policy["spec"]["ingress"][1]["from"]


def test_ingress_routes_the_rest_service_with_tls() -> None:
    spec = {"host": "flink.example.com", "className": "nginx", "tlsSecretName": "flink-tls", "annotations": {"a/b": "c"}}
    settings = settings_for(ingress=spec, network={"restAccess": INGRESS_PEER})
    route = ingress(settings)
    assert route is not None
    assert route["spec"]["ingressClassName"] == "nginx"
    assert route["spec"]["tls"] == [{"hosts": ["flink.example.com"], "secretName": "flink-tls"}]
    path = route["spec"]["rules"][0]["http"]["paths"][0]
    assert path["backend"]["service"] == {"name": "demo-rest", "port": {"number": 8081}}
    assert route["metadata"]["annotations"]["a/b"] == "c"


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"ingress": {"host": "flink.example.com"}}, "cluster.network.restAccess"),
        ({"ingress": {"host": "Not A Host"}, "network": {"restAccess": INGRESS_PEER}}, "cluster.ingress.host"),
        ({"network": {"restServiceType": "NodePort", "restAccess": [{}]}}, "cluster.network.restAccess[0]"),
        ({"network": {"restAccess": [{"cidr": "10.0.0.0/8", "podLabels": {"a": "b"}}]}}, "cluster.network.restAccess[0]"),
    ],
)
def test_invalid_exposure_is_refused(overrides: dict[str, Any], path: str) -> None:
    assert path in problems_of(**overrides).paths


# --- stacks --------------------------------------------------------------------------


def test_prod_runs_ha_durable_state_metrics_and_secret_credentials() -> None:
    (resolution,) = parse_stack_config(stack_config("prod"))
    prod = resolution.cluster
    assert prod.environment == "production"
    assert prod.high_availability is not None and prod.job_manager.replicas == 2
    assert prod.state.backend == "rocksdb" and prod.state.incremental
    assert prod.state.checkpoints_dir and prod.state.checkpoints_dir.startswith("s3://")
    assert prod.storage.s3 is not None and prod.storage.s3.credentials is not None
    assert prod.metrics.pod_monitor
    assert prod.storage.plugins == ("flink-s3-fs-presto-1.20.4.jar",)
    assert not resolution.warnings


def test_staging_mirrors_prod_and_dev_stays_minimal() -> None:
    staging, dev = stack_cluster("staging"), stack_cluster("dev")
    assert staging.high_availability is not None and staging.metrics.pod_monitor and staging.storage.s3 is not None
    assert dev.high_availability is None and not dev.metrics.prometheus and dev.storage.s3 is None and not dev.storage.plugins
    assert (dev.environment, staging.environment) == ("development", "production")


def test_production_without_ha_gets_an_advisory_warning_and_development_does_not() -> None:
    """The rule reads the cluster's environment, never the stack's name."""
    warning = "cluster.highAvailability is off in a production environment"
    assert any(w.startswith(warning) for w in resolution_for(environment="production").warnings)
    assert any(w.startswith(warning) for w in resolution_for().warnings)  # production is the default
    assert not any(w.startswith(warning) for w in resolution_for(environment="development").warnings)
    assert not any(w.startswith(warning) for w in resolution_for(highAvailability=S3_HA).warnings)


def test_an_unknown_environment_is_refused() -> None:
    error = problems_of(environment="prod")
    assert "cluster.environment" in error.paths
    assert "'production' or 'development'" in str(error)


# --- the shared volume -----------------------------------------------------------------

SHARED = {"sharedVolume": {"claimName": "flink-state"}}
SHARED_HA = {"enabled": True, "storageDir": "file:///flink-state/ha"}


def test_file_state_on_the_shared_volume_is_durable_in_any_environment() -> None:
    for environment in ("production", "development"):
        settings = settings_for(
            environment=environment,
            storage=SHARED,
            highAvailability=SHARED_HA,
            checkpoints={"dir": "file:///flink-state/checkpoints", "interval": "10s"},
            savepoints={"dir": "file:/flink-state/savepoints"},
        )
        options = render_flink_options(settings)
        assert options["high-availability.storageDir"] == "file:///flink-state/ha"
        assert options["execution.checkpointing.dir"] == "file:///flink-state/checkpoints"
        assert settings.storage.plugins == ()  # file:// needs no filesystem plugin


def test_the_shared_volume_is_mounted_read_write_into_every_flink_container() -> None:
    settings = settings_for(storage={"sharedVolume": {"claimName": "flink-state", "mountPath": "/data/flink"}})
    for deployment in (jobmanager_deployment(settings, "cm"), taskmanager_deployment(settings, "cm")):
        pod = deployment["spec"]["template"]["spec"]
        assert {"name": "shared-state", "persistentVolumeClaim": {"claimName": "flink-state"}} in pod["volumes"]
        assert {"name": "shared-state", "mountPath": "/data/flink"} in pod["containers"][0]["volumeMounts"]
        assert all(m["name"] != "shared-state" for m in pod["initContainers"][0]["volumeMounts"])
    assert "shared-state" not in str(jobmanager_deployment(settings_for(), "cm"))


@pytest.mark.parametrize(
    ("overrides", "path", "fragment"),
    [
        # file:// beside the volume is the pod's own disk: refused in production, with what is accepted
        (
            {"storage": SHARED, "highAvailability": {"enabled": True, "storageDir": "file:///tmp/ha"}},
            "cluster.highAvailability.storageDir",
            "file:// is accepted under storage.sharedVolume.mountPath (/flink-state), or anywhere with environment: development",
        ),
        # a prefix of the mount path is not inside it, nor is a path that climbs out
        ({"storage": SHARED, "checkpoints": {"dir": "file:///flink-state-2/cp"}}, "cluster.checkpoints.dir", "own disk"),
        ({"storage": SHARED, "savepoints": {"dir": "file:///flink-state/../etc"}}, "cluster.savepoints.dir", "own disk"),
        ({"checkpoints": {"dir": "file://flink-state/cp"}}, "cluster.checkpoints.dir", "three slashes"),
        ({"storage": {"sharedVolume": {"claimName": "Flink_State"}}}, "cluster.storage.sharedVolume.claimName", "DNS subdomain"),
        ({"storage": {"sharedVolume": {}}}, "cluster.storage.sharedVolume.claimName", "is required"),
        (
            {"storage": {"sharedVolume": {"claimName": "s", "mountPath": "/opt/flink/state"}}},
            "cluster.storage.sharedVolume.mountPath",
            "/opt/flink",
        ),
        (
            {"storage": {"sharedVolume": {"claimName": "s", "mountPath": "/opt"}}},
            "cluster.storage.sharedVolume.mountPath",
            "hide",
        ),
        (
            {"storage": {"sharedVolume": {"claimName": "s", "mountPath": "/tmp"}}},
            "cluster.storage.sharedVolume.mountPath",
            "/tmp",
        ),
        (
            {"storage": {"sharedVolume": {"claimName": "s", "mountPath": "state"}}},
            "cluster.storage.sharedVolume.mountPath",
            "absolute",
        ),
        (
            {"storage": {"sharedVolume": {"claimName": "s", "mountPath": "/a/../b"}}},
            "cluster.storage.sharedVolume.mountPath",
            "normalised",
        ),
    ],
)
def test_file_state_and_shared_volumes_that_would_not_hold_are_refused(
    overrides: dict[str, Any], path: str, fragment: str
) -> None:
    error = problems_of(**overrides)
    assert path in error.paths, str(error)
    line = next(line for line in str(error).splitlines() if line.strip().startswith(f"- {path}"))
    assert fragment in line, line


@pytest.mark.parametrize("reporters", ["jmx", ["jmx", "slf4j"], "jmx,  slf4j"])
def test_a_reporter_list_that_would_drop_the_prometheus_reporter_is_refused(reporters: object) -> None:
    """metrics.reporters starts only the reporters it names: 'jmx' alone would silently switch prom off."""
    error = problems_of(metrics={"prometheus": True, "scrapers": SCRAPERS}, flinkConfiguration={"metrics.reporters": reporters})
    assert 'cluster.flinkConfiguration["metrics.reporters"]' in error.paths
    assert "add prom to it" in str(error)


def test_a_reporter_list_that_names_prom_is_accepted() -> None:
    settings = settings_for(
        metrics={"prometheus": True, "scrapers": SCRAPERS}, flinkConfiguration={"metrics.reporters": "prom,jmx"}
    )
    assert render_flink_options(settings)["metrics.reporters"] == "prom,jmx"
