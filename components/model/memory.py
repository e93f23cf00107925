"""Memory layouts in bytes, as the resolved model holds them; `components/flink/` derives them as Flink does."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TaskManagerMemory:
    """A TaskManager's memory layout in bytes, and the JVM flags Flink derives from it."""

    process: int
    flink: int
    framework_heap: int
    framework_off_heap: int
    task_heap: int
    task_off_heap: int
    managed: int
    network: int
    jvm_metaspace: int
    jvm_overhead: int

    @property
    def jvm_heap(self) -> int:
        return self.framework_heap + self.task_heap

    @property
    def jvm_direct(self) -> int:
        return self.framework_off_heap + self.task_off_heap + self.network

    def jvm_flags(self) -> str:
        return (
            f"-Xmx{self.jvm_heap} -Xms{self.jvm_heap} -XX:MaxDirectMemorySize={self.jvm_direct} "
            f"-XX:MaxMetaspaceSize={self.jvm_metaspace}"
        )


@dataclass(frozen=True)
class JobManagerMemory:
    process: int
    flink: int
    heap: int
    off_heap: int
    jvm_metaspace: int
    jvm_overhead: int
    direct_memory_limit: bool

    def jvm_flags(self) -> str:
        direct = f" -XX:MaxDirectMemorySize={self.off_heap}" if self.direct_memory_limit else ""
        return f"-Xmx{self.heap} -Xms{self.heap}{direct} -XX:MaxMetaspaceSize={self.jvm_metaspace}"


@dataclass(frozen=True)
class JvmMemory:
    """A JVM laid out in its container (flink/jvm_memory.py), in bytes; heap + metaspace + direct + overhead = process."""

    process: int
    heap: int
    metaspace: int
    direct: int
    overhead: int

    def jvm_flags(self) -> str:
        return f"-Xmx{self.heap} -Xms{self.heap} -XX:MaxDirectMemorySize={self.direct} -XX:MaxMetaspaceSize={self.metaspace}"
