"""Every object name and label that is derived from a cluster's name, in one place.

Other modules (and other components, e.g. a client job's NetworkPolicy) depend on
these names, so they are never assembled by string concatenation elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

DNS_LABEL_MAX = 63

# Suffixes appended to the cluster name for objects whose names must be DNS-1035
# labels (Services) or that end up in label values; these bound the name length.
_LABEL_LIMITED_SUFFIXES = ("-jobmanager", "-taskmanager", "-rest")

MAX_CLUSTER_NAME_LENGTH = DNS_LABEL_MAX - max(len(s) for s in _LABEL_LIMITED_SUFFIXES)

# Label keys the component sets on every object and uses in selectors; users may
# not override them, or Services and Deployments would stop selecting their pods.
LABEL_NAME = "app.kubernetes.io/name"
LABEL_INSTANCE = "app.kubernetes.io/instance"
LABEL_COMPONENT = "app.kubernetes.io/component"
LABEL_PART_OF = "app.kubernetes.io/part-of"
LABEL_VERSION = "app.kubernetes.io/version"
LABEL_MANAGED_BY = "app.kubernetes.io/managed-by"
OWNED_LABEL_KEYS = frozenset({LABEL_NAME, LABEL_INSTANCE, LABEL_COMPONENT, LABEL_PART_OF, LABEL_MANAGED_BY})

JOBMANAGER = "jobmanager"
TASKMANAGER = "taskmanager"


@dataclass(frozen=True)
class ClusterNames:
    """Names of the Kubernetes objects of one session cluster."""

    cluster: str
    namespace: str

    @property
    def jobmanager(self) -> str:
        return f"{self.cluster}-jobmanager"

    @property
    def taskmanager(self) -> str:
        return f"{self.cluster}-taskmanager"

    @property
    def jobmanager_service(self) -> str:
        return f"{self.cluster}-jobmanager"

    @property
    def rest_service(self) -> str:
        return f"{self.cluster}-rest"

    @property
    def config_map(self) -> str:
        """Base of the ConfigMap's name; Pulumi appends a random suffix so edits roll the pods."""
        return f"{self.cluster}-config"

    @property
    def jobmanager_service_fqdn(self) -> str:
        return f"{self.jobmanager_service}.{self.namespace}.svc"

    @property
    def rest_service_fqdn(self) -> str:
        return f"{self.rest_service}.{self.namespace}.svc"

    def selector_labels(self, component: str) -> dict[str, str]:
        """The labels a Service or Deployment uses to find one component's pods."""
        return {LABEL_NAME: "flink", LABEL_INSTANCE: self.cluster, LABEL_COMPONENT: component}

    def cluster_selector_labels(self) -> dict[str, str]:
        """The labels shared by every pod of this cluster (JobManagers and TaskManagers)."""
        return {LABEL_NAME: "flink", LABEL_INSTANCE: self.cluster}
