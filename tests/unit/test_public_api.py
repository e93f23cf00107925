"""The public namespace: `components` exports exactly the API a program uses, and importing it costs no Pulumi.

As httpx's tests/test_exported_members.py: a name added to or dropped from `__all__` is
a change to the API and fails here until this list says so.
"""

from __future__ import annotations

import subprocess
import sys

import components

PUBLIC = {
    "FlinkSessionCluster",
    "FlinkSessionClusterArgs",
    "FlinkSessionJob",
    "SessionJobArgs",
    "ConfigError",
    "TaskManagerArgs",
    "JobManagerArgs",
    "SqlGatewayArgs",
    "SchedulingArgs",
    "TolerationArgs",
    "NetworkArgs",
    "PeerArgs",
    "HighAvailabilityArgs",
    "CheckpointsArgs",
    "SavepointsArgs",
    "StateBackendArgs",
    "RestartStrategyArgs",
    "StorageArgs",
    "S3Args",
    "SharedVolumeArgs",
    "MetricsArgs",
    "IngressArgs",
    "JobArgs",
}


def test_all_is_the_public_api() -> None:
    assert set(components.__all__) == PUBLIC
    assert sorted(components.__all__) == components.__all__


def test_every_exported_name_resolves_to_its_own_class() -> None:
    for name in components.__all__:
        value = getattr(components, name)
        assert value.__name__ == name
        assert value.__module__.startswith("components.")


def test_a_name_outside_the_api_is_an_attribute_error() -> None:
    try:
        components.cluster_objects  # noqa: B018 - the lookup is the test
    except AttributeError as error:
        assert "cluster_objects" in str(error)
    else:
        raise AssertionError("components.cluster_objects resolved")


def test_importing_the_package_or_a_pure_layer_does_not_import_pulumi() -> None:
    code = "import sys, components, components.resolution, components.manifests.objects; print('pulumi' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
