"""FlinkSessionJob: a job on a session cluster, declared in the stack and upgraded through savepoints."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
from pulumi.dynamic import Resource

from components.jobs.provider import SessionJobProvider


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as jar:
        for block in iter(lambda: jar.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class SessionJobArgs:
    """A job to run on a session cluster.

    rest_url: the cluster's REST API as seen from where `pulumi up` runs (the cluster's
    `rest_endpoint` output inside the cluster; a port-forward or Ingress URL outside it).
    jar: a local jar; its content hash is part of the state, so a new jar is a change.
    upgrade_mode: `stateless` (cancel and resubmit) or `savepoint` (stop with a savepoint
    into `savepoint_dir`, or the cluster's savepoints.dir when None, and resume from it).
    """

    rest_url: pulumi.Input[str]
    jar: Path
    parallelism: int
    entry_class: str | None = None
    args: pulumi.Input[list[str]] = field(default_factory=list)
    upgrade_mode: str = "stateless"
    allow_non_restored_state: bool = False
    savepoint_dir: str | None = None
    timeout_seconds: int = 300


class FlinkSessionJob(Resource):
    """Outputs: `job_id`, `state` (Flink's job state at the last up or refresh), `last_savepoint`."""

    job_id: pulumi.Output[str]
    state: pulumi.Output[str]
    last_savepoint: pulumi.Output[str | None]

    def __init__(self, name: str, args: SessionJobArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        # Python names here; the engine and the provider see camelCase (translate_* below).
        props = {
            "rest_url": args.rest_url,
            "jar_path": str(args.jar.resolve()),
            "jar_sha256": file_sha256(args.jar),
            "entry_class": args.entry_class,
            "args": args.args,
            "parallelism": args.parallelism,
            "upgrade_mode": args.upgrade_mode,
            "allow_non_restored_state": args.allow_non_restored_state,
            "savepoint_dir": args.savepoint_dir,
            "timeout_seconds": args.timeout_seconds,
            "job_id": None,
            "state": None,
            "last_savepoint": None,
            "args_sha256": None,
        }
        super().__init__(SessionJobProvider(), name, props, opts)

    def translate_input_property(self, prop: str) -> str:
        if prop.startswith("__"):  # the dynamic provider's own `__provider`
            return prop
        return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), prop)

    def translate_output_property(self, prop: str) -> str:
        """Outputs are attributes in Python's spelling: jobId -> job_id."""
        return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", prop).lower()
