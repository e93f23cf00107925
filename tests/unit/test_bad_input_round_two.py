"""Regression tests for the second round of bad input: each class a user, a sloppy pipeline or an attacker wrote.

- A trailing newline no longer slips past a pattern (`$` matched before it): names,
  namespaces, label values, images, Ingress hosts, priorityClassName, PodMonitor labels,
  scrape intervals and mount paths ending in `\\n` are refused at their key.
- Namespaces Kubernetes owns are refused with createNamespace: true, warned about without.
- The API server's own rules: a toleration with Exists and a value, tolerationSeconds
  without NoExecute, an empty key without Exists; a ConfigMap over 1 MiB; annotations
  over 256 KiB on an object.
- Credentials never echo: a credential key's value in flinkConfiguration stays hidden in
  every spelling (case, whitespace, mirrored prefixes, other plugins' words).
- Keys Flink would ignore: a key that differs from an owned one only by case or
  whitespace is refused; one no Flink of that line defines gets a warning with the
  closest known key; one with whitespace or control characters is refused.
(Jar paths outside the project and REST URLs with credentials: tests/unit/test_jobs.py;
job args as secrets: tests/mocks/test_jobs_program.py and the e2e state export.)
"""

from __future__ import annotations

from typing import Any

import pytest

from components.errors import ConfigError
from components.resolution import parse_stack_config
from tests.support.config import minimal_cluster, resolution_of
from tests.support.fuzz import full_cluster

NEWLINE_CASES = [
    ("cluster.name", {"name": "analytics\n"}),
    ("cluster.namespace", {"namespace": "flink-dev\n"}),
    ("cluster.labels.team", {"labels": {"team": "data\n"}}),
    ("cluster.image", {"image": "flink:2.2.1-scala_2.12-java17\n"}),
    (
        "cluster.ingress.host",
        {"ingress": {"host": "flink.example.com\n"}, "network": {"restAccess": [{"podLabels": {"app": "ingress"}}]}},
    ),
    ("cluster.scheduling.priorityClassName", {"scheduling": {"priorityClassName": "high\n"}}),
    (
        "cluster.metrics.podMonitorLabels.release",
        {"metrics": {"prometheus": True, "podMonitor": True, "podMonitorLabels": {"release": "prom\n"}}},
    ),
    ("cluster.metrics.scrapeInterval", {"metrics": {"prometheus": True, "scrapeInterval": "30s\n"}}),
    ("cluster.storage.sharedVolume.mountPath", {"storage": {"sharedVolume": {"claimName": "x", "mountPath": "/state\n"}}}),
]


def refused(cluster: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_stack_config({"cluster": cluster})
    return caught.value


@pytest.mark.parametrize(("path", "overrides"), NEWLINE_CASES, ids=[path for path, _ in NEWLINE_CASES])
def test_a_trailing_newline_is_refused_at_its_key(path: str, overrides: dict[str, Any]) -> None:
    assert path in refused(minimal_cluster(**overrides)).paths


@pytest.mark.parametrize("namespace", ["kube-system", "kube-public", "kube-node-lease", "default"])
def test_namespaces_kubernetes_owns_are_never_created_by_the_stack(namespace: str) -> None:
    error = refused(minimal_cluster(namespace=namespace))
    assert error.paths == ("cluster.namespace",)
    assert "Kubernetes itself creates and runs" in str(error) and "createNamespace: false" in str(error)
    shared = resolution_of(minimal_cluster(namespace=namespace, createNamespace=False))
    assert any(f"{namespace!r} is a namespace Kubernetes owns" in warning for warning in shared.warnings)


def test_a_cluster_named_like_a_system_namespace_is_refused_at_its_name() -> None:
    assert refused(minimal_cluster(name="default")).paths == ("cluster.name",)


def test_tolerations_follow_the_api_servers_rules() -> None:
    tolerations = [
        {"key": "pool", "operator": "Exists", "value": "flink"},
        {"key": "pool", "value": "flink", "effect": "NoSchedule", "tolerationSeconds": 60},
        {"operator": "Equal", "value": "x"},
        {"key": "", "effect": "NoSchedule"},
    ]
    error = refused(minimal_cluster(scheduling={"tolerations": tolerations}))
    assert set(error.paths) == {
        "cluster.scheduling.tolerations[0].value",
        "cluster.scheduling.tolerations[1].tolerationSeconds",
        "cluster.scheduling.tolerations[2].key",
        "cluster.scheduling.tolerations[3].key",
    }
    valid = [{"operator": "Exists"}, {"key": "pool", "effect": "NoExecute", "tolerationSeconds": 30, "value": "f"}]
    assert len(resolution_of(minimal_cluster(scheduling={"tolerations": valid})).cluster.scheduling.tolerations) == 2


def test_a_config_map_over_one_mebibyte_is_refused() -> None:
    large = {f"custom.option-{index}": "x" * 1000 for index in range(1100)}
    error = refused(minimal_cluster(flinkConfiguration=large))
    assert error.paths == ("cluster.flinkConfiguration",)
    assert "more than the 1048576 a ConfigMap holds" in str(error)
    assert len(str(error)) < 1000


def test_annotations_over_256_kib_are_refused() -> None:
    error = refused(minimal_cluster(annotations={f"example.com/a{index}": "x" * 3000 for index in range(90)}))
    assert error.paths == ("cluster.annotations",)


@pytest.mark.parametrize(
    "key",
    [
        "s3.secret-key",
        "S3.Secret-Key",
        " s3.secret-key",
        "s3. secret-key",
        "fs.s3a.secret.key",
        "presto.s3.access-key",
        "fs.azure.account.key.x.blob.core.windows.net.secret",
        "gs.auth.client.secret",
        "my.connector.password",
        "kafka.sasl.token",
    ],
)
def test_a_credentials_value_is_never_echoed(key: str) -> None:
    secret = "AKIA-do-not-print-me"
    # Refused keys and keys that are merely credentials of a plugin alike: only problems echo values.
    error = None
    try:
        parse_stack_config({"cluster": minimal_cluster(flinkConfiguration={key: secret, "taskmanager.memory.size": {}})})
    except ConfigError as caught:
        error = caught
    assert error is not None
    assert secret not in str(error)


def test_the_spelling_of_an_owned_option_does_not_hide_it() -> None:
    error = refused(minimal_cluster(flinkConfiguration={"Rest.Port": 9000, "taskmanager. numberOfTaskSlots": 4}))
    assert set(error.paths) == {
        'cluster.flinkConfiguration["Rest.Port"]',
        'cluster.flinkConfiguration["taskmanager. numberOfTaskSlots"]',
    }
    assert "differs from 'rest.port' only by case or whitespace" in str(error)


def test_a_key_with_whitespace_or_control_characters_is_refused() -> None:
    error = refused(minimal_cluster(flinkConfiguration={"pipeline.name\n": "x", "pipeline\tname": "y"}))
    assert len(error.paths) == 2 and "keys have no whitespace or control characters" in str(error)


def test_an_unknown_key_is_warned_about_with_the_closest_known_one() -> None:
    warnings = resolution_of(minimal_cluster(flinkConfiguration={"pipeline.object-resue": True})).warnings
    (warning,) = [w for w in warnings if "pipeline.object-resue" in w]
    assert "not an option Flink 2.2 defines" in warning and "did you mean 'pipeline.object-reuse'?" in warning


def test_known_keys_and_pass_through_prefixes_are_not_warned_about() -> None:
    options = {
        "pipeline.object-reuse": True,
        "jobstore.expiration-time": "1h",
        "metrics.reporter.jmx.factory.class": "org.apache.flink.metrics.jmx.JMXReporterFactory",
        "fs.s3a.connection.maximum": 64,
    }
    for version in ("2.2.1", "1.20.4"):
        cluster = full_cluster(flinkVersion=version, image=f"flink:{version}-scala_2.12-java17", flinkConfiguration=options)
        assert not [w for w in resolution_of(cluster).warnings if "not an option Flink" in w], version


def test_the_catalogue_of_each_line_differs_where_flink_does() -> None:
    """A key 2.x dropped is unknown there and known on 1.20 (the catalogue is per line)."""
    legacy = {"cluster.evenly-spread-out-slots": True}

    def unknown(version: str) -> list[str]:
        warnings = resolution_of(minimal_cluster(flinkVersion=version, flinkConfiguration=legacy)).warnings
        return [w for w in warnings if "not an option" in w]

    assert not unknown("1.20.4")
    assert unknown("2.2.1")
