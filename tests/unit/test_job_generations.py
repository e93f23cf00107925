"""The job provider's crash safety, against a fake Flink that keeps jobs as the real one does.

Job ids follow from the resource's identity and generation, so a retry of a killed
`pulumi up` adopts the job the killed run submitted instead of starting a second copy;
ids Flink already used (an ended job, or one only its job result store remembers) are
skipped. An upgrade resumes from the newest savepoint or retained checkpoint Flink
reports, never an older one, and fails naming the candidates when the newest cannot be
told. Delete and refresh find the generation a killed update started. The real engine,
real Flink and real kills are in tests/faults.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from components.jobs import provider
from components.jobs.generations import job_id
from components.jobs.provider import SessionJobProvider, _outputs
from components.jobs.rest import LIVE_STATES, FlinkError, JarRun, Snapshot

IDENTITY = "flink-session/test/demo-job-counter"


@dataclass
class FakeJob:
    state: str
    restored: Snapshot | None = None
    savepoint: Snapshot | None = None
    completed: Snapshot | None = None


@dataclass
class FakeFlink:
    """The REST calls the provider makes, over jobs kept as Flink keeps them."""

    jobs: dict[str, FakeJob] = field(default_factory=dict)
    # ids only the job result store remembers: /jobs says 404, a submission is a duplicate
    remembered: set[str] = field(default_factory=set)
    submitted: list[tuple[str, str | None]] = field(default_factory=list)
    clock: int = 10_000
    where: str = "cluster demo (fake)"

    def upload_jar(self, jar: Path) -> str:
        return "jar-1"

    def check_plan(self, jar_id: str, run: JarRun) -> None:
        pass

    def delete_jar(self, jar_id: str) -> None:
        pass

    def run_jar(self, jar_id: str, run: JarRun, restore_from: str | None) -> str:
        if run.job_id in self.jobs or run.job_id in self.remembered:
            raise FlinkError("POST /jars/jar-1/run: HTTP 500: org.apache.flink.runtime.client.DuplicateJobSubmissionException")
        self.submitted.append((run.job_id, restore_from))
        restored = Snapshot(restore_from, 0, True) if restore_from else None
        self.jobs[run.job_id] = FakeJob("RUNNING", restored=restored)
        return run.job_id

    def job(self, job: str) -> dict[str, Any] | None:
        return {"state": self.jobs[job].state} if job in self.jobs else None

    def state(self, job: str) -> str:
        return self.jobs[job].state if job in self.jobs else "UNKNOWN"

    def snapshots(self, job: str) -> dict[str, Snapshot | None]:
        found = self.jobs.get(job)
        if found is None:
            return dict.fromkeys(("completed", "savepoint", "restored"))
        return {"completed": found.completed, "savepoint": found.savepoint, "restored": found.restored}

    def cancel(self, job: str, timeout: float) -> None:
        self.jobs[job].state = "CANCELED"

    def stop_with_savepoint(self, job: str, directory: str | None, timeout: float) -> str:
        self.clock += 1000
        path = f"{directory}/savepoint-{job[:6]}-new"
        self.jobs[job].savepoint = Snapshot(path, self.clock, True)
        self.jobs[job].state = "FINISHED"
        return path

    def wait_for(self, job: str, states: frozenset[str], timeout: float) -> str:
        assert self.state(job) in states
        return self.state(job)


@pytest.fixture
def flink(monkeypatch: pytest.MonkeyPatch) -> FakeFlink:
    fake = FakeFlink()

    @contextlib.contextmanager
    def rest_api(_access: object) -> Iterator[FakeFlink]:
        yield fake

    monkeypatch.setattr(provider, "rest_api", rest_api)
    return fake


def inputs(**changes: object) -> dict[str, Any]:
    props: dict[str, Any] = {
        "identity": IDENTITY,
        "access": {"cluster": "demo", "namespace": "demo", "selector": "a=b", "port": 8081, "url": "http://fake:8081"},
        "jarPath": "/x.jar",
        "jarSha256": "j1",
        "entryClass": "CounterJob",
        "args": [],
        "parallelism": 2,
        "upgradeMode": "savepoint",
        "allowNonRestoredState": False,
        "savepointDir": "file:///sp",
        "checkpointsDir": None,
        "timeoutSeconds": 60,
    }
    return {**props, **changes}


def generation(number: int) -> str:
    return job_id(IDENTITY, number)


def test_ids_are_decided_by_identity_and_generation() -> None:
    assert generation(0) == job_id(IDENTITY, 0) != generation(1) != job_id("other/stack/job", 1)
    assert len(generation(0)) == 32 and int(generation(0), 16) >= 0


def test_create_submits_generation_zero(flink: FakeFlink) -> None:
    created = SessionJobProvider().create(inputs())
    assert created.id == generation(0) and flink.submitted == [(generation(0), None)]
    assert created.outs is not None and created.outs["generation"] == 0


def test_a_retried_create_adopts_the_job_the_killed_run_submitted(flink: FakeFlink) -> None:
    flink.jobs[generation(0)] = FakeJob("RUNNING")
    created = SessionJobProvider().create(inputs())
    assert created.id == generation(0) and flink.submitted == []  # adopted, not submitted again
    assert [job for job, found in flink.jobs.items() if found.state in LIVE_STATES] == [generation(0)]


def test_ids_flink_already_used_are_skipped(flink: FakeFlink) -> None:
    flink.jobs[generation(0)] = FakeJob("FINISHED")  # this resource ran before (a destroy, then an up)
    flink.remembered.add(generation(1))  # only the job result store remembers it
    created = SessionJobProvider().create(inputs())
    assert created.id == generation(2) and flink.submitted == [(generation(2), None)]


def test_a_concurrent_submission_of_the_same_generation_is_adopted(flink: FakeFlink) -> None:
    original = flink.run_jar

    def racing(jar_id: str, run: JarRun, restore_from: str | None) -> str:
        flink.jobs[run.job_id] = FakeJob("RUNNING")  # the other `pulumi up` got there first
        return original(jar_id, run, restore_from)

    flink.run_jar = racing  # type: ignore[method-assign]
    created = SessionJobProvider().create(inputs())
    assert created.id == generation(0) and flink.submitted == []


def _recorded(state: str = "RUNNING", **snapshot: Any) -> dict[str, Any]:
    return _outputs(inputs(), jobId=generation(0), generation=0, state=state, **snapshot)


def test_an_upgrade_stops_with_a_savepoint_and_resumes_from_it(flink: FakeFlink) -> None:
    flink.jobs[generation(0)] = FakeJob("RUNNING")
    updated = SessionJobProvider().update(generation(0), _recorded(), inputs(parallelism=3)).outs
    assert updated is not None and updated["jobId"] == generation(1) and updated["generation"] == 1
    assert flink.submitted == [(generation(1), f"file:///sp/savepoint-{generation(0)[:6]}-new")]
    assert updated["lastSavepoint"] == updated["restoredFrom"] == flink.submitted[0][1]


def test_a_retried_upgrade_resumes_from_the_savepoint_the_killed_run_took(flink: FakeFlink) -> None:
    """Killed between stop-with-savepoint and the resubmit: the state still holds the older savepoint."""
    taken = Snapshot("file:///sp/savepoint-taken-by-the-killed-run", 5000, True)
    flink.jobs[generation(0)] = FakeJob("FINISHED", savepoint=taken)
    olds = _recorded(lastSavepoint="file:///sp/savepoint-older", lastSavepointMs=1000)
    updated = SessionJobProvider().update(generation(0), olds, inputs(parallelism=3)).outs
    assert flink.submitted == [(generation(1), taken.path)]
    assert updated is not None and updated["lastSavepoint"] == taken.path


def test_a_retried_upgrade_adopts_the_new_generation(flink: FakeFlink) -> None:
    """Killed after the new job started: the next `pulumi up` finds it and submits nothing."""
    flink.jobs[generation(0)] = FakeJob("FINISHED")
    flink.jobs[generation(1)] = FakeJob("RUNNING", restored=Snapshot("file:///sp/savepoint-x", 7000, True))
    updated = SessionJobProvider().update(generation(0), _recorded(), inputs(parallelism=3)).outs
    assert updated is not None and updated["jobId"] == generation(1) and updated["lastSavepoint"] == "file:///sp/savepoint-x"
    assert flink.submitted == []


def test_a_savepoint_older_than_the_states_is_never_used(flink: FakeFlink) -> None:
    flink.jobs[generation(0)] = FakeJob("CANCELED", savepoint=Snapshot("file:///sp/savepoint-stale", 100, True))
    olds = _recorded(state="CANCELED", lastSavepoint="file:///sp/savepoint-recorded", lastSavepointMs=900)
    SessionJobProvider().update(generation(0), olds, inputs())
    assert flink.submitted == [(generation(1), "file:///sp/savepoint-recorded")]


def test_when_flink_forgot_the_job_and_the_directory_cannot_be_listed_the_update_names_the_candidates(
    flink: FakeFlink,
) -> None:
    olds = _recorded(state="UNKNOWN", lastSavepoint="s3://b/sp/savepoint-recorded", lastSavepointMs=900)
    with pytest.raises(FlinkError) as failed:
        SessionJobProvider().update(generation(0), olds, inputs(savepointDir="s3://b/sp"))
    assert "no longer knows the job" in str(failed.value) and "s3://b/sp/savepoint-recorded" in str(failed.value)
    assert "initialSavepointPath" in str(failed.value) and flink.submitted == []


def test_last_state_resumes_from_the_newest_retained_checkpoint(flink: FakeFlink) -> None:
    checkpoint = Snapshot("file:///cp/x/chk-7", 8000, False)
    flink.jobs[generation(0)] = FakeJob("RUNNING", completed=checkpoint, savepoint=Snapshot("file:///sp/old", 10, True))
    SessionJobProvider().update(generation(0), _recorded(), inputs(upgradeMode="last-state", parallelism=3))
    assert flink.jobs[generation(0)].state == "CANCELED"  # cancelled, its checkpoint retained
    assert flink.submitted == [(generation(1), checkpoint.path)]


def test_delete_stops_the_generation_a_killed_update_started(flink: FakeFlink) -> None:
    flink.jobs[generation(0)] = FakeJob("FINISHED")
    flink.jobs[generation(1)] = FakeJob("RUNNING")
    SessionJobProvider().delete(generation(0), _recorded(state="FINISHED"))
    assert flink.jobs[generation(1)].state == "FINISHED" and flink.jobs[generation(1)].savepoint is not None


def test_refresh_adopts_the_generation_a_killed_update_started(flink: FakeFlink) -> None:
    flink.jobs[generation(0)] = FakeJob("FINISHED")
    flink.jobs[generation(1)] = FakeJob("RUNNING")
    read = SessionJobProvider().read(generation(0), _recorded(state="RUNNING"))
    assert read.outs is not None and (read.outs["jobId"], read.outs["generation"], read.outs["state"]) == (
        generation(1),
        1,
        "RUNNING",
    )


def test_a_job_recorded_by_an_older_version_is_still_stopped(flink: FakeFlink) -> None:
    """State written before job ids were decided: a REST URL, a random job id, no identity or generation."""
    legacy = {"restUrl": "http://fake:8081", "jobId": "0" * 32, "upgradeMode": "stateless", "timeoutSeconds": 60}
    flink.jobs["0" * 32] = FakeJob("RUNNING")
    SessionJobProvider().delete("0" * 32, legacy)
    assert flink.jobs["0" * 32].state == "CANCELED"


def test_a_delete_whose_stop_races_a_stop_already_under_way_is_done(flink: FakeFlink) -> None:
    """A killed destroy's stop-with-savepoint ends the job while the next destroy asks for its own."""
    flink.jobs[generation(0)] = FakeJob("RUNNING")

    def already_stopping(job: str, directory: str | None, timeout: float) -> str:
        flink.jobs[job].state = "FINISHED"
        raise FlinkError(f"stop-with-savepoint of job {job} failed; Flink said: FlinkJobNotFoundException")

    flink.stop_with_savepoint = already_stopping  # type: ignore[method-assign]
    SessionJobProvider().delete(generation(0), _recorded())
    assert flink.jobs[generation(0)].state == "FINISHED"


def test_a_delete_that_cannot_stop_a_running_job_fails(flink: FakeFlink) -> None:
    flink.jobs[generation(0)] = FakeJob("RUNNING")

    def refused(job: str, directory: str | None, timeout: float) -> str:
        raise FlinkError("stop-with-savepoint failed; the job keeps running")

    flink.stop_with_savepoint = refused  # type: ignore[method-assign]
    flink.wait_for = lambda job, states, timeout: (_ for _ in ()).throw(FlinkError("timed out"))  # type: ignore[method-assign]
    with pytest.raises(FlinkError, match="keeps running"):
        SessionJobProvider().delete(generation(0), _recorded())
