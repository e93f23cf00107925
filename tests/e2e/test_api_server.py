"""Every stack's manifests on a real kube-apiserver (kwok nodes): admission, server-side apply, rollouts.

The Pulumi engine and its Kubernetes provider cannot be built here (see README,
"End-to-end"), so these tests apply what `tools/render` produces, which a mocks
test proves equal to what the program registers, with `kubectl apply --server-side`.
They check with the API, not with the renderer: the objects exist and carry every
field the program sets; the Deployments become Available; the namespace's
restricted Pod Security admission is live (a privileged pod is refused); a
re-apply changes nothing; a sizing change rolls out in place; invalid settings
change nothing; delete leaves nothing behind.
"""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import Kube
from tests.support import STACKS, minimal_cluster
from tools.render import render_objects, render_stack, stack_file_config

# The Prometheus operator's CRD is not installed on the local cluster.
NOT_INSTALLED = frozenset({"PodMonitor"})
FIELD_MANAGER = "flink-session"


def applicable(manifests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in manifests if m["kind"] not in NOT_INSTALLED]


def as_stream(manifests: list[dict[str, Any]]) -> str:
    return yaml.safe_dump_all(manifests, sort_keys=True)


def apply(kube: Kube, manifests: list[dict[str, Any]]) -> None:
    kube.run("apply", "--server-side", f"--field-manager={FIELD_MANAGER}", "-f", "-", stdin=as_stream(applicable(manifests)))


def assert_subset(expected: Any, live: Any, path: str = "") -> None:
    """Every field the manifest sets is on the live object with that value (the server may add more)."""
    if isinstance(expected, dict):
        assert isinstance(live, dict), path
        for key, value in expected.items():
            if value in ([], {}) and key not in live:
                continue  # the API server omits empty lists and maps (e.g. a default-deny `ingress: []`)
            assert key in live, f"{path}.{key} missing on the live object"
            assert_subset(value, live[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(live, list) and len(live) == len(expected), path
        for index, (e, actual) in enumerate(zip(expected, live, strict=True)):
            assert_subset(e, actual, f"{path}[{index}]")
    else:
        assert str(expected) == str(live) or _same_quantity(expected, live), f"{path}: {expected!r} != {live!r}"


def _same_quantity(expected: Any, live: Any) -> bool:
    # The API server canonicalises quantities ("1" cpu stays, "1000m" becomes "1").
    return (
        isinstance(expected, str)
        and expected.endswith("m")
        and expected[:-1].isdigit()
        and int(expected[:-1]) % 1000 == 0
        and str(int(expected[:-1]) // 1000) == str(live)
    )


def live_object(kube: Kube, manifest: dict[str, Any]) -> Any:
    metadata = manifest["metadata"]
    resource = (
        f"{manifest['kind'].lower()}.{manifest['apiVersion'].split('/')[0]}"
        if "/" in manifest["apiVersion"]
        else manifest["kind"].lower()
    )
    args = [resource, metadata["name"]]
    if "namespace" in metadata:
        args += ["-n", metadata["namespace"]]
    return kube.get(*args)


def uids(kube: Kube, manifests: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """The live objects' UIDs (a replaced object gets a new one), except the ConfigMap: under Pulumi an edit
    creates a new auto-named one by design."""
    return {
        (m["kind"], m["metadata"]["name"]): live_object(kube, m)["metadata"]["uid"]
        for m in applicable(manifests)
        if m["kind"] != "ConfigMap"
    }


def wait_available(kube: Kube, namespace: str) -> None:
    kube.run("-n", namespace, "wait", "--for=condition=Available", "deployment", "--all", "--timeout=120s")


def namespace_of(manifests: list[dict[str, Any]]) -> str:
    return str(next(m for m in manifests if m["kind"] == "Namespace")["metadata"]["name"])


@pytest.mark.parametrize("stack", STACKS)
def test_stack_on_a_real_api_server(kube: Kube, stack: str) -> None:
    manifests = render_objects(stack)
    namespace = namespace_of(manifests)
    apply(kube, manifests)

    # The API server holds every object with every field the program sets.
    for manifest in applicable(manifests):
        live = live_object(kube, manifest)
        expected = copy.deepcopy(manifest)
        if manifest["kind"] == "Secret":
            data = expected.pop("stringData")
            assert {k: base64.b64decode(v).decode() for k, v in live["data"].items()} == data
        assert_subset(expected, live, f"{manifest['kind']}/{manifest['metadata']['name']}")

    wait_available(kube, namespace)
    pods = kube.get("pods", "-n", namespace)["items"]
    expected_pods = sum(m["spec"]["replicas"] for m in manifests if m["kind"] == "Deployment")
    assert len(pods) == expected_pods
    assert all(p["status"]["phase"] == "Running" for p in pods)

    # Restricted Pod Security is enforced by admission in this namespace, not just labelled.
    privileged = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "intruder", "namespace": namespace},
        "spec": {"containers": [{"name": "x", "image": "busybox:1.36", "securityContext": {"privileged": True}}]},
    }
    refused = kube.run("apply", "-f", "-", stdin=yaml.safe_dump(privileged), check=False)
    assert refused.returncode != 0 and "violates PodSecurity" in refused.stderr, refused.stderr

    # Re-applying the same render changes nothing.
    diff = kube.run(
        "diff",
        "--server-side",
        f"--field-manager={FIELD_MANAGER}",
        "-f",
        "-",
        stdin=as_stream(applicable(manifests)),
        check=False,
    )
    assert diff.returncode == 0, diff.stdout

    # Delete leaves nothing of ours behind.
    kube.run("delete", "--wait=true", "-f", "-", stdin=as_stream(list(reversed(applicable(manifests)))))
    assert kube.run("get", "namespace", namespace, check=False).returncode != 0


def test_a_sizing_change_rolls_out_in_place(kube: Kube, monkeypatch: pytest.MonkeyPatch) -> None:
    """TaskManager replicas, slots and memory change the way `pulumi config set --path` would."""
    config = stack_file_config("dev")
    manifests = render_objects("dev")
    namespace = namespace_of(manifests)
    apply(kube, manifests)
    wait_available(kube, namespace)
    before = uids(kube, manifests)

    changed = copy.deepcopy(config)
    changed["cluster"]["taskManager"] |= {"replicas": 2, "slots": 3, "memory": "2Gi"}
    from tools import render  # noqa: PLC0415

    monkeypatch.setattr(render, "stack_file_config", lambda stack, root=None: changed)
    updated = render.render_objects("dev")
    apply(kube, updated)
    wait_available(kube, namespace)
    after = uids(kube, updated)
    # Same objects (same uids): updated in place, nothing replaced.
    assert {k: v for k, v in after.items() if k in before} == before
    tm = kube.get("deployment", "analytics-taskmanager", "-n", namespace)
    assert tm["spec"]["replicas"] == 2 and tm["status"]["availableReplicas"] == 2
    assert tm["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"] == "2Gi"
    kube.run("-n", namespace, "rollout", "status", "deployment/analytics-taskmanager", "--timeout=120s")
    kube.run("delete", "--wait=true", "namespace", namespace)


def test_invalid_settings_change_nothing(kube: Kube, monkeypatch: pytest.MonkeyPatch) -> None:
    from components.errors import ConfigError  # noqa: PLC0415
    from tools import render  # noqa: PLC0415

    monkeypatch.setattr(
        render, "stack_file_config", lambda stack, root=None: {"cluster": minimal_cluster(namespace="e2e-invalid", parallelism=0)}
    )
    with pytest.raises(ConfigError, match=r"cluster\.parallelism"):
        render.render_objects("dev")
    assert kube.run("get", "namespace", "e2e-invalid", check=False).returncode != 0


def test_render_text_applies_as_is(kube: Kube) -> None:
    """The reviewer's YAML stream (comments, literal blocks) is itself valid input for the API server."""
    text = render_stack("dev")
    kube.run("create", "namespace", "flink-dev")  # a server dry run does not create it for the rest
    try:
        dry_run = kube.run("apply", "--server-side", "--dry-run=server", "-f", "-", stdin=text)
        assert "configmap/analytics-config-xxxxxxx serverside-applied (server dry run)" in dry_run.stdout
        assert kube.run("get", "configmap", "analytics-config-xxxxxxx", "-n", "flink-dev", check=False).returncode != 0
    finally:
        kube.run("delete", "namespace", "flink-dev", "--wait=true")
