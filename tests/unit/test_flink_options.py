"""The options the component owns: one table that the renderer emits and the validator refuses.

The owned set is derived here from what the renderer actually emits (config.yaml, and
the SQL Gateway's `-D` command line), for every stack and every optional feature on
each Flink line, so the table, the renderer and the
validator cannot drift apart: each rendered key must be refused in
`flinkConfiguration` (with its deprecated aliases), and the component's typed values
must win over raw options even if a raw one slipped through.
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import Any, get_args

import pytest

from components.errors import ConfigError, key_path
from components.flink.config_files import CONFIG_FILE, render_config_files, render_flink_options
from components.flink.jvm import JAVA_17_MODULE_FLAGS
from components.flink.options import JAVA_OPTS_KEY, OWNED_OPTIONS
from components.flink.recovery_options import RESTART_STRATEGY_FIELDS
from components.input.schema import RestartStrategyArgs
from components.manifests.history_server import history_server_deployment
from components.manifests.sql_gateway import sql_gateway_deployment
from components.model.choices import RestartType
from components.model.cluster import Cluster
from components.model.naming import camel_case
from components.resolution import parse_stack_config
from tests.support.config import STACKS, minimal_cluster, resolve, stack_cluster

VERSIONS = ("1.19.3", "1.20.4", "2.2.1")
S3 = "s3://bucket"
RESTARTS: dict[str, dict[str, Any]] = {
    "disable": {},
    "exponential-delay": {},
    "fixed-delay": {"attempts": 3, "delay": "10s"},
    "failure-rate": {"maxFailuresPerInterval": 2, "failureRateInterval": "5min", "delay": "10s"},
}
# Every optional feature that adds Flink options; together they switch on every table entry.
FEATURES: dict[str, dict[str, Any]] = {
    "defaults": {},
    "ha": {"highAvailability": {"enabled": True, "storageDir": f"{S3}/ha"}},
    "rocksdb": {"stateBackend": {"type": "rocksdb"}},
    "rocksdb-full": {"stateBackend": {"type": "rocksdb", "incremental": False}},
    "checkpoints": {"checkpoints": {"dir": f"{S3}/cp", "interval": "30s", "mode": "AT_LEAST_ONCE", "retainOnCancellation": True}},
    "savepoints": {"savepoints": {"dir": f"{S3}/sp"}},
    "prometheus": {"metrics": {"prometheus": True, "scrapers": [{"cidr": "10.0.0.0/8"}]}},
    "s3": {
        "checkpoints": {"dir": f"{S3}/cp"},
        "storage": {"s3": {"endpoint": "https://minio.example.com", "pathStyleAccess": True}},
    },
    **{f"restart-{kind}": {"restartStrategy": {"type": kind, **fields}} for kind, fields in RESTARTS.items()},
    "sql-gateway": {"sqlGateway": {"cpu": "250m", "memory": "1Gi"}},
    "history-server": {"historyServer": {"archiveDir": f"{S3}/completed-jobs"}},
}


def _settings(cluster: dict[str, Any]) -> Cluster:
    return resolve(cluster)


def _all_renders() -> list[Cluster]:
    renders = [stack_cluster(stack) for stack in STACKS]
    for version in VERSIONS:
        renders += [_settings(minimal_cluster(flinkVersion=version, **feature)) for feature in FEATURES.values()]
    return renders


@pytest.fixture(scope="module")
def rendered_owned_keys() -> set[str]:
    """Every key the renderer emits that did not come from the user's flinkConfiguration."""
    keys: set[str] = set()
    for settings in _all_renders():
        keys |= set(render_flink_options(settings)) - set(settings.flink_configuration)
        gateway = sql_gateway_deployment(settings, "config")
        if gateway is not None:  # its own options are -D properties of its command line
            args = gateway["spec"]["template"]["spec"]["containers"][0]["args"]
            keys |= {arg.removeprefix("-D").split("=", 1)[0] for arg in args if arg.startswith("-D")}
        history = history_server_deployment(settings, "config")
        if history is not None:  # its own options are FLINK_PROPERTIES lines
            env = {e["name"]: e.get("value") for e in history["spec"]["template"]["spec"]["containers"][0]["env"]}
            keys |= {line.split(":", 1)[0] for line in env["FLINK_PROPERTIES"].splitlines()}
    return keys


def test_the_table_is_exactly_what_the_renderer_emits(rendered_owned_keys: set[str]) -> None:
    table = {option.key for option in OWNED_OPTIONS}
    assert rendered_owned_keys == table, "a rendered key is missing from the table, or a table entry is never rendered"


def test_the_validator_refuses_every_owned_key_and_every_alias(rendered_owned_keys: set[str]) -> None:
    composed = {o.key for o in OWNED_OPTIONS if o.extends_user_value}
    aliases = {alias for option in OWNED_OPTIONS for alias in option.aliases}
    forbidden = (rendered_owned_keys - composed) | aliases
    with pytest.raises(ConfigError) as caught:
        parse_stack_config({"cluster": minimal_cluster(flinkConfiguration=dict.fromkeys(forbidden, "1"))})
    paths = set(caught.value.paths)
    missing = sorted(k for k in forbidden if key_path("cluster", ("flinkConfiguration", k)) not in paths)
    assert not missing, f"accepted although the component owns them: {missing}"
    assert len(caught.value.problems) == len(forbidden)


def test_aliases_name_the_option_they_stand_for() -> None:
    (alias_owner,) = [o for o in OWNED_OPTIONS if "rest.bind-port" in o.aliases]
    with pytest.raises(ConfigError) as caught:
        parse_stack_config({"cluster": minimal_cluster(flinkConfiguration={"rest.bind-port": 9999})})
    assert alias_owner.key == "rest.port"
    assert "rest.port" in str(caught.value)


def test_the_table_has_no_duplicate_or_self_aliasing_keys() -> None:
    keys = [o.key for o in OWNED_OPTIONS]
    aliases = [a for o in OWNED_OPTIONS for a in o.aliases]
    assert len(keys) == len(set(keys))
    assert len(aliases) == len(set(aliases))
    assert not set(keys) & set(aliases)
    assert all(o.reason for o in OWNED_OPTIONS)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("taskmanager.bind-host", "127.0.0.1"),  # the TaskManager would be unreachable
        ("jobmanager.bind-host", "127.0.0.1"),
        ("restart-strategy.fixed-delay.attempts", 99),  # would override restartStrategy.attempts
        ("jobmanager.rpc.bind-port", 7000),  # the RPC service would listen elsewhere than the Service
        ("taskmanager.memory.size", "100m"),  # deprecated name of managed.size: Flink reads it
        (" rest.port", 9999),  # whitespace does not hide an owned key
    ],
)
def test_owned_options_and_their_other_names_are_refused(key: str, value: object) -> None:
    restart = {"type": "fixed-delay", "attempts": 3}
    with pytest.raises(ConfigError) as caught:
        parse_stack_config({"cluster": minimal_cluster(restartStrategy=restart, flinkConfiguration={key: value})})
    assert key_path("cluster", ("flinkConfiguration", key)) in caught.value.paths


def test_typed_values_win_over_raw_options_by_construction() -> None:
    """Raw options are applied first and the table on top, as the Flink Kubernetes Operator does."""
    settings = _settings(minimal_cluster(restartStrategy={"type": "fixed-delay", "attempts": 3}))
    clean = render_flink_options(settings)
    sneaky = {key: "sneaky" for key in clean if key != JAVA_OPTS_KEY}
    tampered = dataclasses.replace(settings, flink_configuration=MappingProxyType(sneaky))
    rendered = render_flink_options(tampered)
    assert {k: rendered[k] for k in sneaky} == {k: clean[k] for k in sneaky}
    assert rendered["taskmanager.bind-host"] == "0.0.0.0"
    assert rendered["restart-strategy.fixed-delay.attempts"] == 3


def test_the_users_java_options_are_appended_to_the_module_flags() -> None:
    settings = _settings(minimal_cluster(flinkConfiguration={JAVA_OPTS_KEY: "-XX:+UseG1GC"}))
    assert render_flink_options(settings)[JAVA_OPTS_KEY] == f"{JAVA_17_MODULE_FLAGS} -XX:+UseG1GC"


def test_restart_strategy_fields_have_one_definition() -> None:
    """Every type the spec accepts has an entry; every field named there is a field of the spec."""
    assert set(RESTART_STRATEGY_FIELDS) == set(get_args(RestartType))
    spec_fields = {camel_case(f.name) for f in dataclasses.fields(RestartStrategyArgs)} - {"type"}
    for kind, fields in RESTART_STRATEGY_FIELDS.items():
        assert set(fields) <= spec_fields
        settings = _settings(minimal_cluster(restartStrategy={"type": kind, **RESTARTS[kind]}))
        rendered = {k for k in render_flink_options(settings) if k.startswith("restart-strategy.")}
        assert rendered == {"restart-strategy.type", *(field.option for field in fields.values())}


@pytest.mark.parametrize("text", ["1e-5", "1E5", "1.0e5", "0o17", "9249", "true", "null", ".nan"])
def test_strings_that_yaml_1_2_reads_as_other_types_stay_strings(text: str) -> None:
    """Flink reads config.yaml as YAML 1.2; PyYAML writes 1.1, where '1e-5' is plain text.

    Found by the long fuzz profile: a managed fraction given as the string '1e-50' reached
    Flink as a double and was refused ("overflows/underflows the float type").
    """
    settings = _settings(minimal_cluster(flinkConfiguration={"custom.option": text, "custom.list": [text]}))
    rendered = render_config_files(settings)[CONFIG_FILE]
    assert f"custom.option: '{text}'\n" in rendered
    assert f"- '{text}'\n" in rendered
