"""The SQL Gateway beside the cluster: its pods and its JVM, checked at preview time.

Refused: a CPU limit below the request, a memory too small for the JVM layout of
`sql_gateway_memory.py` (the message says the smallest that works), and
`network.sqlGatewayAccess` without a gateway (peers for nothing: a forgotten
`sqlGateway`, or a leftover after removing it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.errors import Problem
from components.flink.sql_gateway_memory import (
    DIRECT,
    METASPACE,
    MIN_HEAP,
    OVERHEAD_MIN,
    smallest_sql_gateway_memory,
    sql_gateway_memory,
)
from components.input.schema import StackCluster
from components.kubernetes.quantities import MIB, format_cpu, parse_cpu, parse_memory
from components.model.cluster import SqlGateway
from components.resolution.problems import given
from components.resolution.sizing import cpu_limit


def resolve_sql_gateway(spec: StackCluster, raw: Mapping[str, Any], prefix: str, problems: list[Problem]) -> SqlGateway | None:
    """The gateway, or None when there is none or it has a problem (appended)."""
    gateway = spec.sql_gateway
    path = f"{prefix}.sqlGateway"
    if gateway is None:
        if spec.network.sql_gateway_access:
            message = f"lists peers for a SQL Gateway, but {path} is not set; add {path} or remove this list"
            problems.append(Problem(f"{prefix}.network.sqlGatewayAccess", message, has_value=False))
        return None
    cpu = parse_cpu(gateway.cpu)
    memory = parse_memory(gateway.memory)
    limit = cpu_limit(
        None if gateway.cpu_limit is None else parse_cpu(gateway.cpu_limit),
        cpu,
        path=path,
        request_text=f"{path}.cpu = {format_cpu(cpu)}",
        raw=given(raw, "sqlGateway", "cpuLimit"),
        problems=problems,
    )
    layout = sql_gateway_memory(memory)
    if layout is None:
        smallest = smallest_sql_gateway_memory() // MIB
        message = (
            f"is too small: JVM metaspace {METASPACE // MIB}Mi, direct memory {DIRECT // MIB}Mi and JVM overhead (at least "
            f"{OVERHEAD_MIN // MIB}Mi) leave less than the {MIN_HEAP // MIB}Mi heap the gateway needs; use at least {smallest}Mi"
        )
        problems.append(Problem(f"{path}.memory", message, given(raw, "sqlGateway", "memory")))
        return None
    return SqlGateway(
        replicas=gateway.replicas,
        cpu_millis=cpu,
        cpu_limit_millis=limit,
        memory_bytes=memory,
        scratch_bytes=parse_memory(gateway.scratch_size),
        layout=layout,
    )
