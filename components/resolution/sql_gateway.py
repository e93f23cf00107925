"""The SQL Gateway beside the cluster: its pods and its JVM, checked at preview time.

Refused: what `jvm_pods.py` refuses, and `network.sqlGatewayAccess` without a gateway
(peers for nothing: a forgotten `sqlGateway`, or a leftover after removing it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.errors import Problem
from components.input.schema import StackCluster
from components.model.cluster import SqlGateway
from components.resolution.jvm_pods import resolve_jvm_pods


def resolve_sql_gateway(spec: StackCluster, raw: Mapping[str, Any], prefix: str, problems: list[Problem]) -> SqlGateway | None:
    """The gateway, or None when there is none or it has a problem (appended)."""
    gateway = spec.sql_gateway
    path = f"{prefix}.sqlGateway"
    if gateway is None:
        if spec.network.sql_gateway_access:
            message = f"lists peers for a SQL Gateway, but {path} is not set; add {path} or remove this list"
            problems.append(Problem(f"{prefix}.network.sqlGatewayAccess", message, has_value=False))
        return None
    pods = resolve_jvm_pods(gateway, "sqlGateway", what="the gateway", raw=raw, prefix=prefix, problems=problems)
    if pods is None:
        return None
    return SqlGateway(replicas=gateway.replicas, **pods.fields())
