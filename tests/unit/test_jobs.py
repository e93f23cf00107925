"""Jobs as code: the `jobs` section resolved and refused at preview time, and the provider's pure decisions.

Resolution: defaults (the cluster's parallelism, stateless, 5 minutes, the Kubernetes
API as the way to the REST API), the directories an upgrade mode uses, and every refusal
with its key path: a jar that is not a jar inside the project (symlinks included), a
REST URL with credentials, the state settings a mode needs. Provider: which input
changes restart a job, which only change how the next restart happens, that a job which
died is a change, and that program arguments never reach the outputs (they may hold secrets).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.errors import ConfigError
from components.jobs.provider import SessionJobProvider, _outputs, args_digest
from tests.support.config import minimal_cluster, resolve

JAR = "jobs/counter.jar"


@pytest.fixture(autouse=True)
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A project directory (where `pulumi up` runs) holding a jar: resolution reads it."""
    (tmp_path / "jobs").mkdir()
    with zipfile.ZipFile(tmp_path / JAR, "w") as jar:
        jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def job(**overrides: object) -> dict[str, object]:
    return {"name": "counter", "jar": JAR, **overrides}


def problems(cluster: dict[str, object]) -> dict[str, str]:
    with pytest.raises(ConfigError) as raised:
        resolve(cluster)
    return {p.path: str(p) for p in raised.value.problems}


def test_a_job_gets_the_clusters_defaults() -> None:
    cluster = resolve(minimal_cluster(jobs=[job()]))
    (resolved,) = cluster.jobs
    assert resolved.parallelism == 4 and resolved.upgrade_mode == "stateless" and resolved.timeout_seconds == 300
    assert resolved.args == () and resolved.entry_class is None and resolved.savepoint_dir is None
    assert cluster.jobs_rest_url is None  # through the Kubernetes API


def test_a_savepoint_job_writes_to_the_clusters_savepoints_dir() -> None:
    cluster = resolve(
        minimal_cluster(
            savepoints={"dir": "s3://bucket/sp"},
            jobsRestUrl="http://127.0.0.1:8081/",
            jobs=[job(upgradeMode="savepoint", parallelism=3, args=["40"], entryClass="CounterJob", timeout="90s")],
        )
    )
    (resolved,) = cluster.jobs
    assert resolved.savepoint_dir == "s3://bucket/sp"
    assert (resolved.parallelism, resolved.args, resolved.entry_class, resolved.timeout_seconds) == (3, ("40",), "CounterJob", 90)
    assert cluster.jobs_rest_url == "http://127.0.0.1:8081"


def test_bad_jobs_are_refused_with_their_key_paths() -> None:
    found = problems(
        minimal_cluster(
            jobsRestUrl="127.0.0.1:8081",
            jobs=[
                job(jar="missing/job.jar"),
                job(parallelism=9),
                job(name="Counter_1", upgradeMode="savepoint"),
                job(name="late", timeout="2d"),
            ],
        )
    )
    assert "is not a file" in found["cluster.jobs[0].jar"] and "'missing/job.jar'" in found["cluster.jobs[0].jar"]
    assert "is also the name of cluster.jobs[0]" in found["cluster.jobs[1].name"]
    assert "needs 9 slots but the cluster has 4" in found["cluster.jobs[1].parallelism"]
    assert "DNS-1123 label" in found["cluster.jobs[2].name"]
    assert "needs cluster.savepoints.dir" in found["cluster.jobs[2].upgradeMode"]
    assert "at most 24h" in found["cluster.jobs[3].timeout"]
    assert "http(s):// URL" in found["cluster.jobsRestUrl"]


def test_the_default_parallelism_is_checked_against_the_slots_at_the_clusters_key() -> None:
    found = problems(minimal_cluster(parallelism=4, taskManager={"slots": 2, "replicas": 1, "cpu": "1", "memory": "1728Mi"}))
    assert "cluster.taskManager.replicas" in found  # the cluster itself is short of slots already
    found = problems(minimal_cluster(jobs=[job(parallelism=5)]))
    assert set(found) == {"cluster.jobs[0].parallelism"}


def test_a_jar_must_be_a_jar_inside_the_project(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "other.jar"
    outside.write_bytes((project / JAR).read_bytes())
    (project / "jobs" / "link.jar").symlink_to(outside)
    (project / "jobs" / "text.jar").write_text("not a zip")
    (project / "jobs" / "dir.jar").mkdir()
    found = problems(
        minimal_cluster(
            jobs=[
                job(name="up", jar="../../etc/passwd"),
                job(name="absolute", jar=str(outside)),
                job(name="link", jar="jobs/link.jar"),
                job(name="text", jar="jobs/text.jar"),
                job(name="dir", jar="jobs/dir.jar"),
            ]
        )
    )
    for index in range(3):
        assert (
            "outside the project directory" in found[f"cluster.jobs[{index}].jar"]
            or "is not a file" in found[f"cluster.jobs[{index}].jar"]
        )
    assert "outside the project directory" in found["cluster.jobs[2].jar"]  # the symlink's target counts
    assert "is not a jar (a zip archive)" in found["cluster.jobs[3].jar"]
    assert "is not a regular file" in found["cluster.jobs[4].jar"]
    assert resolve(minimal_cluster(jobs=[job(jar=str(project / JAR))])).jobs  # an absolute path inside is fine


def test_a_rest_url_with_credentials_is_refused_and_not_echoed() -> None:
    found = problems(minimal_cluster(jobsRestUrl="http://admin:hunter2@flink.example.com:8081", jobs=[job()]))
    assert "holds credentials" in found["cluster.jobsRestUrl"]
    assert "hunter2" not in found["cluster.jobsRestUrl"] and "admin" not in found["cluster.jobsRestUrl"]


def test_last_state_needs_retained_periodic_checkpoints() -> None:
    found = problems(minimal_cluster(jobs=[job(upgradeMode="last-state")]))
    message = found["cluster.jobs[0].upgradeMode"]
    assert "cluster.checkpoints.dir" in message and "cluster.checkpoints.interval" in message
    assert "cluster.checkpoints.retainOnCancellation: true" in message
    checkpoints = {"dir": "s3://b/cp", "interval": "1min", "retainOnCancellation": True}
    cluster = resolve(minimal_cluster(checkpoints=checkpoints, jobs=[job(upgradeMode="last-state")]))
    (resolved,) = cluster.jobs
    assert (resolved.checkpoints_dir, resolved.savepoint_dir) == ("s3://b/cp", None)


def _state(**changes: object) -> dict[str, object]:
    inputs: dict[str, object] = {
        "identity": "flink-session/test/demo-job-counter",
        "access": {
            "cluster": "demo",
            "namespace": "demo",
            "selector": "a=b",
            "port": 8081,
            "url": "http://a:8081",
            "context": None,
        },
        "jarPath": "/x.jar",
        "jarSha256": "j1",
        "entryClass": "E",
        "args": ["secret-token"],
        "parallelism": 2,
        "upgradeMode": "savepoint",
        "allowNonRestoredState": False,
        "savepointDir": "s3://b/sp",
        "timeoutSeconds": 300,
    }
    return {**inputs, **changes}


def test_program_arguments_reach_the_outputs_only_as_a_hash() -> None:
    outputs = _outputs(_state(), jobId="job-1", state="RUNNING")
    assert "args" not in outputs and "secret-token" not in repr(outputs)
    assert outputs["argsSha256"] == args_digest(["secret-token"]) != args_digest(["other"])


@pytest.mark.parametrize(
    ("change", "restarts"),
    [
        ({"jarSha256": "j2"}, True),
        ({"entryClass": "F"}, True),
        ({"args": ["other"]}, True),
        ({"parallelism": 3}, True),
        ({"access": {**_state()["access"], "url": "http://127.0.0.1:8081"}}, False),  # type: ignore[dict-item]
        ({"upgradeMode": "stateless"}, False),
        ({"allowNonRestoredState": True}, False),
        ({"timeoutSeconds": 60}, False),
    ],
)
def test_what_restarts_a_job(change: dict[str, object], restarts: bool) -> None:
    provider = SessionJobProvider()
    olds = _outputs(_state(), jobId="job-1", generation=0, state="RUNNING", lastSavepoint="s3://b/sp/savepoint-1")
    news = _state(**change)
    assert provider.diff("job-1", olds, news).changes is True
    if not restarts:  # a setting only: the job keeps running, nothing is sent to Flink
        updated = provider.update("job-1", olds, news).outs
        assert updated is not None
        assert (updated["jobId"], updated["lastSavepoint"]) == ("job-1", "s3://b/sp/savepoint-1")
        assert all(updated[key] == value for key, value in change.items() if key != "args")


@pytest.mark.parametrize("state", ["CANCELED", "FAILED", "UNKNOWN"])
def test_a_job_that_died_is_a_change(state: str) -> None:
    olds = _outputs(_state(), jobId="job-1", generation=0, state=state)
    assert SessionJobProvider().diff("job-1", olds, _state()).changes is True


def test_a_running_or_finished_job_with_the_same_inputs_is_no_change() -> None:
    for state in ("RUNNING", "FINISHED"):
        olds = _outputs(_state(), jobId="job-1", generation=0, state=state)
        assert SessionJobProvider().diff("job-1", olds, _state()).changes is False


def test_check_refuses_what_cannot_run() -> None:
    result = SessionJobProvider().check({}, _state(jarPath="/nowhere.jar", upgradeMode="eventually", parallelism=0))
    assert {failure.property for failure in result.failures} == {"jarPath", "upgradeMode", "parallelism"}
