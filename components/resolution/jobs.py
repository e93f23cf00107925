"""The jobs a cluster runs (`jobs`, `jobsRestUrl`): checked at preview time, resolved into the model.

Refused before anything is created: a jar that is not a file where `pulumi up` runs,
a parallelism the cluster's slots cannot run, a savepoint upgrade without a savepoint
directory, two jobs with one name, a REST URL that is not http(s). Reading whether the
jar exists is the one look at the filesystem resolution makes: the jar is an input of
the stack like any value, and a missing one must fail the preview, not the update.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from components.errors import Problem
from components.flink.durations import duration_seconds
from components.input.schema import StackCluster
from components.kubernetes.syntax import is_dns_label
from components.model.cluster import SessionJob
from components.model.naming import MAX_JOB_NAME_LENGTH

# The stop-with-savepoint and start of a large job take long, but a wait must end.
MAX_TIMEOUT_SECONDS = 24 * 3600


def resolve_jobs_rest_url(spec: StackCluster, in_cluster: str, prefix: str, problems: list[Problem]) -> str:
    url = spec.jobs_rest_url
    if url is None:
        return in_cluster
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        message = "must be an http(s):// URL of the REST API, e.g. http://127.0.0.1:8081 behind `kubectl port-forward`"
        problems.append(Problem(f"{prefix}.jobsRestUrl", message, url))
    return url.rstrip("/")


def resolve_jobs(
    spec: StackCluster, total_slots: int | None, savepoints_dir: str | None, prefix: str, problems: list[Problem]
) -> tuple[SessionJob, ...]:
    jobs: list[SessionJob] = []
    seen: dict[str, int] = {}
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
        if not Path(job.jar).is_file():
            message = f"is not a file (relative paths start at the project directory, {Path.cwd()}); build the jar first"
            problems.append(Problem(f"{path}.jar", message, job.jar))
        parallelism = job.parallelism if job.parallelism is not None else spec.parallelism
        if total_slots is not None and parallelism > total_slots:
            message = f"needs {parallelism} slots but the cluster has {total_slots}; lower it or add TaskManagers or slots"
            key = f"{path}.parallelism" if job.parallelism is not None else f"{prefix}.parallelism"
            problems.append(Problem(key, message, parallelism))
        if job.upgrade_mode == "savepoint" and savepoints_dir is None:
            message = f"savepoint needs {prefix}.savepoints.dir: the savepoint that carries the job's state goes there"
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
                savepoint_dir=savepoints_dir if job.upgrade_mode == "savepoint" else None,
                timeout_seconds=timeout,
            )
        )
    return tuple(jobs)
