"""The pods of a Flink process without a Flink memory model (SQL Gateway, History Server): CPU, memory, its JVM.

Refused: a CPU limit below the request, and a memory too small for the JVM layout of
`flink/jvm_memory.py` (the message says the smallest that works).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.errors import Problem
from components.flink.jvm_memory import DIRECT, METASPACE, MIN_HEAP, OVERHEAD_MIN, jvm_memory, smallest_jvm_memory
from components.input.schema import HistoryServerArgs, SqlGatewayArgs
from components.kubernetes.quantities import MIB, format_cpu, parse_cpu, parse_memory
from components.model.memory import JvmMemory
from components.resolution.problems import given
from components.resolution.sizing import cpu_limit


@dataclass(frozen=True)
class JvmPods:
    cpu_millis: int
    cpu_limit_millis: int
    memory_bytes: int
    scratch_bytes: int
    layout: JvmMemory

    def fields(self) -> dict[str, Any]:
        return {
            "cpu_millis": self.cpu_millis,
            "cpu_limit_millis": self.cpu_limit_millis,
            "memory_bytes": self.memory_bytes,
            "scratch_bytes": self.scratch_bytes,
            "layout": self.layout,
        }


def resolve_jvm_pods(
    args: SqlGatewayArgs | HistoryServerArgs,
    key: str,
    *,
    what: str,
    raw: Mapping[str, Any],
    prefix: str,
    problems: list[Problem],
) -> JvmPods | None:
    """`key`'s pods (`sqlGateway`, `historyServer`), or None when their memory has a problem (appended)."""
    path = f"{prefix}.{key}"
    cpu = parse_cpu(args.cpu)
    memory = parse_memory(args.memory)
    limit = cpu_limit(
        None if args.cpu_limit is None else parse_cpu(args.cpu_limit),
        cpu,
        path=path,
        request_text=f"{path}.cpu = {format_cpu(cpu)}",
        raw=given(raw, key, "cpuLimit"),
        problems=problems,
    )
    layout = jvm_memory(memory)
    if layout is None:
        smallest = smallest_jvm_memory() // MIB
        message = (
            f"is too small: JVM metaspace {METASPACE // MIB}Mi, direct memory {DIRECT // MIB}Mi and JVM overhead (at least "
            f"{OVERHEAD_MIN // MIB}Mi) leave less than the {MIN_HEAP // MIB}Mi heap {what} needs; use at least {smallest}Mi"
        )
        problems.append(Problem(f"{path}.memory", message, given(raw, key, "memory")))
        return None
    return JvmPods(cpu, limit, memory, parse_memory(args.scratch_size), layout)
