"""Reading a deployed stack back from the API server and comparing it with what the program renders."""

from __future__ import annotations

import base64
import copy
from pathlib import Path
from typing import Any

from tests.support.kube import Kube
from tools.review.render import render_objects
from tools.stack_files import REDACTED

# Kinds the program creates, as kubectl names them: what "nothing left behind" is checked for.
OWNED_RESOURCES = (
    "deployments.apps",
    "services",
    "configmaps",
    "secrets",
    "serviceaccounts",
    "roles.rbac.authorization.k8s.io",
    "rolebindings.rbac.authorization.k8s.io",
    "networkpolicies.networking.k8s.io",
    "poddisruptionbudgets.policy",
    "ingresses.networking.k8s.io",
    "podmonitors.monitoring.coreos.com",
)
PART_OF = "app.kubernetes.io/part-of=flink-session"


def expected_objects(stack: str, project: Path) -> list[dict[str, Any]]:
    """What the program renders for the stack file in `project` (the workspace's copy), real names included."""
    return render_objects(stack, project)


def resource_name(manifest: dict[str, Any]) -> str:
    api_version = manifest["apiVersion"]
    kind = manifest["kind"].lower()
    return f"{kind}.{api_version.split('/')[0]}" if "/" in api_version else kind


def live_object(kube: Kube, manifest: dict[str, Any]) -> Any:
    metadata = manifest["metadata"]
    args = [resource_name(manifest), metadata["name"]]
    if "namespace" in metadata:
        args += ["-n", metadata["namespace"]]
    return kube.get(*args)


def assert_subset(expected: Any, live: Any, path: str = "") -> None:
    """Every field the manifest sets is on the live object with that value (the server may add more)."""
    if isinstance(expected, dict):
        assert isinstance(live, dict), path
        for key, value in expected.items():
            if value in ([], {}) and key not in live:
                continue  # the API server omits empty lists and maps
            assert key in live, f"{path}.{key} missing on the live object"
            assert_subset(value, live[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(live, list) and len(live) == len(expected), f"{path}: {expected!r} != {live!r}"
        for index, (item, actual) in enumerate(zip(expected, live, strict=True)):
            assert_subset(item, actual, f"{path}[{index}]")
    else:
        assert str(expected) == str(live) or _same_quantity(expected, live), f"{path}: {expected!r} != {live!r}"


def _same_quantity(expected: Any, live: Any) -> bool:
    # The API server canonicalises quantities ("1000m" cpu becomes "1").
    return (
        isinstance(expected, str)
        and expected.endswith("m")
        and expected[:-1].isdigit()
        and int(expected[:-1]) % 1000 == 0
        and str(int(expected[:-1]) // 1000) == str(live)
    )


def assert_live(kube: Kube, manifests: list[dict[str, Any]], secrets: dict[str, str] | None = None) -> None:
    """Every rendered object is live with every field the program sets; Secret values match `secrets`."""
    for manifest in manifests:
        live = live_object(kube, manifest)
        expected = copy.deepcopy(manifest)
        if manifest["kind"] == "Secret":
            data = expected.pop("stringData")
            decoded = {key: base64.b64decode(value).decode() for key, value in live["data"].items()}
            assert set(decoded) == set(data)
            assert all(value == REDACTED for value in data.values())
            if secrets is not None:
                assert decoded == secrets
        assert_subset(expected, live, f"{manifest['kind']}/{manifest['metadata']['name']}")


def namespaces_of(manifests: list[dict[str, Any]]) -> set[str]:
    return {m["metadata"]["namespace"] for m in manifests if "namespace" in m["metadata"]}


def leftovers(kube: Kube) -> list[str]:
    """Every object of ours anywhere in the cluster, as `kind/namespace/name`."""
    found = []
    for resource in OWNED_RESOURCES:
        listing = kube.get(resource, "--all-namespaces", "-l", PART_OF)
        found += [f"{resource}/{i['metadata'].get('namespace')}/{i['metadata']['name']}" for i in listing["items"]]
    return found


def uids(kube: Kube, manifests: list[dict[str, Any]], kinds: tuple[str, ...]) -> dict[str, str]:
    return {
        f"{m['kind']}/{m['metadata']['name']}": live_object(kube, m)["metadata"]["uid"] for m in manifests if m["kind"] in kinds
    }


def pod_uids(kube: Kube, namespace: str, component: str) -> set[str]:
    pods = kube.get("pods", "-n", namespace, "-l", f"app.kubernetes.io/component={component}")["items"]
    return {p["metadata"]["uid"] for p in pods if "deletionTimestamp" not in p["metadata"]}


def object_versions(kube: Kube, namespace: str) -> dict[str, str]:
    """kind/name -> resourceVersion of everything in the namespace: any write changes it."""
    versions = {}
    for resource in (*OWNED_RESOURCES, "pods"):
        for item in kube.get(resource, "-n", namespace)["items"]:
            versions[f"{resource}/{item['metadata']['name']}"] = item["metadata"]["resourceVersion"]
    return versions
