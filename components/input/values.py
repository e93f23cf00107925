"""The value types of the stack's input: small pure validators, and the annotated types built from them.

Each validator checks one value on its own and raises pydantic's error with a message
in the user's terms (what is accepted, with an example); `schema.py` composes the types
into the models of the stack configuration. Nothing here knows about other keys.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StrictInt, StrictStr
from pydantic_core import PydanticCustomError

from components.flink.durations import duration_ms
from components.kubernetes.quantities import QuantityError, parse_cpu, parse_memory
from components.kubernetes.syntax import (
    cidr_error,
    dns_subdomain_error,
    is_dns_1035_label,
    is_dns_label,
    label_key_error,
    label_value_error,
)
from components.model.limits import (
    FLINK_MAX_PARALLELISM,
    INT32_MAX,
    INT64_MAX,
    MAX_DURATION_MS,
    MAX_JOB_MANAGERS,
    MAX_PROMETHEUS_DURATION_MS,
    MAX_SQL_GATEWAYS,
    MAX_TASK_MANAGERS,
    MAX_TOTAL_SLOTS,
    MIN_CHECKPOINT_INTERVAL_MS,
)
from components.model.naming import MAX_CLUSTER_NAME_LENGTH
from components.model.paths import RESERVED_DIRS

# A quantity as the user writes it: "1728Mi", "500m", 2, 0.5. Resolution reads it with
# kubernetes.quantities (bytes, millicores); the schema keeps what was written.
Quantity = str | int | float


def _memory(value: object) -> object:
    try:
        parse_memory(value)
    except QuantityError as exc:
        raise PydanticCustomError("memory", str(exc)) from exc
    return value


def _cpu(value: object) -> object:
    try:
        parse_cpu(value)
    except QuantityError as exc:
        raise PydanticCustomError("cpu", str(exc)) from exc
    return value


def _cluster_name(value: object) -> str:
    if not isinstance(value, str) or not is_dns_1035_label(value):
        raise PydanticCustomError(
            "name",
            "must be a DNS-1035 label: lowercase letters, digits and '-', starting with a letter "
            "and ending with a letter or digit (e.g. 'analytics')",
        )
    if len(value) > MAX_CLUSTER_NAME_LENGTH:
        raise PydanticCustomError(
            "name",
            "is {length} characters; at most {limit} keep '<name>-taskmanager' within 63",
            {"length": len(value), "limit": MAX_CLUSTER_NAME_LENGTH},
        )
    return value


def _namespace(value: object) -> str:
    if not isinstance(value, str) or not is_dns_label(value):
        raise PydanticCustomError(
            "namespace",
            "must be a DNS-1123 label of at most 63 characters: lowercase letters, digits and '-', "
            "starting and ending with a letter or digit",
        )
    return value


def _version_text(value: object) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise PydanticCustomError(
            "version",
            "must be quoted: YAML reads an unquoted version as a number (1.20 becomes 1.2); "
            "write it as a string, e.g. '1.20' or '2.2.1'",
        )
    if not isinstance(value, str):
        raise PydanticCustomError("version", "must be a string such as '2.2.1' or '1.20'")
    return value


# What a PodMonitor's interval accepts (the Prometheus operator's CRD pattern, Prometheus's own syntax).
_PROMETHEUS_DURATION = re.compile(r"(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?")
_PROMETHEUS_UNIT_MS = (365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1)
_HOSTNAME = re.compile(r"(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+")


def _duration(value: object) -> str:
    text = value.strip() if isinstance(value, str) else ""
    milliseconds = duration_ms(text)
    if milliseconds is None:
        raise PydanticCustomError(
            "duration", "must be a duration such as '500ms', '30s', '5min', '1h' or '1d' (a whole number and a unit)"
        )
    if milliseconds > MAX_DURATION_MS:
        raise PydanticCustomError("duration", "is longer than Flink can hold; use at most {limit}ms", {"limit": MAX_DURATION_MS})
    return text


def _checkpoint_interval(value: str) -> str:
    if (duration_ms(value) or 0) < MIN_CHECKPOINT_INTERVAL_MS:
        raise PydanticCustomError(
            "duration",
            "must be at least {limit}ms: Flink refuses shorter checkpoint intervals",
            {"limit": MIN_CHECKPOINT_INTERVAL_MS},
        )
    return value


def _prometheus_duration(value: object) -> str:
    match = _PROMETHEUS_DURATION.fullmatch(value) if isinstance(value, str) and len(value) <= 60 else None
    if match is None or not any(match.groups()):
        raise PydanticCustomError(
            "duration", "must be a Prometheus duration such as '30s', '1m' or '1h30m' (Prometheus does not read 'min')"
        )
    total = sum(int(n) * unit for n, unit in zip(match.groups(), _PROMETHEUS_UNIT_MS, strict=True) if n is not None)
    if not 0 < total <= MAX_PROMETHEUS_DURATION_MS:
        raise PydanticCustomError(
            "duration", "must be longer than zero and at most {limit}ms", {"limit": MAX_PROMETHEUS_DURATION_MS}
        )
    return str(value)


def _at_most(limit: int, why: str) -> Callable[[int], int]:
    """A bound whose message says where the limit comes from."""

    def check(value: int) -> int:
        if value > limit:
            raise PydanticCustomError("too_large", "must be at most {limit}: {why}", {"limit": limit, "why": why})
        return value

    return check


def _hostname(value: object) -> str:
    if not isinstance(value, str) or len(value) > 253 or not _HOSTNAME.fullmatch(value):
        raise PydanticCustomError(
            "hostname", "must be a fully qualified lowercase DNS name such as 'flink.example.com' (a leading '*.' is allowed)"
        )
    return value


def _syntax(check: Callable[[str], str | None]) -> Callable[[str], str]:
    def validate(value: str) -> str:
        error = check(value)
        if error is not None:
            raise PydanticCustomError("syntax", error.replace("{", "{{").replace("}", "}}"))
        return value

    return validate


# An Ingress path the API server accepts for pathType Prefix: absolute and clean
# (validateIngressHTTPPath), in the characters a URL path takes.
_INGRESS_PATH = re.compile(r"/[A-Za-z0-9._~!$&'()*+,;=:@/-]*")


def _ingress_path(value: str) -> str:
    unclean = any(part in value for part in ("//", "/./", "/../")) or value.endswith(("/..", "/."))
    if len(value) > 2048 or not _INGRESS_PATH.fullmatch(value) or unclean:
        raise PydanticCustomError(
            "path", "must be a clean absolute URL path starting with '/', e.g. '/' or '/flink' (no '//', '.' or '..' segments)"
        )
    return value


# What a mount path may look like: absolute, normalised, plain characters.
_MOUNT_PATH = re.compile(r"(/[A-Za-z0-9._-]+)+")


def _mount_path(value: str) -> str:
    if len(value) > 1024 or not _MOUNT_PATH.fullmatch(value) or posixpath.normpath(value) != value:
        raise PydanticCustomError(
            "path", "must be an absolute, normalised directory path such as '/flink-state' (letters, digits, '.', '_', '-')"
        )
    for reserved in RESERVED_DIRS:
        if value == reserved or value.startswith(f"{reserved}/") or reserved.startswith(f"{value}/"):
            raise PydanticCustomError(
                "path",
                "would hide or sit inside {reserved}, which the pods or the image need; choose a directory of its own, "
                "e.g. '/flink-state'",
                {"reserved": reserved},
            )
    return value


def _argument(value: object) -> object:
    """`pulumi config set --path` stores `40` as a number; a program argument is its text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


# A job's program argument: text, or a number given as such (its text is the argument).
ProgramArgument = Annotated[StrictStr, BeforeValidator(_argument)]
Memory = Annotated[Quantity, BeforeValidator(_memory)]
Cpu = Annotated[Quantity, BeforeValidator(_cpu)]
Count = Annotated[StrictInt, Field(ge=1)]
Parallelism = Annotated[Count, AfterValidator(_at_most(FLINK_MAX_PARALLELISM, "Flink's maximum parallelism"))]
Slots = Annotated[Count, AfterValidator(_at_most(MAX_TOTAL_SLOTS, "no job can use more slots than Flink's maximum parallelism"))]
TaskManagerReplicas = Annotated[
    Count, AfterValidator(_at_most(MAX_TASK_MANAGERS, "the most TaskManagers one session cluster is operated at"))
]
JobManagerReplicas = Annotated[
    Count, AfterValidator(_at_most(MAX_JOB_MANAGERS, "one leader and standbys; more only watch the leader ConfigMaps"))
]
SqlGatewayReplicas = Annotated[
    Count, AfterValidator(_at_most(MAX_SQL_GATEWAYS, "sessions are not shared between gateways; more add little"))
]
# Flink reads these as a Java int.
FlinkInt = Annotated[Count, AfterValidator(_at_most(INT32_MAX, "Flink reads it as a Java int"))]
# Kubernetes' tolerationSeconds is an int64; zero and negative values mean "evict at once".
Int64 = Annotated[StrictInt, Field(ge=-INT64_MAX - 1, le=INT64_MAX)]
ClusterName = Annotated[str, BeforeValidator(_cluster_name)]
Namespace = Annotated[str, BeforeValidator(_namespace)]
VersionText = Annotated[str, BeforeValidator(_version_text)]
Duration = Annotated[str, BeforeValidator(_duration)]
CheckpointInterval = Annotated[str, BeforeValidator(_duration), AfterValidator(_checkpoint_interval)]
PrometheusDuration = Annotated[str, BeforeValidator(_prometheus_duration)]
Hostname = Annotated[str, BeforeValidator(_hostname)]
LabelKey = Annotated[StrictStr, AfterValidator(_syntax(label_key_error))]
# A toleration's key may be empty (with operator Exists it then matches every taint).
TolerationKey = Annotated[StrictStr, AfterValidator(_syntax(lambda key: label_key_error(key) if key else None))]
LabelValue = Annotated[StrictStr, AfterValidator(_syntax(label_value_error))]
Labels = dict[LabelKey, LabelValue]
DnsSubdomain = Annotated[StrictStr, AfterValidator(_syntax(dns_subdomain_error))]
Cidr = Annotated[StrictStr, AfterValidator(_syntax(cidr_error))]
IngressPath = Annotated[StrictStr, AfterValidator(_ingress_path)]
MountPath = Annotated[StrictStr, AfterValidator(_mount_path)]
