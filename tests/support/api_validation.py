"""The API server's own validation rules for what the program renders: a fast check for the property tests.

The OpenAPI schema (tests/support/kube_schema.py) only says "string" for most fields; the
API server refuses much more at apply time. This is that subset of Kubernetes' object
validation (pkg/apis/core/validation and its apps, networking and policy siblings) for
the fields the program sets: object names and namespaces, labels and annotations (their
syntax, and 256 KiB of annotations per object), ConfigMap and Secret keys and their 1 MiB,
container names, images (no surrounding whitespace), env var names, volume mount paths,
tolerations, Ingress hosts and paths. Plus one rule of our own that the API server does
not enforce: no control character in any name, path or value that is not file content
(FLINK_PROPERTIES is file content too: lines the entrypoint writes into config.yaml, each
checked on its own).
The e2e tier sends accepted objects to a real kube-apiserver as a server-side dry run
(tests/e2e/test_dry_run.py), which is the ground truth this approximates.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping
from typing import Any

from components.kubernetes.syntax import dns_subdomain_error, is_dns_1035_label, is_dns_label, label_key_error, label_value_error

MAX_ANNOTATIONS_BYTES = 256 * 1024
MAX_CONFIG_BYTES = 1024 * 1024
_CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+")
_ENV_NAME = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")
_PROMETHEUS_INTERVAL = re.compile(r"(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)")
_TAINT_EFFECTS = frozenset({"NoSchedule", "PreferNoSchedule", "NoExecute"})
# Content, not names: file bodies, and annotation values (free text; a newline is fine there).
_CONTENT_FIELDS = frozenset({"data", "stringData", "annotations"})


def api_problems(manifest: Mapping[str, Any]) -> list[str]:
    """What the API server (or, for control characters, common sense) would refuse in one object."""
    problems = _metadata_problems(manifest["kind"], manifest["metadata"]) + _kind_problems(manifest)
    for pod_spec in _pod_specs(manifest):
        problems += _pod_problems(pod_spec)
    problems += [
        f"control character in {where}: {text[:80]!r}" for where, text in _strings(manifest, "") if _CONTROL.search(text)
    ]
    return problems


def _metadata_problems(kind: str, metadata: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    name = metadata["name"]
    if kind in ("Namespace", "Service"):
        if not (is_dns_label(name) if kind == "Namespace" else is_dns_1035_label(name)):
            problems.append(f"{kind} name {name!r} is not a DNS label")
    elif dns_subdomain_error(name):
        problems.append(f"name {name!r}: {dns_subdomain_error(name)}")
    if "namespace" in metadata and not is_dns_label(metadata["namespace"]):
        problems.append(f"namespace {metadata['namespace']!r} is not a DNS label")
    problems += _label_problems(metadata.get("labels") or {}, "metadata.labels")
    annotations = metadata.get("annotations") or {}
    problems += [f"annotation key {key!r}: {label_key_error(key)}" for key in annotations if label_key_error(key)]
    if sum(len(k) + len(v) for k, v in annotations.items()) > MAX_ANNOTATIONS_BYTES:
        problems.append("annotations are more than 256 KiB")
    return problems


def _kind_problems(manifest: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    kind = manifest["kind"]
    if kind in ("ConfigMap", "Secret"):
        data = {**(manifest.get("data") or {}), **(manifest.get("stringData") or {})}
        problems += [
            f"{kind} key {key!r} is not a valid file name" for key in data if len(key) > 253 or not _CONFIG_KEY.fullmatch(key)
        ]
        if sum(len(str(v).encode()) for v in data.values()) > MAX_CONFIG_BYTES:
            problems.append(f"{kind} data is more than 1 MiB")
    elif kind == "Ingress":
        problems += _ingress_problems(manifest["spec"])
    elif kind == "NetworkPolicy":
        problems += _network_policy_problems(manifest["spec"])
    elif kind == "PodMonitor":
        for endpoint in manifest["spec"].get("podMetricsEndpoints", []):
            if "interval" in endpoint and not _PROMETHEUS_INTERVAL.fullmatch(endpoint["interval"]):
                problems.append(f"PodMonitor interval {endpoint['interval']!r} is not a Prometheus duration")
    return problems


def _label_problems(labels: Mapping[str, str], where: str) -> list[str]:
    problems = []
    for key, value in labels.items():
        if label_key_error(key):
            problems.append(f"{where} key {key!r}: {label_key_error(key)}")
        if not isinstance(value, str) or label_value_error(value):
            problems.append(f"{where}[{key!r}] = {value!r}: {label_value_error(str(value))}")
    return problems


def _pod_specs(manifest: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    template = (manifest.get("spec") or {}).get("template")
    if isinstance(template, Mapping) and "spec" in template:
        yield template["spec"]


def _pod_problems(spec: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    volumes = {volume["name"] for volume in spec.get("volumes", [])}
    for container in [*spec.get("initContainers", []), *spec.get("containers", [])]:
        if not is_dns_label(container["name"]):
            problems.append(f"container name {container['name']!r} is not a DNS label")
        image = container.get("image", "")
        if image != image.strip() or not image:
            problems.append(f"image {image!r} has surrounding whitespace or is empty")
        for variable in container.get("env", []):
            if not _ENV_NAME.fullmatch(variable["name"]):
                problems.append(f"env var name {variable['name']!r} is not valid")
        for mount in container.get("volumeMounts", []):
            if mount["name"] not in volumes:
                problems.append(f"volumeMount {mount['name']!r} names no volume")
            if not mount["mountPath"].startswith("/") or ".." in mount["mountPath"].split("/"):
                problems.append(f"mountPath {mount['mountPath']!r} is not absolute or backsteps")
    for toleration in spec.get("tolerations", []):
        problems += _toleration_problems(toleration)
    if "priorityClassName" in spec and dns_subdomain_error(spec["priorityClassName"]):
        problems.append(f"priorityClassName {spec['priorityClassName']!r} is not a DNS subdomain")
    problems += _label_problems(spec.get("nodeSelector") or {}, "nodeSelector")
    return problems


def _toleration_problems(toleration: Mapping[str, Any]) -> list[str]:
    """Kubernetes' validateTolerations."""
    problems = []
    key, operator = toleration.get("key", ""), toleration.get("operator", "Equal")
    if key and label_key_error(key):
        problems.append(f"toleration key {key!r}: {label_key_error(key)}")
    if not key and operator != "Exists":
        problems.append("a toleration with an empty key must use operator Exists")
    if operator == "Exists" and toleration.get("value"):
        problems.append("a toleration with operator Exists must not have a value")
    if operator == "Equal" and label_value_error(toleration.get("value", "")):
        problems.append(f"toleration value {toleration.get('value')!r} is not a label value")
    if "tolerationSeconds" in toleration and toleration.get("effect") != "NoExecute":
        problems.append("tolerationSeconds needs effect NoExecute")
    if toleration.get("effect") not in (None, "", *_TAINT_EFFECTS):
        problems.append(f"toleration effect {toleration.get('effect')!r} is not a taint effect")
    return problems


def _ingress_problems(spec: Mapping[str, Any]) -> list[str]:
    problems = []
    for rule in spec.get("rules", []):
        host = rule.get("host", "")
        bare = host.removeprefix("*.")
        if dns_subdomain_error(bare) or "*" in bare or _is_ip(bare):
            problems.append(f"Ingress host {host!r} is not a DNS subdomain (with an optional leading '*.')")
        for path in rule.get("http", {}).get("paths", []):
            text = path["path"]
            bad = not text.startswith("/") or any(part in text for part in ("//", "/./", "/../", "%2f", "%2F"))
            if bad or text.endswith(("/..", "/.")):
                problems.append(f"Ingress path {text[:80]!r} is not a clean absolute path")
    return problems


def _network_policy_problems(spec: Mapping[str, Any]) -> list[str]:
    problems = _label_problems((spec.get("podSelector") or {}).get("matchLabels") or {}, "podSelector")
    for rule in spec.get("ingress", []):
        for peer in rule.get("from", []):
            for selector in ("podSelector", "namespaceSelector"):
                problems += _label_problems((peer.get(selector) or {}).get("matchLabels") or {}, selector)
            if "ipBlock" in peer:
                try:
                    ipaddress.ip_network(peer["ipBlock"]["cidr"], strict=False)
                except ValueError:
                    problems.append(f"ipBlock cidr {peer['ipBlock']['cidr']!r} is not a CIDR")
    return problems


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string of an object outside file content, with where it is."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, Mapping) and value.get("name") == "FLINK_PROPERTIES" and isinstance(value.get("value"), str):
        for number, line in enumerate(value["value"].removesuffix("\n").split("\n")):
            yield f"{where}.value line {number + 1}", line
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key in _CONTENT_FIELDS:
                yield from ((f"{where}.{key} (key)", name) for name in item)
                continue
            yield f"{where} (key)", str(key)
            yield from _strings(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")
