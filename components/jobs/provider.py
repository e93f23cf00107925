"""The FlinkSessionJob dynamic provider: a job on a session cluster, kept as the stack says, through Flink's REST API.

Lifecycle (every step waits for Flink and fails with Flink's own text; job ids follow
from the resource and its generation, generations.py, so every step can be retried):
  create   adopt the job if this resource's generation already runs (a killed `pulumi up`
           submitted it), else upload the jar, have Flink plan it (a jar whose main() fails
           is refused before anything runs), run it under the generation's id and wait
           until RUNNING (or FINISHED for a bounded job);
  update   the same for the next generation, after the old job stopped the way
           `upgradeMode` says: `stateless` cancels; `savepoint` stops with a savepoint (if
           that fails, the old job keeps running and the update fails); `last-state`
           cancels and resumes from the newest retained checkpoint. The new job resumes
           from the newest savepoint or checkpoint the old one has, which Flink reports
           (or, once Flink forgot the job, the snapshot directory holds), never from an
           older one: when the newest cannot be told, the update fails naming the candidates;
  delete   stop the recorded generation and the next one (a killed update may have started it);
  read     the job's real state, so `pulumi refresh` shows a job that failed or was
           cancelled by hand (the next `pulumi up` runs it again), and adopts the next
           generation when a killed update left it running.
Program arguments are Pulumi secrets and leave only their hash in the state, itself a secret.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, get_args

from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from components.jobs.access import RestAccess, access_as_kept, rest_api, snapshots_on_disk
from components.jobs.generations import MAX_SKIPPED_GENERATIONS, job_id
from components.jobs.rest import (
    ENDED_STATES,
    HEALTHY_STATES,
    LIVE_STATES,
    FlinkError,
    FlinkRest,
    JarRun,
    Snapshot,
    is_duplicate_submission,
)
from components.jobs.rpc import reported
from components.model.choices import UpgradeMode

UPGRADE_MODES: tuple[str, ...] = get_args(UpgradeMode)
# What the job runs: a change to any of these restarts it. Other inputs (how Flink is
# reached, the upgrade mode, the timeout, allowNonRestoredState) say how the next restart happens.
RESTART_KEYS = ("jarSha256", "entryClass", "argsSha256", "parallelism")
SETTING_KEYS = ("access", "upgradeMode", "allowNonRestoredState", "savepointDir", "checkpointsDir", "timeoutSeconds")
# The provider's own outputs, beside the inputs it keeps.
STATE_KEYS = ("jobId", "generation", "state", "lastSavepoint", "lastSavepointMs", "restoredFrom")


def args_digest(args: list[str] | tuple[str, ...]) -> str:
    return hashlib.sha256(json.dumps(list(args)).encode()).hexdigest()


def _access(props: dict[str, Any]) -> RestAccess:
    if "access" not in props:  # the state of a job created before jobs were reached through the Kubernetes API
        return RestAccess(cluster="", namespace="", selector="", port=0, url=str(props["restUrl"]))
    return RestAccess.from_props(props["access"])


def _run(props: dict[str, Any], generation: int) -> JarRun:
    return JarRun(
        job_id=job_id(props["identity"], generation),
        entry_class=props.get("entryClass") or None,
        args=tuple(str(a) for a in props.get("args") or ()),
        parallelism=int(props["parallelism"]),
        allow_non_restored_state=bool(props.get("allowNonRestoredState", False)),
    )


def _outputs(props: dict[str, Any], **state: Any) -> dict[str, Any]:
    """The resource's state: what it runs (args only as a hash, no kubeconfig) and what Flink reports."""
    kept = ("identity", "jarPath", "jarSha256", "entryClass", "parallelism", "upgradeMode", "allowNonRestoredState")
    return {
        **{key: props.get(key) for key in kept},
        "access": access_as_kept(props["access"]),
        **{key: props.get(key) for key in ("savepointDir", "checkpointsDir", "timeoutSeconds", "initialSavepointPath")},
        "argsSha256": args_digest(props.get("args") or []),
        **{key: state.get(key) for key in STATE_KEYS},
    }


def _timeout(props: dict[str, Any]) -> float:
    return float(props["timeoutSeconds"])


class SessionJobProvider(ResourceProvider):
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = []
        jar = news.get("jarPath")
        if not isinstance(jar, str) or not Path(jar).is_file():
            failures.append(CheckFailure("jarPath", f"{jar!r} is not a file that can be uploaded"))
        if news.get("upgradeMode") not in UPGRADE_MODES:
            failures.append(CheckFailure("upgradeMode", f"must be one of {', '.join(UPGRADE_MODES)}"))
        parallelism = news.get("parallelism")
        if not isinstance(parallelism, int | float) or int(parallelism) < 1:
            failures.append(CheckFailure("parallelism", "must be a whole number >= 1"))
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [key for key in RESTART_KEYS if olds.get(key) != _wanted(news).get(key)]
        if olds.get("state") not in HEALTHY_STATES:
            changed.append("state")  # it failed or was cancelled: running it again is the change
        settings = [key for key in SETTING_KEYS if _comparable(olds, key) != _comparable(news, key)]
        return DiffResult(changes=bool(changed or settings), replaces=[], delete_before_replace=False)

    @reported
    def create(self, props: dict[str, Any]) -> CreateResult:
        with rest_api(_access(props)) as rest:
            generation, state = _start(rest, props, first=0, restore_from=props.get("initialSavepointPath") or None)
            restored = rest.snapshots(job_id(props["identity"], generation))["restored"]
        outputs = _outputs(props, generation=generation, state=state, restoredFrom=restored.path if restored else None)
        outputs["jobId"] = job_id(props["identity"], generation)
        return CreateResult(outputs["jobId"], outputs)

    @reported
    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        restart = [key for key in RESTART_KEYS if olds.get(key) != _wanted(news).get(key)]
        if not restart and olds.get("state") in HEALTHY_STATES:
            return UpdateResult(_outputs(news, **{key: olds.get(key) for key in STATE_KEYS}))
        with rest_api(_access(news)) as rest:
            return UpdateResult(_replace(rest, olds, news))

    @reported
    def delete(self, _id: str, props: dict[str, Any]) -> None:
        with rest_api(_access(props)) as rest:
            for live in _live_generations(rest, props):
                try:
                    if props.get("upgradeMode") == "savepoint":
                        rest.stop_with_savepoint(live, props.get("savepointDir"), _timeout(props))
                    else:
                        rest.cancel(live, _timeout(props))
                except FlinkError as error:
                    # A stop already under way (a killed destroy's) may end the job meanwhile: then the delete is done.
                    try:
                        rest.wait_for(live, ENDED_STATES, min(_timeout(props), 120))
                    except FlinkError:
                        raise error from None

    @reported
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with rest_api(_access(props)) as rest:
            recorded = props.get("jobId") or id_
            state = rest.state(recorded)
            if state not in LIVE_STATES and "generation" in props and props["generation"] is not None:
                following = int(props["generation"]) + 1
                if rest.state(job_id(props["identity"], following)) in LIVE_STATES:
                    # A killed update started the next generation: it is this resource's job now.
                    adopted = job_id(props["identity"], following)
                    return ReadResult(id_, {**props, "jobId": adopted, "generation": following, "state": rest.state(adopted)})
        return ReadResult(id_, {**props, "state": state})


def _comparable(props: dict[str, Any], key: str) -> Any:
    """The value a setting is compared by: access without its kubeconfig (a secret the state does not keep)."""
    value = props.get(key)
    if key == "access" and isinstance(value, dict):
        return access_as_kept(value)
    return value


def _wanted(props: dict[str, Any]) -> dict[str, Any]:
    """The restart-relevant values of new inputs, spelled as the outputs spell them."""
    return {**props, "argsSha256": args_digest(props.get("args") or [])}


def _live_generations(rest: FlinkRest, props: dict[str, Any]) -> list[str]:
    """The job ids of this resource that run: the recorded one and the next (a killed update's)."""
    candidates = [str(props["jobId"])] if props.get("jobId") else []
    if props.get("generation") is not None:
        candidates.append(job_id(props["identity"], int(props["generation"]) + 1))
    return [candidate for candidate in dict.fromkeys(candidates) if rest.state(candidate) in LIVE_STATES]


def _claim(rest: FlinkRest, identity: str, first: int) -> tuple[int, bool]:
    """The first generation from `first` whose id is free, or live (then adopted: True)."""
    for generation in range(first, first + MAX_SKIPPED_GENERATIONS):
        state = rest.state(job_id(identity, generation))
        if state == "UNKNOWN":
            return generation, False
        if state in LIVE_STATES:
            return generation, True
    raise FlinkError(
        f"{rest.where} knows {MAX_SKIPPED_GENERATIONS} ended jobs of {identity} after generation {first}; "
        "restart the JobManager or let its job store expire them (jobstore.expiration-time) before running it again"
    )


def _start(rest: FlinkRest, props: dict[str, Any], *, first: int, restore_from: str | None) -> tuple[int, str]:
    """Run the job under the first free generation from `first` (or adopt it if it runs); its generation and state."""
    generation, adopted = _claim(rest, props["identity"], first)
    while not adopted:
        run = _run(props, generation)
        jar_id = rest.upload_jar(Path(props["jarPath"]))
        try:
            rest.check_plan(jar_id, run)
            rest.run_jar(jar_id, run, restore_from)
            break
        except FlinkError as error:
            if not is_duplicate_submission(error):
                raise
            # Another `pulumi up` submitted this generation first (adopt it), or Flink remembers an ended one.
            if rest.state(run.job_id) in LIVE_STATES:
                break
            generation, adopted = _claim(rest, props["identity"], generation + 1)
        finally:
            rest.delete_jar(jar_id)
    running = frozenset({"RUNNING", "FINISHED"})
    return generation, rest.wait_for(job_id(props["identity"], generation), running, _timeout(props))


def _replace(rest: FlinkRest, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
    """Stop the old generation as the upgrade mode says and start the next from the newest state; the jar is checked first."""
    old_generation = olds.get("generation")
    following = int(old_generation) + 1 if old_generation is not None else 0
    generation, adopted = _claim(rest, news["identity"], following)
    if adopted:  # a killed update already started it
        restored = rest.snapshots(job_id(news["identity"], generation))["restored"]
        state = rest.state(job_id(news["identity"], generation))
        return _done(news, generation, state, restored, olds)
    jar_id = rest.upload_jar(Path(news["jarPath"]))
    try:
        rest.check_plan(jar_id, _run(news, generation))  # a broken jar fails here, with the old job untouched
    finally:
        rest.delete_jar(jar_id)
    old_id = str(olds["jobId"])
    resume = _stop(rest, old_id, olds, news)
    try:
        generation, state = _start(rest, news, first=generation, restore_from=resume.path if resume else None)
    except FlinkError as error:
        where = f"; resume from {resume.path}" if resume else ""
        raise FlinkError(f"the old job {old_id} stopped but the new one did not start{where}: {error}") from None
    restored = rest.snapshots(job_id(news["identity"], generation))["restored"]
    return _done(news, generation, state, restored or resume, olds)


def _done(news: dict[str, Any], generation: int, state: str, restored: Snapshot | None, olds: dict[str, Any]) -> dict[str, Any]:
    last = (restored.path, restored.taken_ms) if restored else (olds.get("lastSavepoint"), olds.get("lastSavepointMs"))
    outputs = _outputs(
        news,
        generation=generation,
        state=state,
        lastSavepoint=last[0],
        lastSavepointMs=last[1],
        restoredFrom=restored.path if restored else None,
    )
    outputs["jobId"] = job_id(news["identity"], generation)
    return outputs


def _stop(rest: FlinkRest, old_id: str, olds: dict[str, Any], news: dict[str, Any]) -> Snapshot | None:
    """Stop the old job if it runs; the snapshot the new one resumes from (None for stateless)."""
    mode = news.get("upgradeMode")
    timeout = _timeout(news)
    if rest.state(old_id) in LIVE_STATES:
        if mode == "savepoint":
            path = rest.stop_with_savepoint(old_id, news.get("savepointDir"), timeout)
            taken = rest.snapshots(old_id)["savepoint"]
            return taken if taken is not None and taken.path == path else Snapshot(path, 0, is_savepoint=True)
        rest.cancel(old_id, timeout)
    if mode == "stateless":
        return None
    return _newest_snapshot(rest, old_id, olds, news)


def _newest_snapshot(rest: FlinkRest, old_id: str, olds: dict[str, Any], news: dict[str, Any]) -> Snapshot | None:
    """The newest savepoint (and, for last-state, retained checkpoint) of the stopped job; never an older one."""
    recorded = Snapshot(olds["lastSavepoint"], int(olds.get("lastSavepointMs") or 0), True) if olds.get("lastSavepoint") else None
    kinds = ("savepoint", "completed") if news.get("upgradeMode") == "last-state" else ("savepoint",)
    if rest.job(old_id) is not None:
        reported = rest.snapshots(old_id)
        candidates = [snapshot for kind in kinds if (snapshot := reported[kind]) is not None]
        if recorded is not None:
            candidates.append(recorded)
        return max(candidates, key=lambda s: s.taken_ms, default=None)
    # Flink forgot the job (its JobManager restarted): look where its snapshots are written.
    found: list[tuple[int, str]] = []
    places = [(news.get("savepointDir"), f"savepoint-{old_id[:6]}-")]
    if news.get("upgradeMode") == "last-state" and news.get("checkpointsDir"):
        places.append((f"{str(news['checkpointsDir']).rstrip('/')}/{old_id}", "chk-"))
    for directory, prefix in places:
        local = directory is not None and str(directory).startswith("file://")
        listed = snapshots_on_disk(_access(news), str(directory), prefix) if local else None
        if listed is None:
            named = recorded.path if recorded else "none recorded"
            raise FlinkError(
                f"cannot tell the newest savepoint of job {old_id}: {rest.where} no longer knows the job and "
                f"{directory} cannot be listed from here. Candidates: {named}. "
                "To resume from one, set the job's initialSavepointPath to it and replace the job "
                "(`pulumi up --replace <the job's URN>`)"
            )
        found += listed
    newest = max(found, default=None)
    if newest is not None and (recorded is None or newest[0] >= recorded.taken_ms):
        return Snapshot(newest[1], newest[0], is_savepoint="savepoint-" in newest[1])
    return recorded
