"""A client for the Flink REST API calls that running session jobs takes (1.19 to 2.x), on `requests`.

Every error is a FlinkError carrying the HTTP status (when there was an answer) and
Flink's own error text, so `pulumi up` shows why Flink refused a jar or a job failed,
not just a status line. Jar uploads are streamed from the file (requests-toolbelt's
multipart encoder), so a large jar is never held in memory.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import requests
from requests_toolbelt import MultipartEncoder

# Job states in which the job is what the stack asked for, or on its way there.
LIVE_STATES = frozenset({"INITIALIZING", "CREATED", "RUNNING", "RESTARTING", "RECONCILING"})
# A bounded job that finished did what it was asked to.
DONE_STATES = frozenset({"FINISHED"})
ENDED_STATES = frozenset({"FINISHED", "CANCELED", "FAILED"})
HEALTHY_STATES = LIVE_STATES | DONE_STATES
# How long one REST call may take; waits for a job's state have their own timeout.
REQUEST_TIMEOUT_SECONDS = 60

_T = TypeVar("_T")


class FlinkError(RuntimeError):
    """A REST call failed or a job did not reach the state asked for; the message has Flink's reason."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def wait_until(probe: Callable[[], _T], done: Callable[[_T], bool], *, timeout: float, what: str, interval: float = 0.5) -> _T:
    """Call `probe` until `done` says its value is what was awaited; a FlinkError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise FlinkError(f"timed out after {timeout:.0f} s waiting for {what} (last: {value})")
        time.sleep(interval)


@dataclass(frozen=True)
class JarRun:
    """What `POST /jars/:jarid/run` starts: the jar's program, its arguments and parallelism, under a given job id."""

    job_id: str
    entry_class: str | None
    args: tuple[str, ...]
    parallelism: int
    allow_non_restored_state: bool = False

    def body(self, restore_from: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {"jobId": self.job_id, "programArgsList": list(self.args), "parallelism": self.parallelism}
        if self.entry_class:
            body["entryClass"] = self.entry_class
        if restore_from is not None:
            body["savepointPath"] = restore_from
            body["allowNonRestoredState"] = self.allow_non_restored_state
        return body


@dataclass(frozen=True)
class Snapshot:
    """A completed savepoint or checkpoint Flink reports for a job: where it is and when it was taken."""

    path: str
    taken_ms: int
    is_savepoint: bool


class FlinkRest:
    """One session cluster's REST API, e.g. `FlinkRest("http://127.0.0.1:8081", where="cluster analytics")`.

    `where` names the cluster in messages (the URL alone may be a local port-forward).
    """

    def __init__(self, url: str, *, where: str = "", poll_interval: float = 0.5) -> None:
        self.url = url.rstrip("/")
        self.where = where or self.url
        self.poll_interval = poll_interval
        self._session = requests.Session()

    def close(self) -> None:
        self._session.close()

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        try:
            response = self._session.request(
                method,
                f"{self.url}{path}",
                json=body if data is None else None,
                data=data,
                headers=headers,
                timeout=REQUEST_TIMEOUT_SECONDS,
            )
        except requests.RequestException as error:
            reason = str(error.__cause__ or error).splitlines()[0]
            raise FlinkError(f"{method} {path}: cannot reach the Flink REST API of {self.where}: {reason}") from None
        if not response.ok:
            status = response.status_code
            raise FlinkError(f"{method} {path}: HTTP {status}: {_flink_errors(response.content)}", status)
        return response.json() if response.content else {}

    # -- jars -------------------------------------------------------------------------------
    def upload_jar(self, jar: Path) -> str:
        with jar.open("rb") as stream:
            form = MultipartEncoder(fields={"jarfile": (jar.name, stream, "application/java-archive")})
            answer = self._call("POST", "/jars/upload", data=form, headers={"Content-Type": form.content_type})
        return str(answer["filename"]).rsplit("/", 1)[-1]

    def check_plan(self, jar_id: str, run: JarRun) -> None:
        """Ask Flink for the job graph without running it: a jar whose main() fails is refused here."""
        self._call("POST", f"/jars/{jar_id}/plan", body=run.body(None))

    def run_jar(self, jar_id: str, run: JarRun, restore_from: str | None) -> str:
        return str(self._call("POST", f"/jars/{jar_id}/run", body=run.body(restore_from))["jobid"])

    def delete_jar(self, jar_id: str) -> None:
        self._call("DELETE", f"/jars/{jar_id}")

    # -- jobs -------------------------------------------------------------------------------
    def job(self, job_id: str) -> dict[str, Any] | None:
        """The job's details, or None when this cluster does not know it."""
        try:
            answer: dict[str, Any] = self._call("GET", f"/jobs/{job_id}")
        except FlinkError as error:
            if error.status == 404:
                return None
            raise
        return answer

    def state(self, job_id: str) -> str:
        job = self.job(job_id)
        return "UNKNOWN" if job is None else str(job["state"])

    def jobs(self) -> list[dict[str, Any]]:
        """Every job the cluster knows: `jid`, `name`, `state`, `start-time`, ..."""
        return list(self._call("GET", "/jobs/overview").get("jobs", []))

    def overview(self) -> dict[str, Any]:
        """The cluster's `/overview`: `taskmanagers`, `slots-total`, `slots-available`, `jobs-running`, ..."""
        answer: dict[str, Any] = self._call("GET", "/overview")
        return answer

    def task_managers(self) -> list[dict[str, Any]]:
        """Every registered TaskManager: `id`, `path` (its RPC address), `slotsNumber`, `freeSlots`, ..."""
        return list(self._call("GET", "/taskmanagers").get("taskmanagers", []))

    def failure(self, job_id: str) -> str:
        """Flink's own account of why a job failed (the newest exception), or ''."""
        try:
            answer = self._call("GET", f"/jobs/{job_id}/exceptions")
        except FlinkError:
            return ""
        if answer.get("root-exception"):  # 1.x; removed in 2.0
            return str(answer["root-exception"])
        entries = (answer.get("exceptionHistory") or {}).get("entries") or []
        if entries:
            newest = entries[0]
            return str(newest.get("stacktrace") or newest.get("exceptionName") or "")
        return ""

    def snapshots(self, job_id: str) -> dict[str, Snapshot | None]:
        """The job's newest completed checkpoint, newest savepoint and what it was restored from (None: none, or unknown)."""
        try:
            latest = (self._call("GET", f"/jobs/{job_id}/checkpoints").get("latest") or {}) if self.job(job_id) else {}
        except FlinkError as error:
            if error.status == 404:
                latest = {}
            else:
                raise
        return {kind: _snapshot(latest.get(kind)) for kind in ("completed", "savepoint", "restored")}

    def cancel(self, job_id: str, timeout: float) -> None:
        self._call("PATCH", f"/jobs/{job_id}?mode=cancel")
        self.wait_for(job_id, ENDED_STATES, timeout)

    def stop_with_savepoint(self, job_id: str, target_directory: str | None, timeout: float) -> str:
        """Stop the job after a savepoint; return its location. If the savepoint fails the job keeps running."""
        body: dict[str, Any] = {"drain": False}
        if target_directory is not None:
            body["targetDirectory"] = target_directory
        trigger = self._call("POST", f"/jobs/{job_id}/stop", body=body)["request-id"]
        status = wait_until(
            lambda: self._call("GET", f"/jobs/{job_id}/savepoints/{trigger}"),
            lambda s: s["status"]["id"] == "COMPLETED",
            timeout=timeout,
            what=f"the savepoint of job {job_id}",
            interval=self.poll_interval,
        )
        operation = status.get("operation") or {}
        if "failure-cause" in operation:
            cause = operation["failure-cause"]
            text = cause.get("stack-trace") or cause.get("class") or json.dumps(cause)
            raise FlinkError(
                f"stop-with-savepoint of job {job_id} failed; the job keeps running. Flink said:\n{_first_lines(text)}"
            )
        self.wait_for(job_id, ENDED_STATES, timeout)
        return str(operation["location"])

    def wait_for(self, job_id: str, states: frozenset[str], timeout: float) -> str:
        """Wait until the job is in one of `states`; a job that fails instead raises with Flink's reason."""

        def reached(state: str) -> bool:
            if state == "FAILED" and "FAILED" not in states:
                raise FlinkError(f"job {job_id} FAILED. Flink said:\n{_first_lines(self.failure(job_id))}")
            return state in states

        what = f"job {job_id} to be {'/'.join(sorted(states))}"
        return wait_until(lambda: self.state(job_id), reached, timeout=timeout, what=what, interval=self.poll_interval)


def is_duplicate_submission(error: FlinkError) -> bool:
    """Flink refused a job id it already ran or runs (DuplicateJobSubmissionException)."""
    return "DuplicateJobSubmissionException" in str(error) or "already been submitted" in str(error)


def _snapshot(entry: object) -> Snapshot | None:
    if not isinstance(entry, dict) or not entry.get("external_path"):
        return None
    taken = entry.get("latest_ack_timestamp") or entry.get("trigger_timestamp") or entry.get("restore_timestamp") or 0
    return Snapshot(path=str(entry["external_path"]), taken_ms=int(taken), is_savepoint=bool(entry.get("is_savepoint")))


_EXCEPTION_LINE = re.compile(r"(?:Caused by: )?(?:[\w$]+\.)+[\w$]*(?:Exception|Error): .+")


def _flink_errors(body: bytes) -> str:
    """Flink answers errors as {"errors": [...]} whose entries hold a Java stack trace; the
    innermost exception's message comes first (it says what is wrong), then the trace's start."""
    try:
        errors = json.loads(body).get("errors") or []
    except (ValueError, AttributeError):
        return body.decode(errors="replace")[:2000]
    text = "\n".join(str(e) for e in errors)
    causes = [line.strip() for line in text.splitlines() if _EXCEPTION_LINE.fullmatch(line.strip())]
    innermost = causes[-1].removeprefix("Caused by: ") if causes else ""
    return f"{innermost}\n{_first_lines(text)}" if innermost else _first_lines(text)


def _first_lines(text: str, count: int = 25) -> str:
    """Enough of a Java stack trace to see the cause, not the whole thing."""
    lines = text.strip().splitlines()
    caused = [i for i, line in enumerate(lines) if line.startswith("Caused by:")]
    keep = lines[:count]
    if caused and caused[-1] >= count:  # the innermost cause is what the user needs
        keep += ["...", *lines[caused[-1] : caused[-1] + 5]]
    return "\n".join(keep)
