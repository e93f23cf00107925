"""Property test, long profile: thousands of arbitrary values, and Flink's own verdict on every render.

The same property as tests/unit/test_fuzz.py (a ConfigError naming the changed key,
or a render that passes the strict OpenAPI schema of Kubernetes 1.29 and 1.37), run
over many more examples; in addition each rendered config.yaml is handed, as the
conf directory, to Flink's BashJavaUtils (what the official image runs to size the
JVM) for the TaskManager and the JobManager: Flink must accept every layout the
settings accepted, with the same JVM flags and pool sizes as the preview computed.

FLINK_SESSION_FUZZ_EXAMPLES overrides the number of examples (default 5000), and
FLINK_SESSION_FUZZ_SEED explores other examples than CI's fixed (derandomized) ones.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, seed, settings

from components.flink.memory_options import JM_OPTION_KEYS, TM_OPTION_KEYS
from tests.flink.conftest import ORACLE_VERSIONS, home_for
from tests.flink.test_memory_oracle import dynamic_sizes
from tests.support.flink import MemoryOracle
from tests.support.fuzz import Path as KeyPath
from tests.support.fuzz import Rendered, check_example, examples
from tests.support.kube_schema import KUBERNETES_VERSIONS

LONG_EXAMPLES = int(os.environ.get("FLINK_SESSION_FUZZ_EXAMPLES", "5000"))
SEED = os.environ.get("FLINK_SESSION_FUZZ_SEED")


class Oracles:
    """One BashJavaUtils JVM per Flink major line, and a conf directory for the config.yaml under test."""

    def __init__(self, homes: dict[str, Path], workdir: Path) -> None:
        self.by_major = {
            int(version.split(".")[0]): MemoryOracle(home_for(homes, version), workdir / version) for version in ORACLE_VERSIONS
        }
        for version in ORACLE_VERSIONS:
            (workdir / version).mkdir(exist_ok=True)
        self.conf = workdir / "rendered-conf"
        self.conf.mkdir()

    def check(self, rendered: Rendered) -> None:
        cluster = rendered.cluster
        (self.conf / "config.yaml").write_text(rendered.config_yaml)
        oracle = self.by_major[cluster.flink_version.major]
        tm = oracle.ask("GET_TM_RESOURCE_PARAMS", {}, conf_dir=self.conf)
        assert not isinstance(tm, str), f"Flink refused the TaskManager layout the preview accepted: {tm}"
        assert tm[0] == cluster.task_manager.layout.jvm_flags()
        pools = dynamic_sizes(tm[1])
        assert pools["taskmanager.memory.managed.size"] == cluster.task_manager.layout.managed
        assert pools["taskmanager.memory.network.min"] == cluster.task_manager.layout.network
        assert pools["taskmanager.memory.task.heap.size"] == cluster.task_manager.layout.task_heap
        jm = oracle.ask("GET_JM_RESOURCE_PARAMS", {}, conf_dir=self.conf)
        assert not isinstance(jm, str), f"Flink refused the JobManager layout the preview accepted: {jm}"
        assert jm[0] == cluster.job_manager.layout.jvm_flags()

    def close(self) -> None:
        for oracle in self.by_major.values():
            oracle.close()


@pytest.fixture(scope="module")
def oracles(flink_homes: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Oracles]:
    found = Oracles(flink_homes, tmp_path_factory.mktemp("fuzz-oracles"))
    yield found
    found.close()


@seed(int(SEED or 0))
@settings(
    max_examples=LONG_EXAMPLES,
    deadline=None,
    derandomize=SEED is None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(example=examples())
def test_any_value_in_any_key_is_an_error_naming_it_or_a_render_flink_accepts(
    oracles: Oracles, example: tuple[str, KeyPath, dict[str, Any]]
) -> None:
    _, path, config = example
    rendered = check_example(path, config, kubernetes_versions=KUBERNETES_VERSIONS)
    for item in rendered:
        oracles.check(item)
    memory_options = any((TM_OPTION_KEYS | JM_OPTION_KEYS) & set(item.cluster.flink_configuration) for item in rendered)
    event("refused" if not rendered else "rendered, Flink agrees" + (" (with memory options)" if memory_options else ""))


def test_the_oracle_reads_the_rendered_conf_directory(oracles: Oracles) -> None:
    """Guards the property: the layout must come from the rendered file, not from defaults."""
    (oracles.conf / "config.yaml").write_text("taskmanager.memory.process.size: 900m\n")
    answer = oracles.by_major[2].ask("GET_TM_RESOURCE_PARAMS", {}, conf_dir=oracles.conf)
    assert isinstance(answer, str) and "exceed configured Total Flink Memory" in answer
