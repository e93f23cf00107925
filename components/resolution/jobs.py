"""The jobs a cluster runs (`jobs`, `jobsRestUrl`): checked at preview time, resolved into the model.

Refused before anything is created: a jar that is not a jar file inside the project
directory (symlinks resolved), a parallelism the cluster's slots cannot run, an upgrade
mode without the state settings it needs, two jobs with one name, a REST URL that is not
http(s) or carries credentials. Reading the jar is the one look at the filesystem
resolution makes: the jar is an input of the stack like any value, and a bad one must
fail the preview, not the update.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from urllib.parse import urlsplit

from components.errors import Problem
from components.flink.durations import duration_seconds
from components.input.schema import StackCluster
from components.kubernetes.syntax import is_dns_label
from components.model.cluster import SessionJob, State
from components.model.naming import MAX_JOB_NAME_LENGTH

# The stop-with-savepoint and start of a large job take long, but a wait must end.
MAX_TIMEOUT_SECONDS = 24 * 3600


def resolve_jobs_rest_url(spec: StackCluster, prefix: str, problems: list[Problem]) -> str | None:
    """The REST URL a stack gives (None: the JobManager pods, through the Kubernetes API)."""
    url = spec.jobs_rest_url
    if url is None:
        return None
    parts = urlsplit(url)
    path = f"{prefix}.jobsRestUrl"
    if parts.username is not None or parts.password is not None:
        message = (
            "holds credentials, which would sit in the state in plain text; the REST API has no authentication of "
            "its own, so omit jobsRestUrl (jobs are then reached through the Kubernetes API) or put a proxy's "
            "credentials in a Pulumi secret of the proxy's own"
        )
        problems.append(Problem(path, message, has_value=False))
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        message = "must be an http(s):// URL of the REST API, e.g. http://127.0.0.1:8081, or omitted (the Kubernetes API)"
        problems.append(Problem(path, message, url))
    return url.rstrip("/")


def _jar_problem(jar: str, project: Path) -> str | None:
    """Why `jar` may not be uploaded: it must be, symlinks resolved, a zip file inside the project directory."""
    try:
        resolved = (project / jar).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):  # missing, a symlink loop, a NUL in the path
        return f"is not a file (relative paths start at the project directory, {project}); build the jar first"
    if not resolved.is_relative_to(project.resolve()):
        return f"resolves to {resolved}, outside the project directory {project}; keep the job's jar inside the project"
    if not resolved.is_file():
        return "is not a regular file; name the job's jar (a .jar file inside the project directory)"
    if not zipfile.is_zipfile(resolved):
        return "is not a jar (a zip archive); build the job's jar and name it here"
    return None


def _state_problems(mode: str, state: State, path: str, prefix: str) -> list[str]:
    """What an upgrade mode needs of the cluster's state settings, or nothing."""
    if mode == "savepoint" and state.savepoints_dir is None:
        return [f"savepoint needs {prefix}.savepoints.dir: the savepoint that carries the job's state goes there"]
    if mode != "last-state":
        return []
    needs = [
        (state.checkpoints_dir is not None, f"{prefix}.checkpoints.dir (where the checkpoints it resumes from are)"),
        (state.checkpoint_interval is not None, f"{prefix}.checkpoints.interval (periodic checkpoints to resume from)"),
        (state.retain_on_cancellation, f"{prefix}.checkpoints.retainOnCancellation: true (a cancel keeps the newest one)"),
    ]
    missing = [what for present, what in needs if not present]
    return [f"last-state needs {', '.join(missing)}"] if missing else []


def resolve_jobs(
    spec: StackCluster, total_slots: int | None, state: State, prefix: str, problems: list[Problem]
) -> tuple[SessionJob, ...]:
    jobs: list[SessionJob] = []
    seen: dict[str, int] = {}
    project = Path.cwd()
    for index, job in enumerate(spec.jobs):
        path = f"{prefix}.jobs[{index}]"
        if not is_dns_label(job.name, MAX_JOB_NAME_LENGTH):
            message = (
                f"must be a DNS-1123 label of at most {MAX_JOB_NAME_LENGTH} characters (lowercase letters, digits, '-'); "
                "it names the job's Pulumi resource"
            )
            problems.append(Problem(f"{path}.name", message, job.name))
        elif job.name in seen:
            problems.append(Problem(f"{path}.name", f"is also the name of {prefix}.jobs[{seen[job.name]}]", job.name))
        else:
            seen[job.name] = index
        jar_problem = _jar_problem(job.jar, project)
        if jar_problem is not None:
            problems.append(Problem(f"{path}.jar", jar_problem, job.jar))
        parallelism = job.parallelism if job.parallelism is not None else spec.parallelism
        if total_slots is not None and parallelism > total_slots:
            message = f"needs {parallelism} slots but the cluster has {total_slots}; lower it or add TaskManagers or slots"
            key = f"{path}.parallelism" if job.parallelism is not None else f"{prefix}.parallelism"
            problems.append(Problem(key, message, parallelism))
        for message in _state_problems(job.upgrade_mode, state, path, prefix):
            problems.append(Problem(f"{path}.upgradeMode", message, job.upgrade_mode))
        timeout = duration_seconds(job.timeout)
        if timeout > MAX_TIMEOUT_SECONDS:
            problems.append(Problem(f"{path}.timeout", "must be at most 24h", job.timeout))
        jobs.append(
            SessionJob(
                name=job.name,
                jar=job.jar,
                entry_class=job.entry_class,
                args=tuple(job.args),
                parallelism=parallelism,
                upgrade_mode=job.upgrade_mode,
                allow_non_restored_state=job.allow_non_restored_state,
                savepoint_dir=state.savepoints_dir if job.upgrade_mode != "stateless" else None,
                checkpoints_dir=state.checkpoints_dir if job.upgrade_mode == "last-state" else None,
                initial_savepoint_path=job.initial_savepoint_path,
                timeout_seconds=timeout,
            )
        )
    return tuple(jobs)
