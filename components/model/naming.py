"""Every name and label derived from a cluster's name, in one place.

Other modules (and other programs, e.g. a client job's NetworkPolicy) depend on these
names, so they are never assembled by string concatenation elsewhere: the Kubernetes
object names, the Pulumi resource names (which are part of each resource's URN, so
they never change between versions), and the labels used in selectors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from components.model import ports
from components.model.limits import DNS_LABEL_MAX

# Suffixes appended to the cluster name for objects whose names must be DNS-1035
# labels (Services) or that end up in label values; these bound the name length.
_LABEL_LIMITED_SUFFIXES = ("-jobmanager", "-taskmanager", "-rest", "-sql-gateway", "-history")

MAX_CLUSTER_NAME_LENGTH = DNS_LABEL_MAX - max(len(s) for s in _LABEL_LIMITED_SUFFIXES)
# A job's name is part of its Pulumi resource name (`<cluster>-job-<job>`); short keeps URNs readable.
MAX_JOB_NAME_LENGTH = 40

# Label keys the component sets on every object and uses in selectors or policies; users
# may not override them, or Services and Deployments would stop selecting their pods.
LABEL_NAME = "app.kubernetes.io/name"
LABEL_INSTANCE = "app.kubernetes.io/instance"
LABEL_COMPONENT = "app.kubernetes.io/component"
LABEL_PART_OF = "app.kubernetes.io/part-of"
LABEL_VERSION = "app.kubernetes.io/version"
LABEL_MANAGED_BY = "app.kubernetes.io/managed-by"
# The cluster's `environment` (production or development); the policy pack reads it.
LABEL_ENVIRONMENT = "flink-session.dev/environment"
# The stack that owns an object (`<project>/<stack>`): what tools/recover checks before it
# adopts an object a killed `pulumi up` created but did not record.
OWNER_ANNOTATION = "flink-session.dev/stack"
OWNED_LABEL_KEYS = frozenset({LABEL_NAME, LABEL_INSTANCE, LABEL_COMPONENT, LABEL_PART_OF, LABEL_MANAGED_BY, LABEL_ENVIRONMENT})

JOBMANAGER = "jobmanager"
TASKMANAGER = "taskmanager"
SQL_GATEWAY = "sql-gateway"
HISTORY_SERVER = "history-server"

# How many hex digits of the content's SHA-256 name a ConfigMap (as kustomize's generator does).
CONTENT_HASH_LENGTH = 10


class Part(StrEnum):
    """One object of a cluster. Its Pulumi resource name is `<cluster>-<part>`: part of the URN, so stable."""

    NAMESPACE = "namespace"
    CONFIG = "config"
    SERVICE_ACCOUNT = "serviceaccount"
    HA_ROLE = "ha-role"
    HA_ROLE_BINDING = "ha-rolebinding"
    STORAGE_SECRET = "storage-credentials"
    JOBMANAGER_SERVICE = "jobmanager-service"
    REST_SERVICE = "rest-service"
    JOBMANAGER = "jobmanager"
    TASKMANAGER = "taskmanager"
    DEFAULT_DENY = "default-deny"
    JOBMANAGER_POLICY = "jobmanager-ingress"
    TASKMANAGER_POLICY = "taskmanager-ingress"
    TASKMANAGER_BUDGET = "taskmanager-pdb"
    JOBMANAGER_BUDGET = "jobmanager-pdb"
    POD_MONITOR = "podmonitor"
    SQL_GATEWAY_SERVICE = "sql-gateway-service"
    SQL_GATEWAY = "sql-gateway"
    SQL_GATEWAY_POLICY = "sql-gateway-ingress"
    SQL_GATEWAY_BUDGET = "sql-gateway-pdb"
    HISTORY_SERVER_SERVICE = "history-server-service"
    HISTORY_SERVER = "history-server"
    HISTORY_SERVER_POLICY = "history-server-ingress"
    INGRESS = "ingress"


def camel_case(name: str) -> str:
    """The stack's (and the stack outputs') spelling of a Python name: cpu_per_slot -> cpuPerSlot."""
    first, *rest = name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def stack_owner(project: str, stack: str) -> str:
    """The OWNER_ANNOTATION value of a stack's objects."""
    return f"{project}/{stack}"


def snake_case(name: str) -> str:
    """A stack key's Python spelling: cpuPerSlot -> cpu_per_slot (the inverse of camel_case)."""
    return "".join(f"_{char.lower()}" if char.isupper() else char for char in name)


def content_hash(files: Mapping[str, str]) -> str:
    """The first CONTENT_HASH_LENGTH hex digits of the SHA-256 of the files, names and contents, in name order."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(files[name].encode())
        digest.update(b"\0")
    return digest.hexdigest()[:CONTENT_HASH_LENGTH]


@dataclass(frozen=True)
class ClusterNames:
    """Names of the Kubernetes objects and Pulumi resources of one session cluster."""

    cluster: str
    namespace: str

    def resource(self, part: Part) -> str:
        """The Pulumi resource name of one object."""
        return f"{self.cluster}-{part}"

    def job_resource(self, job: str) -> str:
        """The Pulumi resource name of one of the cluster's jobs (a FlinkSessionJob)."""
        return f"{self.cluster}-job-{job}"

    @property
    def taskmanager_scaling_resource(self) -> str:
        """The Pulumi resource that readies a TaskManager scale-down (components/jobs/taskmanager_scaling.py)."""
        return f"{self.cluster}-taskmanager-scaling"

    @property
    def ha_metadata_resource(self) -> str:
        """The Pulumi resource that deletes Flink's HA ConfigMaps on destroy (components/jobs/ha_metadata.py)."""
        return f"{self.cluster}-ha-metadata"

    def config_map(self, files: Mapping[str, str]) -> str:
        """Named by its content: any change is a new ConfigMap, and the pods that mount it roll."""
        return f"{self.cluster}-config-{content_hash(files)}"

    @property
    def jobmanager(self) -> str:
        """The JobManager Deployment and its PodDisruptionBudget."""
        return f"{self.cluster}-{JOBMANAGER}"

    @property
    def taskmanager(self) -> str:
        """The TaskManager Deployment and its PodDisruptionBudget."""
        return f"{self.cluster}-{TASKMANAGER}"

    @property
    def jobmanager_service(self) -> str:
        return f"{self.cluster}-{JOBMANAGER}"

    @property
    def rest_service(self) -> str:
        """The REST Service, and the Ingress in front of it."""
        return f"{self.cluster}-rest"

    @property
    def sql_gateway(self) -> str:
        """The SQL Gateway's Deployment, Service and PodDisruptionBudget."""
        return f"{self.cluster}-{SQL_GATEWAY}"

    @property
    def sql_gateway_url(self) -> str:
        """The SQL Gateway's REST endpoint inside the cluster (what the Flink JDBC driver connects to)."""
        return f"http://{self.sql_gateway}.{self.namespace}.svc:{ports.SQL_GATEWAY}"

    @property
    def history_server(self) -> str:
        """The History Server's Deployment and Service."""
        return f"{self.cluster}-history"

    @property
    def service_account(self) -> str:
        return f"{self.cluster}-flink"

    @property
    def pod_monitor(self) -> str:
        return f"{self.cluster}-flink"

    @property
    def ha_role(self) -> str:
        """The HA Role and its RoleBinding."""
        return f"{self.cluster}-flink-ha"

    @property
    def storage_secret(self) -> str:
        return f"{self.cluster}-storage-credentials"

    def network_policy(self, part: Part) -> str:
        """DEFAULT_DENY or a component's ingress policy (JOBMANAGER_POLICY, ...): named as their Pulumi resources."""
        return self.resource(part)

    @property
    def kubernetes_cluster_id(self) -> str:
        """Flink's kubernetes.cluster-id: the `app` label and name prefix of its HA ConfigMaps."""
        return self.cluster

    @property
    def ha_configmap_selector(self) -> str:
        """The labels Flink's Kubernetes HA services put on their ConfigMaps."""
        return f"app={self.kubernetes_cluster_id},type=flink-native-kubernetes"

    @property
    def ha_cluster_id(self) -> str:
        """Namespace and name: two clusters sharing an HA storage dir never read each other's metadata."""
        return f"{self.namespace}-{self.cluster}"

    @property
    def jobmanager_service_fqdn(self) -> str:
        return f"{self.jobmanager_service}.{self.namespace}.svc"

    @property
    def rest_service_fqdn(self) -> str:
        return f"{self.rest_service}.{self.namespace}.svc"

    @property
    def rest_url(self) -> str:
        """The REST API and web UI inside the cluster."""
        return f"http://{self.rest_service_fqdn}:{ports.REST}"

    def selector_labels(self, component: str) -> dict[str, str]:
        """The labels a Service or Deployment uses to find one component's pods."""
        return {LABEL_NAME: "flink", LABEL_INSTANCE: self.cluster, LABEL_COMPONENT: component}

    def cluster_selector_labels(self) -> dict[str, str]:
        """The labels shared by every pod of this cluster (JobManagers, TaskManagers and the SQL Gateway)."""
        return {LABEL_NAME: "flink", LABEL_INSTANCE: self.cluster}
