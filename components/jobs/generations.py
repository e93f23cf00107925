"""Job ids decided before anything is submitted: generation N of a job resource always runs under the same id.

A job resource's identity (its project, stack and resource name) and a generation
number, starting at 0 and counted up by every restart of the job, name a Flink job id
(a UUIDv5, as Flink's 32 hex digits). A `pulumi up` killed after Flink accepted a job,
and before the state recorded it, is retried under the same generation: the retry finds
the job under the id it computes and adopts it, and Flink itself refuses a second
submission of that id (DuplicateJobSubmissionException). This is what the Flink
Kubernetes Operator does for session jobs (FLINK-38858), without a place to store
the id before the submission: the id follows from what the state already holds.
"""

from __future__ import annotations

import uuid

# The namespace of flink-session's job ids; changing it would orphan every running job.
_JOB_ID_NAMESPACE = uuid.UUID("9d3f3c0e-5a34-4f1b-9d66-1a3c2e7b8f40")
# How many generations a resource skips at most looking for an id Flink has not used;
# each skipped one is a job that ended under this resource (e.g. before a destroy and a new up).
MAX_SKIPPED_GENERATIONS = 64


def job_id(identity: str, generation: int) -> str:
    """The Flink job id of one generation of a job resource."""
    return uuid.uuid5(_JOB_ID_NAMESPACE, f"{identity}#{generation}").hex


def resource_identity(project: str, stack: str, resource_name: str) -> str:
    """What names a job resource across runs: as stable as its URN (project, stack, name)."""
    return f"{project}/{stack}/{resource_name}"
