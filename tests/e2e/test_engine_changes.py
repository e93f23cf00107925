"""Changes made the way a user makes them, through the real engine: what the preview plans, what rolls.

Each change is a `pulumi config set --path ...` on the dev stack, followed by
`pulumi preview --json` and `pulumi up`. The preview may replace nothing but the
ConfigMap (named by its content: a config change makes a new one, so both
Deployments roll), and it plans the steps in the order that keeps pods mountable:
the new ConfigMap is created first, the Deployments are updated, and the old
ConfigMap is deleted last; `pulumi up` does them in that order (the old ConfigMap's
deletion starts only after both rollouts finished); setting a value to what it
already is plans nothing. The
Namespace, Services and Deployments keep their UIDs across the update; the
TaskManager pods are new when their template changed. Then: an invalid setting
fails `pulumi preview` and `pulumi up` with the program's own message (no
traceback) and changes nothing in the cluster; a stack that breaks a mandatory
policy fails `pulumi preview --policy-pack policy` naming the policy; and drift
made with `kubectl scale` shows in `pulumi refresh` and is put back by `pulumi up`.
"""

from __future__ import annotations

import pytest

from tests.e2e.live import assert_live, expected_objects, object_versions, pod_uids, uids
from tests.support.kube import Kube
from tools.engine import Workspace

STACK = "dev"
NAMESPACE = "flink-dev"
KEPT = ("Namespace", "Service", "Deployment")
REPLACE_OPS = ("replace", "create-replacement", "delete-replaced")
CONFIG_MAP = "kubernetes:core/v1:ConfigMap::analytics-config"
DEPLOYMENTS = ("kubernetes:apps/v1:Deployment::analytics-jobmanager", "kubernetes:apps/v1:Deployment::analytics-taskmanager")

# (what a user changes, the `pulumi config set --path` arguments, is the TaskManager pod template
# changed, is config.yaml changed: then the ConfigMap is a new one under a new name)
CHANGES: list[tuple[str, list[tuple[str, str]], bool, bool]] = [
    ("slots", [("cluster.taskManager.slots", "4")], True, True),
    ("replicas", [("cluster.taskManager.replicas", "3")], False, False),
    ("memory", [("cluster.taskManager.memory", "2Gi")], True, True),
    ("flink option", [('cluster.flinkConfiguration["pipeline.object-reuse"]', "true")], True, True),
    # 2.2 and 2.3 read the same config.yaml: the pods roll for the image, the ConfigMap only gets the new version label
    ("flink version", [("cluster.flinkVersion", "2.3.0"), ("cluster.image", "flink:2.3.0-scala_2.12-java17")], True, False),
]


def test_changes_update_in_place_and_roll(kube: Kube, workspace: Workspace) -> None:
    workspace.add_stack(STACK)
    workspace.up(STACK)
    first = expected_objects(STACK, workspace.directory)
    kept = uids(kube, first, KEPT)

    for what, settings, rolls, new_config in CHANGES:
        taskmanagers_before = pod_uids(kube, NAMESPACE, "taskmanager")
        for path, value in settings:
            workspace.config_set(STACK, path, value)
        planned = workspace.preview(STACK).by_op()
        replaced = [label for op in REPLACE_OPS for label in planned.get(op, [])]
        assert all(label.startswith("kubernetes:core/v1:ConfigMap::") for label in replaced), (what, planned)
        assert "delete" not in planned, (what, planned)
        if rolls:
            assert {"kubernetes:apps/v1:Deployment::analytics-taskmanager"} <= set(planned.get("update", [])), (what, planned)
        assert (CONFIG_MAP in planned.get("replace", [])) is new_config, (what, planned)
        if new_config:
            # The plan: the new ConfigMap before either Deployment points at it; the old one after both moved on.
            order = workspace.preview(STACK).steps()
            updated = [order.index(("update", deployment)) for deployment in DEPLOYMENTS]
            created, deleted = order.index(("create-replacement", CONFIG_MAP)), order.index(("delete-replaced", CONFIG_MAP))
            assert created < min(updated) and max(updated) < deleted, (what, order)

        events = workspace.up(STACK).timeline()
        if new_config:
            # The update did it in that order: created before the rollouts began, deleted after both finished.
            created = events.index(("done", "create-replacement", CONFIG_MAP))
            began = min(events.index(("start", "update", deployment)) for deployment in DEPLOYMENTS)
            finished = max(events.index(("done", "update", deployment)) for deployment in DEPLOYMENTS)
            assert created < began and finished < events.index(("start", "delete-replaced", CONFIG_MAP)), (what, events)
        manifests = expected_objects(STACK, workspace.directory)
        assert_live(kube, manifests)
        assert uids(kube, manifests, KEPT) == kept, f"{what}: an object was replaced"
        taskmanagers = kube.get("deployment", "analytics-taskmanager", "-n", NAMESPACE)
        status = taskmanagers["status"]
        assert status.get("observedGeneration") == taskmanagers["metadata"]["generation"], what
        assert status.get("updatedReplicas") == status.get("availableReplicas") == taskmanagers["spec"]["replicas"], what
        if rolls:
            assert pod_uids(kube, NAMESPACE, "taskmanager").isdisjoint(taskmanagers_before), f"{what}: pods did not roll"
        # Exactly one ConfigMap of ours is left: the old one is deleted after the Deployments moved on.
        config_maps = kube.get("configmaps", "-n", NAMESPACE, "-l", "app.kubernetes.io/part-of=flink-session")["items"]
        assert len(config_maps) == 1, (what, [c["metadata"]["name"] for c in config_maps])
        workspace.preview(STACK, expect_no_changes=True)

    # An unchanged config is a no-op: the same value again plans nothing, and the ConfigMap keeps its name.
    (config_map,) = [m for m in expected_objects(STACK, workspace.directory) if m["kind"] == "ConfigMap"]
    workspace.config_set(STACK, "cluster.taskManager.slots", "4")
    assert set(workspace.preview(STACK).by_op()) == {"same"}
    assert kube.exists("configmap", config_map["metadata"]["name"], "-n", NAMESPACE)


def test_invalid_setting_fails_preview_and_changes_nothing(kube: Kube, workspace: Workspace) -> None:
    workspace.add_stack(STACK)
    workspace.up(STACK)
    before = object_versions(kube, NAMESPACE)

    workspace.config_set(STACK, "cluster.taskManager.memory", "900Mi")
    for command in (("preview",), ("up", "--yes")):
        result = workspace.cli(*command, stack=STACK, check=False)
        output = result.stdout + result.stderr
        assert result.returncode != 0, output
        assert "cluster.taskManager.memory = '900Mi'" in output and "use at least 982Mi" in output, output
        assert "Traceback" not in output, output
    assert object_versions(kube, NAMESPACE) == before


def test_policy_pack_refuses_an_exposed_rest_api(workspace: Workspace) -> None:
    """The program allows a LoadBalancer (with a warning); the platform's mandatory policy does not."""
    workspace.add_stack(STACK)
    workspace.config_set(STACK, "cluster.network.restServiceType", "LoadBalancer")
    workspace.preview(STACK)  # the program itself accepts it
    refused = workspace.cli("preview", "--policy-pack", "policy", stack=STACK, check=False)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "flink-rest-not-exposed" in output and "mandatory" in output, output


def test_refresh_shows_drift_and_up_repairs_it(kube: Kube, workspace: Workspace) -> None:
    workspace.add_stack(STACK)
    workspace.up(STACK)
    kube.run("-n", NAMESPACE, "scale", "deployment/analytics-taskmanager", "--replicas=3")

    refreshed = workspace.refresh(STACK)
    assert refreshed.changed() == ["kubernetes:apps/v1:Deployment::analytics-taskmanager"], refreshed.timeline()
    planned = workspace.preview(STACK).by_op()
    assert planned.get("update") == ["kubernetes:apps/v1:Deployment::analytics-taskmanager"], planned

    workspace.up(STACK)
    assert kube.get("deployment", "analytics-taskmanager", "-n", NAMESPACE)["spec"]["replicas"] == 1
    workspace.preview(STACK, expect_no_changes=True)


@pytest.mark.parametrize("stack", ["dev"])
def test_render_text_applies_as_is(kube: Kube, stack: str) -> None:
    """The reviewer's YAML stream (comments, literal blocks) is itself valid input for the API server.

    Kept on kubectl: the engine never sees this text, reviewers and scripts do.
    """
    from tools.review.render import render_stack  # noqa: PLC0415

    text = render_stack(stack)
    kube.run("create", "namespace", "flink-dev")  # a server dry run does not create it for the rest
    try:
        dry_run = kube.run("apply", "--server-side", "--dry-run=server", "-f", "-", stdin=text)
        assert "serverside-applied (server dry run)" in dry_run.stdout
    finally:
        kube.run("delete", "namespace", "flink-dev", "--wait=true")
