"""The local cluster (tools/localcluster/cluster.sh) as the real tiers start it: once per tier, stopped at the end."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.config import ROOT
from tests.support.kube import Kube
from tools.engine import toolchain_path

CLUSTER_SCRIPT = ROOT / "tools" / "localcluster" / "cluster.sh"


def cluster_env(name: str, workdir: Path) -> dict[str, str]:
    """The environment that names a cluster of its own (so tiers and a developer's cluster never meet)."""
    return {**os.environ, "FLINK_SESSION_CLUSTER": f"{name}-{os.getpid()}", "KWOK_WORKDIR": str(workdir)}


def cluster_sh(env: dict[str, str], *args: str, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(CLUSTER_SCRIPT), *args], capture_output=True, text=True, env=env, check=False, timeout=timeout
    )


@contextmanager
def local_cluster(env: dict[str, str], *, kwok_only: bool) -> Iterator[Kube]:
    """A control plane with kwok nodes (and, unless `kwok_only`, a real node); its kubectl; stopped afterwards."""
    started = cluster_sh(env, "up", *(["--kwok-only"] if kwok_only else []))
    try:
        assert started.returncode == 0, started.stderr[-5000:]
        yield Kube(toolchain_path("kubectl"), Path(started.stdout.strip().splitlines()[-1]))
    finally:
        cluster_sh(env, "down", timeout=600)
