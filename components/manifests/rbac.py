"""The cluster's ServiceAccount and, with Kubernetes HA, the least privilege Flink's HA services need.

Flink's Kubernetes HA keeps leader election (a fabric8 ConfigMapLock, checked in
the 1.20.4 and 2.2.1 jars) and job metadata in ConfigMaps named after
`kubernetes.cluster-id`. Their names carry job ids, so a rule cannot list them by
name; the Role is therefore namespace-scoped, on ConfigMaps only, with the verbs
the HA services call: read and watch the leader, create and update the records,
delete them when a job ends. Nothing cluster-wide.
"""

from __future__ import annotations

from typing import Any

from components.manifests.metadata import object_metadata
from components.settings import ClusterSettings

HA_CONFIGMAP_VERBS = ("get", "list", "watch", "create", "update", "patch", "delete")


def service_account_name(settings: ClusterSettings) -> str:
    return f"{settings.name}-flink"


def ha_role_name(settings: ClusterSettings) -> str:
    return f"{settings.name}-flink-ha"


def service_account(settings: ClusterSettings) -> dict[str, Any]:
    """Always created, so pods never run as the namespace's `default` account; its token is mounted only with HA."""
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": object_metadata(settings, service_account_name(settings)),
        "automountServiceAccountToken": False,
    }


def ha_role(settings: ClusterSettings) -> dict[str, Any] | None:
    if not settings.operations.high_availability.enabled:
        return None
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": object_metadata(settings, ha_role_name(settings)),
        "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": list(HA_CONFIGMAP_VERBS)}],
    }


def ha_role_binding(settings: ClusterSettings) -> dict[str, Any] | None:
    if not settings.operations.high_availability.enabled:
        return None
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": object_metadata(settings, ha_role_name(settings)),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": ha_role_name(settings)},
        "subjects": [{"kind": "ServiceAccount", "name": service_account_name(settings), "namespace": settings.namespace}],
    }
