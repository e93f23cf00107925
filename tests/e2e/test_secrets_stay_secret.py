"""No secret of a stack reaches the state, the outputs or a preview in plain text (the real engine).

The staging stack (S3 credentials as Pulumi secrets) plus a job whose program arguments
hold a token, one argument set in plain config and one with `--secret`, goes up against
the local API server and a loopback Flink. Then the state as `pulumi stack export` writes
it (no --show-secrets), the stack outputs and a `pulumi preview --diff` after a change of
an argument are searched for the credentials and the arguments: none may appear. The
job ran with them (RUNNING on the loopback Flink), so they were there to leak.
"""

from __future__ import annotations

from pathlib import Path

from tests.e2e.jobs import counter_jar, loopback_flink
from tests.support.config import stack_config
from tests.support.flink import rest_get
from tools.engine import Workspace

STACK = "staging"
PLAIN_ARG = "--plain-token=PLAINARG-4711"
SECRET_ARG = "--secret-token=SECRETARG-0815"


def test_credentials_and_job_arguments_never_appear_in_plain_text(workspace: Workspace, tmp_path: Path) -> None:
    s3 = stack_config(STACK)["cluster"]["storage"]["s3"]
    secrets = (s3["accessKey"], s3["secretKey"], PLAIN_ARG, SECRET_ARG)
    with loopback_flink(tmp_path) as (flink, _):
        counter_jar(workspace.directory / "jobs")
        workspace.add_stack(STACK)
        for path, value in (
            ("cluster.jobsRestUrl", f"http://127.0.0.1:{flink.rest_port}"),
            ("cluster.jobs[0].name", "counter"),
            ("cluster.jobs[0].jar", "jobs/counter.jar"),
            ("cluster.jobs[0].entryClass", "CounterJob"),
            ("cluster.jobs[0].parallelism", "2"),
            ("cluster.jobs[0].args[0]", "40"),  # CounterJob's rate; the tokens after it are ignored by the job
            ("cluster.jobs[0].args[1]", PLAIN_ARG),
        ):
            workspace.config_set(STACK, path, value)
        workspace.config_set(STACK, "cluster.jobs[0].args[2]", SECRET_ARG, secret=True)
        workspace.up(STACK)
        assert [j["state"] for j in rest_get(flink.rest_port, "/jobs/overview")["jobs"]] == ["RUNNING"]

        exported = workspace.cli("stack", "export", stack=STACK).stdout
        assert '"resources"' in exported
        outputs = workspace.cli("stack", "output", "--json", stack=STACK).stdout
        workspace.config_set(STACK, "cluster.jobs[0].args[1]", f"{PLAIN_ARG}-changed")
        preview = workspace.cli("preview", "--diff", stack=STACK)
        assert "counter" in preview.stdout, preview.stdout[-3000:]
        for where, text in (("state", exported), ("outputs", outputs), ("preview", preview.stdout + preview.stderr)):
            leaked = [secret for secret in secrets if secret in text]
            assert not leaked, f"{where} shows {leaked}"
        workspace.destroy(STACK)
