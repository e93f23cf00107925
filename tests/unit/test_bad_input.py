"""Regression tests for bad input that crashed, overflowed or got a poor message (issue 13).

Each case is a value a user can write in a stack file. The promise: a ConfigError
naming the key path, echoing the value as written and saying what is accepted;
never a traceback, and never a render that Flink or the API server would refuse.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.errors import ConfigError, Problem
from components.resolution import parse_stack_config
from tests.support.config import minimal_cluster, resolve

TM = {"slots": 2, "cpu": 1, "memory": "1728Mi"}


def problem_line(error: ConfigError, path: str) -> str:
    """The one line of the message that reports `path`."""
    assert path in error.paths, str(error)
    return next(line for line in str(error).splitlines() if line.strip().startswith(f"- {path} "))


def refused(**overrides: Any) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_stack_config({"cluster": minimal_cluster(**overrides)})
    return caught.value


# --- crashes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cpu",
    [float("nan"), float("inf"), float("-inf"), ".nan", "1e99999999999", "1" * 5000, 10**5000],
    ids=["nan", "inf", "-inf", "nan-text", "huge-exponent", "5000-digit-text", "5000-digit-int"],
)
def test_non_finite_or_absurd_cpu_is_a_config_error_not_a_crash(cpu: object) -> None:
    error = refused(taskManager={**TM, "cpu": cpu})
    assert "cluster.taskManager.cpu" in error.paths


@pytest.mark.parametrize(
    "memory",
    ["1" + "0" * 5000, "1e99999999999Mi", "9" * 70 + "Mi", "1e400"],
    ids=["5000-digits", "exponent-and-unit", "70-digits", "1e400"],
)
def test_absurd_memory_is_a_config_error_not_a_crash(memory: str) -> None:
    error = refused(taskManager={**TM, "memory": memory})
    assert "cluster.taskManager.memory" in error.paths


@pytest.mark.parametrize("value", [10**5000, -(10**5000)], ids=["positive", "negative"])
def test_huge_integers_are_reported_without_crashing(value: int) -> None:
    error = refused(parallelism=value, taskManager={**TM, "replicas": value})
    assert {"cluster.parallelism", "cluster.taskManager.replicas"} <= set(error.paths)
    assert len(str(error)) < 2000  # the echo is shortened, not 5000 digits


def test_a_problem_with_an_unprintable_value_still_prints() -> None:
    text = str(Problem("cluster.parallelism", "is too large", 10**5000))
    assert text.startswith("cluster.parallelism = 1000") and "digits" in text


# --- bounds --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "path", "fragment"),
    [
        ({"taskManager": {**TM, "replicas": 3_000_000_000}}, "cluster.taskManager.replicas", "at most 5000"),
        ({"taskManager": {**TM, "replicas": 5001}}, "cluster.taskManager.replicas", "at most 5000"),
        ({"parallelism": 100_000_000}, "cluster.parallelism", "at most 32768"),
        ({"parallelism": 32769}, "cluster.parallelism", "Flink's maximum parallelism"),
        ({"taskManager": {**TM, "slots": 40000}}, "cluster.taskManager.slots", "at most 32768"),
        ({"parallelism": 32768, "taskManager": {**TM, "slots": 7}}, "cluster.taskManager.slots", "32774 slots"),
        ({"taskManager": {**TM, "memory": "100Ei"}}, "cluster.taskManager.memory", "at most 4Ei"),
        ({"jobManager": {"cpu": 1, "memory": "5Ei"}}, "cluster.jobManager.memory", "at most 4Ei"),
        (
            {"taskManager": {"slots": 4, "cpuPerSlot": 1, "memoryPerSlot": "2Ei"}},
            "cluster.taskManager.memoryPerSlot",
            "at most 4Ei",
        ),
        ({"taskManager": {**TM, "scratchSize": "8Ei"}}, "cluster.taskManager.scratchSize", "at most 4Ei"),
        ({"taskManager": {**TM, "cpu": "9223372036854776"}}, "cluster.taskManager.cpu", "at most"),
        ({"highAvailability": {"enabled": True, "storageDir": "s3://b/ha", "jobManagerReplicas": 11}}, "", ""),
        ({"checkpoints": {"dir": "s3://b/cp", "interval": "5ms"}}, "cluster.checkpoints.interval", "at least 10ms"),
        (
            {"checkpoints": {"dir": "s3://b/cp", "interval": "99999999999999999999d"}},
            "cluster.checkpoints.interval",
            "at most",
        ),
        ({"restartStrategy": {"type": "fixed-delay", "attempts": 2**31}}, "cluster.restartStrategy.attempts", "2147483647"),
        (
            {"scheduling": {"tolerations": [{"key": "a", "operator": "Exists", "tolerationSeconds": 2**63}]}},
            "cluster.scheduling.tolerations[0].tolerationSeconds",
            "9223372036854775807",
        ),
        ({"metrics": {"prometheus": True, "scrapeInterval": "1min"}}, "cluster.metrics.scrapeInterval", "Prometheus"),
    ],
)
def test_values_beyond_what_flink_or_kubernetes_accept_are_refused(overrides: dict[str, Any], path: str, fragment: str) -> None:
    if not path:  # jobManagerReplicas: a documented cap, checked by path only
        path, fragment = "cluster.highAvailability.jobManagerReplicas", "at most 10"
    error = refused(**overrides)
    assert fragment in problem_line(error, path)


def test_the_largest_accepted_values_render() -> None:
    """The caps themselves are accepted: bounds are inclusive and match what is documented."""
    cluster = resolve(minimal_cluster(parallelism=32768, taskManager={"slots": 8, "cpu": 1, "memory": "4Ei"}))
    assert cluster.total_slots == 32768
    assert cluster.task_manager.replicas == 4096


# --- messages ------------------------------------------------------------------------


def test_cpu_limit_below_the_request_echoes_the_users_spelling() -> None:
    line = problem_line(refused(taskManager={**TM, "cpuLimit": "500m"}), "cluster.taskManager.cpuLimit")
    assert "cluster.taskManager.cpuLimit = '500m'" in line
    assert "= 500:" not in line


def test_cpu_errors_show_cpu_examples() -> None:
    line = problem_line(refused(taskManager={**TM, "cpu": "lots"}), "cluster.taskManager.cpu")
    assert "500m" in line
    assert "Mi" not in line and "Gi" not in line


@pytest.mark.parametrize(("memory", "suggestion"), [("1.3Gi", "1331Mi or 1332Mi"), ("1G", "953Mi or 954Mi")])
def test_memory_that_is_not_whole_mib_gets_the_two_nearest_values(memory: str, suggestion: str) -> None:
    line = problem_line(refused(taskManager={**TM, "memory": memory}), "cluster.taskManager.memory")
    assert suggestion in line


@pytest.mark.parametrize(
    ("overrides", "path", "shape"),
    [
        ({"taskManager": [1, 2]}, "cluster.taskManager", "a mapping"),
        ({"restartStrategy": "x"}, "cluster.restartStrategy", "a mapping"),
        ({"network": {"restAccess": [3]}}, "cluster.network.restAccess[0]", "a mapping"),
        ({"scheduling": {"tolerations": {"a": 1}}}, "cluster.scheduling.tolerations", "a list"),
        ({"labels": [1]}, "cluster.labels", "a mapping"),
    ],
)
def test_type_errors_name_the_yaml_shape_not_a_python_class(overrides: dict[str, Any], path: str, shape: str) -> None:
    line = problem_line(refused(**overrides), path)
    assert f"must be {shape}" in line
    assert "Spec" not in line and "instance of" not in line and "dictionary" not in line


# --- found by the property tests (tests/support/fuzz.py) -----------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("taskmanager.memory.managed.size", -5),  # Flink: "text does not start with a number"
        ("taskmanager.memory.managed.size", 2**63),  # beyond a Java long
        ("taskmanager.memory.jvm-overhead.max", "99999999999999999999g"),  # numeric overflow in MemorySize.parse
        pytest.param("taskmanager.memory.managed.fraction", 10**400, id="fraction-10**400"),  # crashed float()
        ("taskmanager.memory.managed.fraction", 1e-50),  # a YAML double below Float.MIN_VALUE: Flink refuses it
        ("taskmanager.memory.managed.fraction", "0.1_0"),  # Python's float() reads it, Java's parseFloat does not
        ("taskmanager.memory.managed.fraction", "nan"),
        ("jobmanager.memory.enable-jvm-direct-memory-limit", "yes"),  # Flink accepts only true/false
        ("jobmanager.memory.enable-jvm-direct-memory-limit", 1),
    ],
)
def test_memory_options_flink_would_refuse_are_refused_at_preview(key: str, value: object) -> None:
    error = refused(flinkConfiguration={key: value})
    assert f'cluster.flinkConfiguration["{key}"]' in error.paths, str(error)


def test_memory_too_small_because_of_options_says_which_options() -> None:
    options = {"jobmanager.memory.jvm-overhead.min": "640m"}
    line = problem_line(refused(flinkConfiguration=options), "cluster.jobManager.memory")
    assert "is too small" in line
    assert "with jobmanager.memory.jvm-overhead.min from cluster.flinkConfiguration" in line


def test_cpu_limit_below_a_per_slot_request_names_the_keys_behind_it() -> None:
    tm = {"slots": 4, "cpuPerSlot": 1, "memoryPerSlot": "1Gi", "cpuLimit": "3"}
    line = problem_line(refused(taskManager=tm), "cluster.taskManager.cpuLimit")
    assert "cluster.taskManager.cpuPerSlot 1 x 4 slots = 4; use at least 4" in line


def test_a_replica_or_cpu_limit_problem_does_not_hide_the_memory_problem() -> None:
    """Every problem at once: the memory model still runs when other TaskManager settings are wrong."""
    tm = {"slots": 2, "replicas": 1, "cpu": 1, "memory": "900Mi", "cpuLimit": "500m"}
    error = refused(taskManager=tm)
    assert {"cluster.taskManager.replicas", "cluster.taskManager.cpuLimit", "cluster.taskManager.memory"} <= set(error.paths)


PEERS = [{"namespaceLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}]


def with_ingress(**fields: str) -> dict[str, Any]:
    return {"ingress": {"host": "flink.example.com", **fields}, "network": {"restAccess": PEERS}}


@pytest.mark.parametrize(
    ("overrides", "path", "fragment"),
    [
        ({"scheduling": {"nodeSelector": {"bad key!": "x"}}}, 'cluster.scheduling.nodeSelector["bad key!"]', "not a valid key"),
        ({"scheduling": {"nodeSelector": {"pool": "not valid!"}}}, "cluster.scheduling.nodeSelector.pool", "label value"),
        ({"scheduling": {"tolerations": [{"key": "bad key!"}]}}, "cluster.scheduling.tolerations[0].key", "not a valid key"),
        ({"scheduling": {"priorityClassName": "High_Priority"}}, "cluster.scheduling.priorityClassName", "DNS subdomain"),
        ({"network": {"restAccess": [{"cidr": "300.0.0.0/8"}]}}, "cluster.network.restAccess[0].cidr", "not a CIDR"),
        ({"network": {"restAccess": [{"cidr": "10.0.0.1"}]}}, "cluster.network.restAccess[0].cidr", "prefix length"),
        ({"network": {"restAccess": [{"podLabels": {"app": "x" * 64}}]}}, "cluster.network.restAccess[0].podLabels.app", "63"),
        ({"metrics": {"podMonitorLabels": {"-release": "p"}}}, 'cluster.metrics.podMonitorLabels["-release"]', "valid key"),
        (with_ingress(className="Nginx!"), "cluster.ingress.className", "DNS subdomain"),
        (with_ingress(path="flink"), "cluster.ingress.path", "starting with '/'"),
        (with_ingress(tlsSecretName="TLS"), "cluster.ingress.tlsSecretName", "DNS subdomain"),
    ],
)
def test_names_labels_and_cidrs_the_api_server_would_refuse_are_refused_at_preview(
    overrides: dict[str, Any], path: str, fragment: str
) -> None:
    """The OpenAPI schema only says 'string'; without these checks the apply would fail after a clean preview."""
    assert fragment in problem_line(refused(**overrides), path)
