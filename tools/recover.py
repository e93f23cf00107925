"""After a killed `pulumi up`: the one command that makes the stack converge. `python -m tools.recover --stack dev`.

A `pulumi up` killed while it created Kubernetes objects leaves objects in the API
server that the state holds only as pending creates; the next `pulumi up` is refused
("already exists"), and `pulumi refresh --clear-pending-creates` drops them from the
state without adopting them. This does, in the project directory with the environment
`pulumi` itself would use (backend, passphrase, KUBECONFIG):
  1. the lock: a file-backend lock whose process is gone is removed (`pulumi cancel`); one
     whose process still runs is left alone, and nothing else is done (an update runs);
  2. `pulumi refresh --clear-pending-creates`;
  3. a preview, and for every Kubernetes object it would create that already exists: the
     object must carry this stack's owner annotation (naming.OWNER_ANNOTATION), or nothing
     is done and the objects are named: an object the stack does not own is never taken;
  4. `pulumi up`, with pulumi-kubernetes' upsert (PULUMI_K8S_UPSERT_EXISTING_OBJECTS) only
     when there are such objects of the stack's own to adopt;
  5. `pulumi preview --expect-no-changes`.
With --destroy, after a killed `pulumi destroy`: the stale lock, then `pulumi destroy` again.
Jobs need nothing of this: their ids are decided before submission, so a plain `pulumi up`
adopts them (docs/recovery.md). Exits 0 when the stack converged, 1 with the reason otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pulumi import automation as auto

from components.jobs.access import api_client
from components.jobs.rest import FlinkError
from components.model.naming import OWNER_ANNOTATION, stack_owner

UPSERT = {"PULUMI_K8S_UPSERT_EXISTING_OBJECTS": "true"}


class RecoveryError(RuntimeError):
    """The stack cannot be made to converge by this tool; the message says why and what to do."""


@dataclass(frozen=True)
class PlannedObject:
    urn: str
    api_version: str
    kind: str
    name: str
    namespace: str | None


def _lock_holders(stack: auto.Stack) -> list[dict[str, Any]]:
    """The file backend's locks of this stack (pid, hostname, ...); [] for other backends or no lock."""
    backend = os.environ.get("PULUMI_BACKEND_URL", "")
    if not backend.startswith("file://"):
        return []
    root = Path(urlparse(backend).path) / ".pulumi" / "locks"
    return [json.loads(lock.read_text()) for lock in root.glob(f"*/*/{stack.name}/*.json")]


def _alive_here(holder: dict[str, Any]) -> bool:
    if holder.get("hostname") not in (None, os.uname().nodename):
        return True  # another machine's: it cannot be told from here, so it counts as running
    try:
        os.kill(int(holder["pid"]), 0)
    except (ProcessLookupError, ValueError, KeyError):
        return False
    except PermissionError:
        return True
    return True


def _locked(stack: auto.Stack) -> RecoveryError:
    return RecoveryError(f"stack {stack.name} is locked by a pulumi that still runs; wait for it to end, then run this again")


def release_stale_lock(stack: auto.Stack) -> bool:
    """Remove the lock of a killed `pulumi`; False (and nothing done) when its process still runs."""
    holders = _lock_holders(stack)
    if any(_alive_here(holder) for holder in holders):
        return False
    if holders:
        stack.cancel()
    return True


def planned_creates(stack: auto.Stack) -> list[PlannedObject]:
    """The Kubernetes objects a preview would create."""
    found: list[PlannedObject] = []

    def record(event: Any) -> None:
        step = event.resource_pre_event
        if step is None or str(step.metadata.op.value) != "create" or not step.metadata.type.startswith("kubernetes:"):
            return
        inputs = (step.metadata.new.inputs if step.metadata.new else None) or {}
        metadata = inputs.get("metadata") or {}
        if "name" in metadata:
            found.append(
                PlannedObject(
                    step.metadata.urn, inputs["apiVersion"], inputs["kind"], metadata["name"], metadata.get("namespace")
                )
            )

    stack.preview(on_event=record)
    return found


def existing_objects(stack: auto.Stack, planned: list[PlannedObject]) -> list[tuple[PlannedObject, str | None]]:
    """(object, its owner annotation or None) for each planned create that already exists in the cluster."""
    from kubernetes import dynamic  # noqa: PLC0415 - only when there is something to look at
    from kubernetes.client.exceptions import ApiException  # noqa: PLC0415

    config = stack.get_all_config()
    context = config.get("kubernetes:context")
    kubeconfig = config.get("kubernetes:kubeconfig")
    found: list[tuple[PlannedObject, str | None]] = []
    with api_client(context.value if context else None, kubeconfig.value if kubeconfig else None, "the cluster") as api:
        client = dynamic.DynamicClient(api)
        for item in planned:
            resource = client.resources.get(api_version=item.api_version, kind=item.kind)
            try:
                live = resource.get(name=item.name, namespace=item.namespace)
            except ApiException as error:
                if error.status == 404:
                    continue
                raise
            annotations = (live.metadata.annotations or {}) if live.metadata else {}
            found.append((item, dict(annotations).get(OWNER_ANNOTATION)))
    return found


def recover(stack: auto.Stack, project: str, report: Any = print) -> None:
    """Make the stack converge after a killed `pulumi up` (module docstring); RecoveryError when it cannot."""
    if not release_stale_lock(stack):
        raise RecoveryError(
            f"stack {stack.name} is locked by a pulumi that still runs; wait for it to finish, then run this again"
        )
    report(f"{stack.name}: refresh, dropping pending creates")
    stack.refresh(clear_pending_creates=True)
    owner = stack_owner(project, stack.name)
    existing = existing_objects(stack, planned_creates(stack))
    foreign = [
        f"{item.kind} {item.namespace or ''}/{item.name} (owner: {found or 'none'})" for item, found in existing if found != owner
    ]
    if foreign:
        raise RecoveryError(
            f"objects the stack would create exist and are not {owner}'s, so they are left alone: {'; '.join(foreign)}. "
            "Remove or rename them (or the cluster), then run `pulumi up`"
        )
    if existing:
        report(f"{stack.name}: adopting {len(existing)} object(s) a killed run created: {', '.join(i.name for i, _ in existing)}")
        saved = stack.workspace.env_vars or {}
        # For this one update only: every object it would create that exists was checked above.
        stack.workspace.env_vars = {**saved, **UPSERT}
        try:
            stack.up()
        finally:
            stack.workspace.env_vars = saved
    else:
        report(f"{stack.name}: nothing to adopt; pulumi up")
        stack.up()
    stack.preview(expect_no_changes=True)
    report(f"{stack.name}: converged (pulumi preview --expect-no-changes is clean)")


def finish_destroy(stack: auto.Stack, report: Any = print) -> None:
    """After a killed `pulumi destroy`: the stale lock removed, then the destroy again (deleting what is gone is fine)."""
    if not release_stale_lock(stack):
        raise RecoveryError(
            f"stack {stack.name} is locked by a pulumi that still runs; wait for it to finish, then run this again"
        )
    report(f"{stack.name}: pulumi destroy")
    stack.destroy()
    report(f"{stack.name}: destroyed")


def main(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.recover", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--stack", required=True)
    parser.add_argument("--destroy", action="store_true", help="finish a killed `pulumi destroy` instead")
    parser.add_argument("--cwd", default=".", help="the Pulumi project directory (default: here)")
    options = parser.parse_args(arguments)
    workspace = auto.LocalWorkspace(work_dir=str(Path(options.cwd).resolve()))
    stack = auto.Stack.select(options.stack, workspace)
    project = workspace.project_settings().name
    report = lambda line: print(f"recover: {line}", file=sys.stderr)  # noqa: E731 - one line, used twice
    try:
        if options.destroy:
            finish_destroy(stack, report)
        else:
            recover(stack, project, report)
    except (RecoveryError, FlinkError) as error:
        print(f"recover: {error}", file=sys.stderr)
        return 1
    except auto.CommandError as error:
        print(f"recover: a pulumi command failed:\n{str(error)[-4000:]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
