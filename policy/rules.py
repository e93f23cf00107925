"""The platform's rules for Flink session clusters, as pure functions over resource properties.

Independent of the program they check (no import from `components/`): each rule
reads the objects as the engine sees them and returns violation messages. The
CrossGuard pack (`__main__.py`) wraps them; the tests call them with passing and
violating resources.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
SERVICE = "kubernetes:core/v1:Service"
NAMESPACE = "kubernetes:core/v1:Namespace"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
# The program's own dynamic resources (jobs, the TaskManager scaling guard, HA metadata).
DYNAMIC = "pulumi-python:dynamic:Resource"

INSTANCE = "app.kubernetes.io/instance"
COMPONENT = "app.kubernetes.io/component"
# The cluster's declared environment (production or development), on every object the program creates.
ENVIRONMENT = "flink-session.dev/environment"
# Flink's HTTP endpoints, none of them authenticated: what each Service port serves.
UNAUTHENTICATED_PORTS = {
    8081: "the Flink REST API (it accepts job submission)",
    8082: "the Flink History Server (it shows every archived job's configuration)",
    8083: "the Flink SQL Gateway (it runs the SQL it is sent)",
}

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
_DECIMAL = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
_FLINK_UNITS = {"b": 1, "k": 2**10, "kb": 2**10, "m": 2**20, "mb": 2**20, "g": 2**30, "gb": 2**30, "t": 2**40, "tb": 2**40}


def kubernetes_bytes(quantity: object) -> int | None:
    """A Kubernetes memory quantity in bytes (None if it is not one)."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?", str(quantity))
    if not match:
        return None
    number, unit = match.groups()
    factor = _BINARY.get(unit or "", _DECIMAL.get(unit or "", 1))
    return int(float(number) * factor)


def flink_bytes(size: object) -> int | None:
    """A Flink MemorySize ('1728m', '8g', '1024 mb') in bytes (None if it is not one)."""
    match = re.fullmatch(r"(\d+)\s*([a-zA-Z]*)", str(size).strip())
    if not match or match.group(2).lower() not in _FLINK_UNITS | {"": 1}:
        return None
    return int(match.group(1)) * (_FLINK_UNITS.get(match.group(2).lower(), 1))


def _pod_spec(props: Mapping[str, Any]) -> Mapping[str, Any]:
    spec: Mapping[str, Any] = ((props.get("spec") or {}).get("template") or {}).get("spec") or {}
    return spec


def _containers(props: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    spec = _pod_spec(props)
    return [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]


def resources_set(props: Mapping[str, Any]) -> list[str]:
    """Every container requests CPU and memory, and its memory limit equals its request."""
    problems = []
    for container in _containers(props):
        name = container.get("name", "?")
        resources = container.get("resources") or {}
        requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
        for resource in ("cpu", "memory"):
            if resource not in requests:
                problems.append(f"container '{name}' has no {resource} request")
        if "memory" not in limits:
            problems.append(f"container '{name}' has no memory limit")
        elif "memory" in requests and kubernetes_bytes(limits["memory"]) != kubernetes_bytes(requests["memory"]):
            problems.append(
                f"container '{name}' has memory limit {limits['memory']} != request {requests['memory']}; "
                "Flink sizes its JVM to the limit, so overcommit only risks OOM kills"
            )
    return problems


def restricted_security_context(props: Mapping[str, Any]) -> list[str]:
    """The Pod Security 'restricted' profile, plus a read-only root filesystem, on every pod and container."""
    problems = []
    pod = _pod_spec(props)
    pod_context = pod.get("securityContext") or {}
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(field):
            problems.append(f"pod sets {field}")
    pod_seccomp = (pod_context.get("seccompProfile") or {}).get("type")
    for container in _containers(props):
        name = container.get("name", "?")
        context = container.get("securityContext") or {}
        if context.get("runAsNonRoot", pod_context.get("runAsNonRoot")) is not True:
            problems.append(f"container '{name}' does not set runAsNonRoot: true")
        if context.get("allowPrivilegeEscalation") is not False:
            problems.append(f"container '{name}' does not set allowPrivilegeEscalation: false")
        if context.get("privileged"):
            problems.append(f"container '{name}' is privileged")
        capabilities = context.get("capabilities") or {}
        if "ALL" not in (capabilities.get("drop") or []):
            problems.append(f"container '{name}' does not drop ALL capabilities")
        if set(capabilities.get("add") or []) - {"NET_BIND_SERVICE"}:
            problems.append(f"container '{name}' adds capabilities {capabilities['add']}")
        if context.get("readOnlyRootFilesystem") is not True:
            problems.append(f"container '{name}' does not set readOnlyRootFilesystem: true")
        seccomp = (context.get("seccompProfile") or {}).get("type", pod_seccomp)
        if seccomp not in ("RuntimeDefault", "Localhost"):
            problems.append(f"container '{name}' has no RuntimeDefault or Localhost seccomp profile")
    return problems


def pinned_images(props: Mapping[str, Any]) -> list[str]:
    """No `latest`, no untagged image: every pod must run exactly the image that was reviewed."""
    problems = []
    for container in _containers(props):
        image = str(container.get("image", ""))
        if "@sha256:" in image:
            continue
        last = image.rsplit("/", 1)[-1]
        tag = last.split(":", 1)[1] if ":" in last else None
        if tag is None or tag == "latest":
            problems.append(f"container '{container.get('name', '?')}' uses image '{image}' without a pinned tag or digest")
    return problems


def rest_not_exposed(props: Mapping[str, Any], allow_exposed_rest: bool) -> list[str]:
    """Flink's unauthenticated HTTP endpoints only as ClusterIP unless the platform allows it."""
    spec = props.get("spec") or {}
    service_type = spec.get("type", "ClusterIP")
    selects_flink = (spec.get("selector") or {}).get("app.kubernetes.io/name") == "flink"
    if allow_exposed_rest or not selects_flink or service_type not in ("NodePort", "LoadBalancer"):
        return []
    served = [UNAUTHENTICATED_PORTS[p["port"]] for p in spec.get("ports") or [] if p.get("port") in UNAUTHENTICATED_PORTS]
    return [
        f"Service exposes {what} as {service_type}; it has no authentication "
        "(set the policy config allowExposedRest: true to permit it)"
        for what in served
    ]


def namespace_restricted(props: Mapping[str, Any]) -> list[str]:
    labels = (props.get("metadata") or {}).get("labels") or {}
    if labels.get("pod-security.kubernetes.io/enforce") != "restricted":
        return ["Namespace does not enforce Pod Security 'restricted' (label pod-security.kubernetes.io/enforce)"]
    return []


def _flink_options(config_map_props: Mapping[str, Any]) -> Mapping[str, Any]:
    text = (config_map_props.get("data") or {}).get("config.yaml")
    if not text:
        return {}
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _labels(props: Mapping[str, Any]) -> Mapping[str, str]:
    labels: Mapping[str, str] = (props.get("metadata") or {}).get("labels") or {}
    return labels


def _namespace(props: Mapping[str, Any]) -> str:
    return str((props.get("metadata") or {}).get("namespace", "default"))


def process_size_matches_limit(resources: Iterable[tuple[str, Mapping[str, Any]]]) -> list[str]:
    """For each cluster, Flink's `*.memory.process.size` equals its container's memory limit."""
    items = list(resources)
    configs = {
        (_namespace(props), _labels(props).get(INSTANCE)): _flink_options(props)
        for kind, props in items
        if kind == CONFIG_MAP and _labels(props).get(INSTANCE)
    }
    problems = []
    for kind, props in items:
        if kind != DEPLOYMENT:
            continue
        labels = _labels(props)
        role = labels.get(COMPONENT)
        options = configs.get((_namespace(props), labels.get(INSTANCE)))
        if role not in ("jobmanager", "taskmanager") or options is None:
            continue
        key = f"{role}.memory.process.size"
        if key not in options:
            problems.append(f"{role} of '{labels.get(INSTANCE)}': config.yaml sets no {key}")
            continue
        main = (_pod_spec(props).get("containers") or [{}])[0]
        limit = ((main.get("resources") or {}).get("limits") or {}).get("memory")
        if flink_bytes(options[key]) != kubernetes_bytes(limit):
            problems.append(
                f"{role} of '{labels.get(INSTANCE)}': {key} is {options[key]} but the container memory limit is {limit}; "
                "the JVM would be sized for a different container"
            )
    return problems


def network_policy_selects_flink_pods(resources: Iterable[tuple[str, Mapping[str, Any]]]) -> list[str]:
    """Every Flink pod is selected by at least one NetworkPolicy in its namespace."""
    items = list(resources)
    selectors = [
        (_namespace(props), ((props.get("spec") or {}).get("podSelector") or {}).get("matchLabels") or {})
        for kind, props in items
        if kind == NETWORK_POLICY
    ]
    problems = []
    for kind, props in items:
        if kind != DEPLOYMENT or _labels(props).get("app.kubernetes.io/name") != "flink":
            continue
        pod_labels = (((props.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {}
        namespace = _namespace(props)
        if not any(ns == namespace and selector.items() <= pod_labels.items() for ns, selector in selectors):
            name = (props.get("metadata") or {}).get("name", "?")
            problems.append(f"Deployment '{name}': no NetworkPolicy in namespace '{namespace}' selects its pods")
    return problems


def ha_in_production(props: Mapping[str, Any]) -> list[str]:
    """Advisory: a cluster declared `environment: production` without JobManager HA loses its jobs on a restart.

    It reads the environment label the cluster carries, not the stack's name.
    """
    labels = _labels(props)
    if labels.get(ENVIRONMENT) != "production":
        return []
    options = _flink_options(props)
    if not options or str(options.get("high-availability.type", "NONE")).lower() == "kubernetes":
        return []
    return [f"cluster '{labels.get(INSTANCE, '?')}' in environment 'production' runs without high availability"]


def force_scale_down_in_production(resources: Iterable[tuple[str, Mapping[str, Any]]]) -> list[str]:
    """Advisory: `taskManager.forceScaleDown` on a production cluster lets a scale-down fail running jobs over.

    The scaling guard (a dynamic resource) names its cluster and namespace; the cluster's
    environment is the label on its Deployments.
    """
    production = {
        (_namespace(props), _labels(props).get(INSTANCE))
        for kind, props in resources
        if kind == DEPLOYMENT and _labels(props).get(ENVIRONMENT) == "production"
    }
    problems = []
    for kind, props in resources:
        access = props.get("access") or {}
        in_production = (access.get("namespace"), access.get("cluster")) in production
        if kind == DYNAMIC and props.get("forceScaleDown") is True and in_production:
            problems.append(
                f"cluster '{access.get('cluster')}' in environment 'production' sets taskManager.forceScaleDown: "
                "a scale-down may take slots running jobs hold"
            )
    return problems
