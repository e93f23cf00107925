"""The program with `jobs` under mocks: one FlinkSessionJob per job, under the cluster, with the resolved inputs.

Each job is a dynamic resource named `<cluster>-job-<name>`, parented by the
FlinkSessionCluster component, with how its cluster's REST API is reached (the
JobManager pods through the Kubernetes API, or the stack's URL), the jar's content hash,
the parallelism, the upgrade mode and the savepoint directory the stack resolved; its
program arguments are a Pulumi secret; the `clusters` output lists the jobs; a bad job
registers nothing at all.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.support.config import ROOT, minimal_cluster
from tools.mocks import Registered, run_program

JAR = "tests/support/empty.jar"  # resolution reads it: a jar inside the project
DYNAMIC = "pulumi-python:dynamic:Resource"


def test_each_job_is_a_session_job_resource_under_its_cluster() -> None:
    cluster = minimal_cluster(
        savepoints={"dir": "s3://bucket/sp"},
        jobsRestUrl="http://127.0.0.1:8081",
        jobs=[
            {"name": "counter", "jar": JAR, "entryClass": "CounterJob", "args": ["40"], "upgradeMode": "savepoint"},
            {"name": "report", "jar": JAR, "parallelism": 1, "timeout": "2min"},
        ],
    )
    registered, outputs = run_program({"cluster": cluster})
    jobs = {r.name: r for r in registered if r.type == DYNAMIC and "-job-" in r.name}
    assert set(jobs) == {"demo-job-counter", "demo-job-report"}
    counter, report = jobs["demo-job-counter"].inputs, jobs["demo-job-report"].inputs
    digest = hashlib.sha256((ROOT / JAR).read_bytes()).hexdigest()
    assert counter["access"]["url"] == "http://127.0.0.1:8081" and counter["jarSha256"] == digest
    assert counter["identity"] == "flink-session/test/demo-job-counter"
    assert "args" in jobs["demo-job-counter"].secret_paths
    assert Path(counter["jarPath"]) == (ROOT / JAR).resolve()
    assert (counter["parallelism"], counter["upgradeMode"], counter["savepointDir"], counter["args"]) == (
        4,
        "savepoint",
        "s3://bucket/sp",
        ["40"],
    )
    assert (report["parallelism"], report["upgradeMode"], report.get("savepointDir"), report["timeoutSeconds"]) == (
        1,
        "stateless",
        None,
        120,
    )
    for item in jobs.values():
        assert "::flink-session:index:FlinkSessionCluster$pulumi-python:dynamic:Resource::" in item.urn, item.urn
    listed = outputs["clusters"]["demo"]["jobs"]
    assert listed["counter"]["upgradeMode"] == "savepoint" and listed["report"]["parallelism"] == 1


def test_a_bad_job_registers_nothing() -> None:
    sink: list[Registered] = []
    with pytest.raises(Exception, match=r"cluster\.jobs\[0\]\.jar"):
        run_program({"cluster": minimal_cluster(jobs=[{"name": "x", "jar": "missing.jar"}])}, sink=sink)
    assert [r for r in sink if r.type != "pulumi:pulumi:Stack"] == []


def test_without_a_url_jobs_reach_the_jobmanager_pods_through_the_kubernetes_api() -> None:
    cluster = minimal_cluster(namespace="flink-demo", jobs=[{"name": "counter", "jar": JAR}])
    registered, _ = run_program({"cluster": cluster})
    (job,) = [r for r in registered if r.type == DYNAMIC and "-job-" in r.name]
    access = job.inputs["access"]
    assert access.get("url") is None and (access["namespace"], access["port"]) == ("flink-demo", 8081)
    assert (
        access["selector"]
        == "app.kubernetes.io/name=flink,app.kubernetes.io/instance=demo,app.kubernetes.io/component=jobmanager"
    )
