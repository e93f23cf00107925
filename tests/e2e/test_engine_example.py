"""examples/two-clusters through the real engine: two clusters built in code, previewed, deployed, destroyed.

The example is another program using the component (no stack config). `pulumi
preview` plans only creates, for both components and exactly the objects the pure
layer renders for their args; `pulumi up` makes every one of them live with every
field set (the second cluster in the first one's namespace), all four Deployments
become Available, the outputs name the content-named ConfigMaps, a second preview is
clean, and `pulumi destroy` leaves nothing of ours behind.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from components.manifests.objects import cluster_objects
from components.resolution import resolve_args
from components.resources.cluster import COMPONENT_TYPE
from tests.e2e.live import assert_live, leftovers
from tests.support.config import ROOT
from tests.support.kube import Kube
from tools.engine import Toolchain, Workspace

EXAMPLE = "two-clusters"
STACK = "dev"


def _example_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("two_clusters", ROOT / "examples" / EXAMPLE / "two_clusters.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _expected() -> dict[str, list[dict[str, Any]]]:
    example = _example_module()
    return {
        name: [item.manifest for item in cluster_objects(resolve_args(name, args).cluster)]
        for name, args in (("ingest", example.INGEST), ("reports", example.REPORTS))
    }


def test_the_example_previews_deploys_and_destroys(kube: Kube, toolchain: Toolchain, tmp_path: Path) -> None:
    workspace = Workspace.copy_of_example(tmp_path / "repo", EXAMPLE, toolchain, kube.kubeconfig, Path(sys.prefix))
    expected = _expected()
    manifests = [manifest for objects in expected.values() for manifest in objects]
    try:
        workspace.add_stack(STACK)
        planned = workspace.preview(STACK).by_op()
        assert set(planned) == {"create"}, planned
        assert sorted(label for label in planned["create"] if label.startswith(COMPONENT_TYPE)) == [
            f"{COMPONENT_TYPE}::ingest",
            f"{COMPONENT_TYPE}::reports",
        ]
        assert len([label for label in planned["create"] if label.startswith("kubernetes:")]) == len(manifests)

        workspace.up(STACK)
        assert_live(kube, manifests)
        deployments = kube.get("deployments", "-n", "flink-examples")["items"]
        assert len(deployments) == 4
        for deployment in deployments:
            conditions = {c["type"]: c["status"] for c in deployment["status"]["conditions"]}
            assert conditions.get("Available") == "True", deployment["metadata"]["name"]
        outputs = workspace.outputs(STACK)
        for name, objects in expected.items():
            (config_map,) = [m for m in objects if m["kind"] == "ConfigMap"]
            assert outputs[f"{name}ConfigMap"] == config_map["metadata"]["name"]
        assert outputs["reportsTotalSlots"] == 4
        # one Namespace, ingest's; reports shares it
        assert [m["kind"] for m in manifests].count("Namespace") == 1
        assert expected["ingest"][0]["kind"] == "Namespace"

        workspace.preview(STACK, expect_no_changes=True)
        workspace.destroy(STACK)
        assert leftovers(kube) == []
        assert not kube.exists("namespace", "flink-examples")
    finally:
        workspace.remove_everything()
