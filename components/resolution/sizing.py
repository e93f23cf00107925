"""How big each role's pods are and how many run: resource styles, replicas, slot totals, CPU limits.

Problems are appended to the given list but never stop the other checks, so a replica
or CPU-limit problem does not hide a memory problem (the memory model runs on what is
resolved here).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.errors import Problem
from components.input.schema import StackCluster
from components.input.values import Quantity
from components.kubernetes.quantities import format_cpu, format_memory, parse_cpu, parse_memory
from components.model.cluster import PodGroup
from components.model.limits import MAX_CPU_MILLIS, MAX_MEMORY_BYTES, MAX_TASK_MANAGERS, MAX_TOTAL_SLOTS
from components.resolution.problems import given


@dataclass(frozen=True)
class Sized(PodGroup):
    """One role's pods before Flink's memory model has run, and which key set their memory (for messages)."""

    # under taskManager/jobManager: `memory`, or `memoryPerSlot` whose value is memory_bytes / memory_divisor
    memory_key: str
    memory_divisor: int

    def pods(self) -> dict[str, int]:
        """The PodGroup fields, for the model's TaskManager and JobManager."""
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(PodGroup)}


def _cpu(value: Quantity | None) -> int | None:
    return None if value is None else parse_cpu(value)


def _memory(value: Quantity | None) -> int | None:
    return None if value is None else parse_memory(value)


def cpu_limit(limit: int | None, request: int, *, path: str, request_text: str, raw: object, problems: list[Problem]) -> int:
    """The CPU limit: the request unless given, and never below it."""
    if limit is None:
        return request
    if limit < request:
        message = f"is below the pod's CPU request, {request_text}; use at least {format_cpu(request)} or omit it"
        problems.append(Problem(f"{path}.cpuLimit", message, raw))
    return limit


def _task_manager_pod_resources(
    spec: StackCluster, raw: Mapping[str, Any], path: str, problems: list[Problem]
) -> tuple[int, int] | None:
    """The TaskManager pod's (millicores, bytes), from exactly one of the two resource styles."""
    tm = spec.task_manager
    per_pod = {"cpu": _cpu(tm.cpu), "memory": _memory(tm.memory)}
    per_slot = {"cpuPerSlot": _cpu(tm.cpu_per_slot), "memoryPerSlot": _memory(tm.memory_per_slot)}
    pod_given = [k for k, v in per_pod.items() if v is not None]
    slot_given = [k for k, v in per_slot.items() if v is not None]
    if pod_given and slot_given:
        message = (
            f"sets both per-pod ({', '.join(pod_given)}) and per-slot ({', '.join(slot_given)}) resources; "
            "use exactly one style: cpu + memory, or cpuPerSlot + memoryPerSlot"
        )
        problems.append(Problem(path, message, has_value=False))
        return None
    if not pod_given and not slot_given:
        message = "needs resources: either cpu + memory (per pod) or cpuPerSlot + memoryPerSlot"
        problems.append(Problem(path, message, has_value=False))
        return None
    style = per_pod if pod_given else per_slot
    missing = [k for k, v in style.items() if v is None]
    if missing:
        others = ", ".join(k for k in style if k not in missing)
        problems.append(Problem(f"{path}.{missing[0]}", f"is required together with {others}", has_value=False))
        return None
    cpu, memory = (v for v in style.values() if v is not None)
    if pod_given:
        return cpu, memory
    valid = True
    if memory * tm.slots > MAX_MEMORY_BYTES:
        most = format_memory(MAX_MEMORY_BYTES)
        message = f"x {tm.slots} slots is more than {most} per pod; use at most {most} per pod in all"
        problems.append(Problem(f"{path}.memoryPerSlot", message, given(raw, "taskManager", "memoryPerSlot")))
        valid = False
    if cpu * tm.slots > MAX_CPU_MILLIS:
        most = format_cpu(MAX_CPU_MILLIS)
        message = f"x {tm.slots} slots is more CPU per pod than a Kubernetes quantity holds; use at most {most} in all"
        problems.append(Problem(f"{path}.cpuPerSlot", message, given(raw, "taskManager", "cpuPerSlot")))
        valid = False
    return (cpu * tm.slots, memory * tm.slots) if valid else None


def _check_slot_totals(spec: StackCluster, replicas: int, prefix: str, problems: list[Problem]) -> None:
    """A cluster's TaskManagers and slots stay within what one session cluster is run at."""
    tm = spec.task_manager
    total = replicas * tm.slots
    path = f"{prefix}.taskManager.{'slots' if tm.replicas is None else 'replicas'}"
    value = tm.slots if tm.replicas is None else tm.replicas
    if tm.replicas is None:
        how = f"with {prefix}.parallelism {spec.parallelism}, {tm.slots} slots per TaskManager need {replicas} TaskManagers"
        fix = "choose slots that divide the parallelism, or fewer slots per TaskManager"
    else:
        how = f"gives {replicas} TaskManagers"
        fix = "use fewer replicas"
    if replicas > MAX_TASK_MANAGERS:
        if tm.replicas is None:
            fix = "use more slots per TaskManager"
        message = f"{how}, more than {MAX_TASK_MANAGERS}, the most one session cluster is operated at; {fix}"
        problems.append(Problem(path, message, value))
        return
    if total > MAX_TOTAL_SLOTS:
        message = f"{how} = {total} slots, more than {MAX_TOTAL_SLOTS} (Flink's maximum parallelism: no job can use more); {fix}"
        problems.append(Problem(path, message, value))


def size_task_managers(spec: StackCluster, raw: Mapping[str, Any], prefix: str, problems: list[Problem]) -> Sized | None:
    """The TaskManagers, sized as far as their resources allow (None when the resources themselves are wrong)."""
    tm = spec.task_manager
    path = f"{prefix}.taskManager"
    resources = _task_manager_pod_resources(spec, raw, path, problems)
    needed = -(-spec.parallelism // tm.slots)  # ceiling, in integers (no float overflow)
    replicas = needed if tm.replicas is None else tm.replicas
    if tm.replicas is not None and tm.replicas * tm.slots < spec.parallelism:
        message = (
            f"gives {tm.replicas} x {tm.slots} = {tm.replicas * tm.slots} slots, fewer than "
            f"{prefix}.parallelism {spec.parallelism}; use at least {needed} replicas, or omit replicas to derive it"
        )
        problems.append(Problem(f"{path}.replicas", message, tm.replicas))
    else:
        _check_slot_totals(spec, replicas, prefix, problems)
    if resources is None:
        return None
    cpu, memory = resources
    if tm.cpu_per_slot is None:
        request = f"{path}.cpu = {format_cpu(cpu)}"
    else:
        request = f"{path}.cpuPerSlot {format_cpu(parse_cpu(tm.cpu_per_slot))} x {tm.slots} slots = {format_cpu(cpu)}"
    per_slot = tm.memory_per_slot is not None
    return Sized(
        replicas=replicas,
        cpu_millis=cpu,
        cpu_limit_millis=cpu_limit(
            _cpu(tm.cpu_limit), cpu, path=path, request_text=request, raw=given(raw, "taskManager", "cpuLimit"), problems=problems
        ),
        memory_bytes=memory,
        scratch_bytes=parse_memory(tm.scratch_size),
        memory_key="memoryPerSlot" if per_slot else "memory",
        memory_divisor=tm.slots if per_slot else 1,
    )


def size_job_managers(spec: StackCluster, raw: Mapping[str, Any], replicas: int, prefix: str, problems: list[Problem]) -> Sized:
    jm = spec.job_manager
    path = f"{prefix}.jobManager"
    cpu = parse_cpu(jm.cpu)
    request = f"{path}.cpu = {format_cpu(cpu)}"
    return Sized(
        replicas=replicas,
        cpu_millis=cpu,
        cpu_limit_millis=cpu_limit(
            _cpu(jm.cpu_limit), cpu, path=path, request_text=request, raw=given(raw, "jobManager", "cpuLimit"), problems=problems
        ),
        memory_bytes=parse_memory(jm.memory),
        scratch_bytes=parse_memory(jm.scratch_size),
        memory_key="memory",
        memory_divisor=1,
    )
