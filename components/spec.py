"""The stack configuration as the user writes it (`flink-session:cluster`), and its validation.

Pydantic models here mirror the YAML exactly (camelCase keys, unknown keys rejected,
strict types so that `slots: "2"` or `flinkVersion: 1.20` are caught). They check
each value on its own; `settings.py` does the cross-field checks and resolves the
spec into the settings the renderers use.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from components.naming import MAX_CLUSTER_NAME_LENGTH
from components.quantities import QuantityError, parse_cpu, parse_memory

_DNS_1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_DNS_1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def _memory(value: object) -> int:
    try:
        return parse_memory(value)
    except QuantityError as exc:
        raise PydanticCustomError("memory", str(exc)) from exc


def _cpu(value: object) -> int:
    try:
        return parse_cpu(value)
    except QuantityError as exc:
        raise PydanticCustomError("cpu", str(exc)) from exc


def _cluster_name(value: object) -> str:
    if not isinstance(value, str) or not _DNS_1035_LABEL.match(value):
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
    if not isinstance(value, str) or len(value) > 63 or not _DNS_1123_LABEL.match(value):
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


MemoryBytes = Annotated[int, BeforeValidator(_memory)]
Millicores = Annotated[int, BeforeValidator(_cpu)]
Count = Annotated[StrictInt, Field(ge=1)]
ClusterName = Annotated[str, BeforeValidator(_cluster_name)]
Namespace = Annotated[str, BeforeValidator(_namespace)]
VersionText = Annotated[str, BeforeValidator(_version_text)]


class SpecModel(BaseModel):
    """Base of every spec model: immutable, camelCase keys, no unknown keys, no silent coercion."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=False,
        strict=True,
    )


class TaskManagerSpec(SpecModel):
    slots: Count
    replicas: Count | None = None
    cpu: Millicores | None = None
    memory: MemoryBytes | None = None
    cpu_per_slot: Millicores | None = None
    memory_per_slot: MemoryBytes | None = None
    cpu_limit: Millicores | None = None
    scratch_size: MemoryBytes = 2 * 1024**3


class JobManagerSpec(SpecModel):
    cpu: Millicores
    memory: MemoryBytes
    cpu_limit: Millicores | None = None
    scratch_size: MemoryBytes = 1024**3


class TolerationSpec(SpecModel):
    key: StrictStr | None = None
    operator: Literal["Exists", "Equal"] = "Equal"
    value: StrictStr | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    toleration_seconds: StrictInt | None = None


class SchedulingSpec(SpecModel):
    node_selector: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    tolerations: list[TolerationSpec] = Field(default_factory=list)
    priority_class_name: StrictStr | None = None
    spread_task_managers: StrictBool = True


class PeerSpec(SpecModel):
    """A NetworkPolicy peer: pods matching podLabels in namespaces matching namespaceLabels."""

    namespace_labels: dict[StrictStr, StrictStr] | None = None
    pod_labels: dict[StrictStr, StrictStr] | None = None


class NetworkSpec(SpecModel):
    rest_access: list[PeerSpec] = Field(default_factory=list)


class ClusterSpec(SpecModel):
    name: ClusterName
    namespace: Namespace | None = None
    create_namespace: StrictBool = True
    protect_namespace: StrictBool = False
    flink_version: VersionText
    image: StrictStr | None = None
    # Always: a pod only starts on an image the node's credentials may pull now (multi-tenant
    # nodes cache images); with a pinned tag or digest it never changes what runs.
    image_pull_policy: Literal["Always", "IfNotPresent", "Never"] = "Always"
    parallelism: Count
    task_manager: TaskManagerSpec
    job_manager: JobManagerSpec
    # values are checked one by one in settings.py, with a message per key
    scheduling: SchedulingSpec = Field(default_factory=SchedulingSpec)
    network: NetworkSpec = Field(default_factory=NetworkSpec)
    flink_configuration: dict[StrictStr, Any] = Field(default_factory=dict)
    labels: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    annotations: dict[StrictStr, StrictStr] = Field(default_factory=dict)
