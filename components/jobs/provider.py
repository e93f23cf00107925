"""The FlinkSessionJob dynamic provider: a job on a session cluster, kept as the stack says, through Flink's REST API.

Lifecycle (every step waits for Flink and fails with Flink's own text):
  create   upload the jar, ask Flink for the job's plan (a jar whose main() fails is refused
           before anything runs), run it, wait until RUNNING (or FINISHED for a bounded job);
  update   upload and plan the new jar first, so a bad jar fails the update while the old job
           keeps running; then `stateless`: cancel and resubmit; `savepoint`: stop with a
           savepoint (if that fails, the old job keeps running and the update fails) and
           resubmit from it. Never two copies; none only if Flink refuses to start the new
           job after the old one stopped, and the error then names the savepoint to resume from;
  delete   `savepoint`: stop with a savepoint; `stateless`: cancel;
  read     the job's real state, so `pulumi refresh` shows a job that failed or was cancelled
           by hand, and the next `pulumi up` submits it again (from the last savepoint it took).
Program arguments never appear in the outputs (only their hash): they may hold secrets.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from components.jobs.rest import DONE_STATES, LIVE_STATES, FlinkError, FlinkRest, JobSpec

UPGRADE_MODES = ("stateless", "savepoint")
# What the job runs: a change to any of these restarts it. Other inputs (the REST URL, the
# upgrade mode, the timeout, allowNonRestoredState) only say how the next restart happens.
RESTART_KEYS = ("jarSha256", "entryClass", "argsSha256", "parallelism")
HEALTHY_STATES = LIVE_STATES | DONE_STATES


def args_digest(args: list[str] | tuple[str, ...]) -> str:
    return hashlib.sha256(json.dumps(list(args)).encode()).hexdigest()


def _spec(props: dict[str, Any]) -> JobSpec:
    return JobSpec(
        entry_class=props.get("entryClass") or None,
        args=tuple(str(a) for a in props.get("args") or ()),
        parallelism=int(props["parallelism"]),
        allow_non_restored_state=bool(props.get("allowNonRestoredState", False)),
    )


def _outputs(props: dict[str, Any], job_id: str, state: str, last_savepoint: str | None) -> dict[str, Any]:
    """The resource's state: what it runs (args only as a hash) and what Flink reports."""
    kept = ("restUrl", "jarPath", "jarSha256", "entryClass", "parallelism", "upgradeMode", "allowNonRestoredState")
    return {
        **{key: props.get(key) for key in kept},
        "savepointDir": props.get("savepointDir"),
        "timeoutSeconds": props.get("timeoutSeconds"),
        "argsSha256": args_digest(props.get("args") or []),
        "jobId": job_id,
        "state": state,
        "lastSavepoint": last_savepoint,
    }


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
        settings = [
            k
            for k in ("restUrl", "upgradeMode", "allowNonRestoredState", "savepointDir", "timeoutSeconds")
            if olds.get(k) != news.get(k)
        ]
        return DiffResult(changes=bool(changed or settings), replaces=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        job_id, state = _submit(props, savepoint=None)
        return CreateResult(job_id, _outputs(props, job_id, state, None))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        restart = [key for key in RESTART_KEYS if olds.get(key) != _wanted(news).get(key)]
        if not restart and olds.get("state") in HEALTHY_STATES:
            return UpdateResult(_outputs(news, olds["jobId"], olds["state"], olds.get("lastSavepoint")))
        job_id, state, savepoint = _replace(olds, news)
        return UpdateResult(_outputs(news, job_id, state, savepoint))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        rest = FlinkRest(props["restUrl"])
        if rest.state(props["jobId"]) not in LIVE_STATES:
            return
        timeout = float(props.get("timeoutSeconds") or 300)
        if props.get("upgradeMode") == "savepoint":
            rest.stop_with_savepoint(props["jobId"], props.get("savepointDir"), timeout)
        else:
            rest.cancel(props["jobId"], timeout)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        state = FlinkRest(props["restUrl"]).state(props.get("jobId") or id_)
        return ReadResult(id_, {**props, "state": state})


def _wanted(props: dict[str, Any]) -> dict[str, Any]:
    """The restart-relevant values of new inputs, spelled as the outputs spell them."""
    return {**props, "argsSha256": args_digest(props.get("args") or [])}


def _submit(props: dict[str, Any], savepoint: str | None) -> tuple[str, str]:
    rest = FlinkRest(props["restUrl"])
    spec = _spec(props)
    jar_id = rest.upload_jar(Path(props["jarPath"]))
    try:
        rest.plan(jar_id, spec)
        job_id = rest.run_jar(jar_id, spec, savepoint)
    finally:
        rest.delete_jar(jar_id)
    return job_id, _started(rest, job_id, props)


def _started(rest: FlinkRest, job_id: str, props: dict[str, Any]) -> str:
    return rest.wait_for(job_id, frozenset({"RUNNING", "FINISHED"}), float(props.get("timeoutSeconds") or 300))


def _replace(olds: dict[str, Any], news: dict[str, Any]) -> tuple[str, str, str | None]:
    """Stop the old job the way the upgrade mode says and start the new one; the new jar is checked first."""
    rest = FlinkRest(news["restUrl"])
    spec = _spec(news)
    timeout = float(news.get("timeoutSeconds") or 300)
    jar_id = rest.upload_jar(Path(news["jarPath"]))
    try:
        rest.plan(jar_id, spec)  # a broken jar fails here, with the old job untouched
        old_id = olds["jobId"]
        savepoint: str | None = olds.get("lastSavepoint") if news.get("upgradeMode") == "savepoint" else None
        if rest.state(old_id) in LIVE_STATES:
            if news.get("upgradeMode") == "savepoint":
                savepoint = rest.stop_with_savepoint(old_id, news.get("savepointDir"), timeout)
            else:
                rest.cancel(old_id, timeout)
        try:
            job_id = rest.run_jar(jar_id, spec, savepoint)
            state = _started(rest, job_id, news)
        except FlinkError as error:
            where = f"; resume from savepoint {savepoint}" if savepoint else ""
            raise FlinkError(f"the old job {old_id} was stopped but the new one did not start{where}: {error}") from None
    finally:
        rest.delete_jar(jar_id)
    return job_id, state, savepoint
