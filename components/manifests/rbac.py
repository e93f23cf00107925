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
from components.model.cluster import Cluster

HA_CONFIGMAP_VERBS = ("get", "list", "watch", "create", "update", "patch", "delete")
RBAC_API = "rbac.authorization.k8s.io"


def service_account(cluster: Cluster) -> dict[str, Any]:
    """Always created, so pods never run as the namespace's `default` account; its token is mounted only with HA."""
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": object_metadata(cluster, cluster.names.service_account),
        "automountServiceAccountToken": False,
    }


def ha_role(cluster: Cluster) -> dict[str, Any] | None:
    if cluster.high_availability is None:
        return None
    rules = [{"apiGroups": [""], "resources": ["configmaps"], "verbs": list(HA_CONFIGMAP_VERBS)}]
    return {
        "apiVersion": f"{RBAC_API}/v1",
        "kind": "Role",
        "metadata": object_metadata(cluster, cluster.names.ha_role),
        "rules": rules,
    }


def ha_role_binding(cluster: Cluster) -> dict[str, Any] | None:
    if cluster.high_availability is None:
        return None
    names = cluster.names
    return {
        "apiVersion": f"{RBAC_API}/v1",
        "kind": "RoleBinding",
        "metadata": object_metadata(cluster, names.ha_role),
        "roleRef": {"apiGroup": RBAC_API, "kind": "Role", "name": names.ha_role},
        "subjects": [{"kind": "ServiceAccount", "name": names.service_account, "namespace": cluster.namespace}],
    }
