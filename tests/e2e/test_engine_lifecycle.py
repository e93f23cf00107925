"""Every stack through the real Pulumi engine on a real kube-apiserver: preview, up, no-op, policies, destroy.

For dev, staging, prod and a test-only stack of three clusters (two sharing a
namespace), exactly as a user runs it: `pulumi preview` plans only creates;
`pulumi up` succeeds; every object the program renders is then read back through
the Kubernetes API (not Pulumi's state) with every field the program sets;
Deployments are Available and their pods admitted under the namespace's
restricted Pod Security enforcement (a privileged pod is refused); a second
preview is clean (`--expect-no-changes`: a perpetual diff is a bug); the policy
pack passes; `pulumi destroy` leaves nothing of ours in the cluster, and prod's
protected Namespace blocks it until it is unprotected the way docs/configuration.md says.
"""

from __future__ import annotations

import pytest
import yaml

from tests.e2e.live import assert_live, expected_objects, leftovers, namespaces_of
from tests.support.config import STACKS, stack_config
from tests.support.kube import Kube
from tools.engine import EngineError, Workspace

MULTI = "multi"


def _secret_values(stack: str) -> dict[str, str] | None:
    """The decrypted example S3 credentials of a committed stack, as the Secret must hold them."""
    if stack == MULTI:
        return None
    s3 = stack_config(stack)["cluster"].get("storage", {}).get("s3", {})
    if "accessKey" not in s3:
        return None
    return {"AWS_ACCESS_KEY_ID": s3["accessKey"], "AWS_SECRET_ACCESS_KEY": s3["secretKey"]}


@pytest.mark.parametrize("stack", [*STACKS, MULTI])
def test_stack_lifecycle(kube: Kube, workspace: Workspace, stack: str) -> None:
    workspace.add_stack(stack)

    planned = workspace.preview(stack).by_op()
    assert set(planned) == {"create"}, planned

    workspace.up(stack)
    manifests = expected_objects(stack, workspace.directory)
    assert {label.split("::")[0] for label in planned["create"]} >= {"kubernetes:apps/v1:Deployment"}
    # The engine created exactly the objects the program renders (plus the stack and components).
    kubernetes_steps = [label for label in planned["create"] if label.startswith("kubernetes:")]
    assert len(kubernetes_steps) == len(manifests), (kubernetes_steps, [m["metadata"]["name"] for m in manifests])
    assert_live(kube, manifests, _secret_values(stack))

    for namespace in namespaces_of(manifests):
        deployments = kube.get("deployments", "-n", namespace)["items"]
        for deployment in deployments:
            conditions = {c["type"]: c["status"] for c in deployment["status"]["conditions"]}
            assert conditions.get("Available") == "True", deployment["metadata"]["name"]
        pods = [p for p in kube.get("pods", "-n", namespace)["items"] if "deletionTimestamp" not in p["metadata"]]
        assert len(pods) == sum(d["spec"]["replicas"] for d in deployments)
        assert all(p["status"]["phase"] == "Running" for p in pods)
        # Restricted Pod Security is enforced by admission here, not just written on a label.
        privileged = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "intruder", "namespace": namespace},
            "spec": {"containers": [{"name": "x", "image": "busybox:1.36", "securityContext": {"privileged": True}}]},
        }
        refused = kube.run("apply", "-f", "-", stdin=yaml.safe_dump(privileged), check=False)
        assert refused.returncode != 0 and "violates PodSecurity" in refused.stderr, refused.stderr

    # Right after `up` nothing differs: any diff here would show on every later preview.
    workspace.preview(stack, expect_no_changes=True)
    workspace.preview(stack, expect_no_changes=True, policy_packs=("policy",))

    if stack == "prod":
        # The protected Namespace stops destroy before anything is deleted ...
        with pytest.raises(EngineError, match="protected"):
            workspace.destroy(stack)
        assert kube.exists("namespace", "flink-prod")
        # ... until it is lifted exactly as docs/configuration.md says.
        (namespace_urn,) = [urn for urn in workspace.urns(stack) if urn.endswith("::analytics-namespace")]
        workspace.cli("state", "unprotect", namespace_urn, "--yes", stack=stack)
    workspace.destroy(stack)
    assert leftovers(kube) == []
    for namespace in namespaces_of(manifests):
        assert not kube.exists("namespace", namespace)
