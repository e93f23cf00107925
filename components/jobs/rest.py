"""A small client for the Flink REST API calls that running a session job takes (1.19 to 2.x).

Standard library only (it runs inside Pulumi's dynamic-provider process). Every error
carries Flink's own error text, so `pulumi up` shows why Flink refused a jar or a job
failed, not just an HTTP status.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Job states in which the job is what the stack asked for, or on its way there.
LIVE_STATES = frozenset({"INITIALIZING", "CREATED", "RUNNING", "RESTARTING", "RECONCILING"})
# A bounded job that finished did what it was asked to.
DONE_STATES = frozenset({"FINISHED"})
ENDED_STATES = frozenset({"FINISHED", "CANCELED", "FAILED"})


class FlinkError(RuntimeError):
    """A REST call failed or a job did not reach the state asked for; the message has Flink's reason."""


@dataclass(frozen=True)
class JobSpec:
    """What to run: the uploaded jar's program, its arguments and parallelism."""

    entry_class: str | None
    args: tuple[str, ...]
    parallelism: int
    allow_non_restored_state: bool = False

    def body(self, savepoint: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {"programArgsList": list(self.args), "parallelism": self.parallelism}
        if self.entry_class:
            body["entryClass"] = self.entry_class
        if savepoint is not None:
            body["savepointPath"] = savepoint
            body["allowNonRestoredState"] = self.allow_non_restored_state
        return body


class FlinkRest:
    """One session cluster's REST API, e.g. `FlinkRest("http://127.0.0.1:8081")`."""

    def __init__(self, url: str, *, request_timeout: float = 60, poll_interval: float = 0.5) -> None:
        self.url = url.rstrip("/")
        self.request_timeout = request_timeout
        self.poll_interval = poll_interval

    def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.request_timeout) as response:
                text = response.read()
        except urllib.error.HTTPError as error:
            raise FlinkError(f"{method} {path}: HTTP {error.code}: {_flink_errors(error.read())}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            raise FlinkError(f"{method} {path}: cannot reach the Flink REST API at {self.url}: {error}") from None
        return json.loads(text) if text else {}

    # -- jars -------------------------------------------------------------------------------
    def upload_jar(self, jar: Path) -> str:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="jarfile"; filename="{jar.name}"\r\n'
                "Content-Type: application/java-archive\r\n\r\n"
            ).encode()
            + jar.read_bytes()
            + f"\r\n--{boundary}--\r\n".encode()
        )
        answer = self._call(
            "POST", "/jars/upload", raw=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )
        return str(answer["filename"]).rsplit("/", 1)[-1]

    def plan(self, jar_id: str, job: JobSpec) -> dict[str, Any]:
        """The job graph Flink would run, without running it: a jar whose main() fails is refused here."""
        answer: dict[str, Any] = self._call("POST", f"/jars/{jar_id}/plan", job.body(None))
        return answer

    def run_jar(self, jar_id: str, job: JobSpec, savepoint: str | None) -> str:
        return str(self._call("POST", f"/jars/{jar_id}/run", job.body(savepoint))["jobid"])

    def delete_jar(self, jar_id: str) -> None:
        self._call("DELETE", f"/jars/{jar_id}")

    # -- jobs -------------------------------------------------------------------------------
    def job(self, job_id: str) -> dict[str, Any] | None:
        """The job's details, or None when this cluster does not know it."""
        try:
            answer: dict[str, Any] = self._call("GET", f"/jobs/{job_id}")
        except FlinkError as error:
            if "HTTP 404" in str(error):
                return None
            raise
        return answer

    def state(self, job_id: str) -> str:
        job = self.job(job_id)
        return "UNKNOWN" if job is None else str(job["state"])

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

    def cancel(self, job_id: str, timeout: float) -> None:
        self._call("PATCH", f"/jobs/{job_id}?mode=cancel")
        self.wait_for(job_id, ENDED_STATES, timeout)

    def stop_with_savepoint(self, job_id: str, target_directory: str | None, timeout: float) -> str:
        """Stop the job after a savepoint; return its location. If the savepoint fails the job keeps running."""
        body: dict[str, Any] = {"drain": False}
        if target_directory is not None:
            body["targetDirectory"] = target_directory
        trigger = self._call("POST", f"/jobs/{job_id}/stop", body)["request-id"]
        status = self._until(
            lambda: self._call("GET", f"/jobs/{job_id}/savepoints/{trigger}"),
            lambda s: s["status"]["id"] == "COMPLETED",
            timeout,
            f"the savepoint of job {job_id}",
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

        return str(self._until(lambda: self.state(job_id), reached, timeout, f"job {job_id} to be {'/'.join(sorted(states))}"))

    def _until(self, probe: Callable[[], Any], done: Callable[[Any], bool], timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = probe()
            if done(value):
                return value
            if time.monotonic() > deadline:
                raise FlinkError(f"timed out after {timeout:.0f} s waiting for {what} (last: {value})")
            time.sleep(self.poll_interval)


_EXCEPTION_LINE = re.compile(r"^(?:Caused by: )?(?:[\w$]+\.)+[\w$]*(?:Exception|Error): .+")


def _flink_errors(body: bytes) -> str:
    """Flink answers errors as {"errors": [...]} whose entries hold a Java stack trace; the
    innermost exception's message comes first (it says what is wrong), then the trace's start."""
    try:
        errors = json.loads(body).get("errors") or []
    except (ValueError, AttributeError):
        return body.decode(errors="replace")[:2000]
    text = "\n".join(str(e) for e in errors)
    causes = [line.strip() for line in text.splitlines() if _EXCEPTION_LINE.match(line.strip())]
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
