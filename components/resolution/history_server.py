"""The History Server beside the cluster: its pods, its JVM and the archive it shares with the JobManagers.

The JobManagers write and the History Server reads the same directory from different
pods, so it must be storage both reach: an object store, or file:// on the shared volume
(in any environment: a pod's own disk is seen by no other pod). Without an archiveDir it is
`file://<storage.sharedVolume.mountPath>/completed-jobs`, and without a shared volume it
is required. Refused besides: what `jvm_pods.py` refuses, an archive dir the image's
entrypoint would mangle (whitespace, `$`), and `network.historyServerAccess` without a
History Server. The scheme and the plugin it needs are checked with the other state
paths (state.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.errors import Problem
from components.flink.storage import LOCAL_SCHEME, StorageUriError, accepted_schemes_text, local_path, storage_scheme
from components.input.schema import HistoryServerArgs, StackCluster
from components.model.cluster import HistoryServer
from components.model.paths import DEFAULT_ARCHIVE_SUBDIR
from components.resolution.jvm_pods import resolve_jvm_pods


def _archive_dir(spec: StackCluster, history: HistoryServerArgs, path: str, problems: list[Problem]) -> str | None:
    shared = spec.storage.shared_volume
    if history.archive_dir is None:
        if shared is not None:
            return f"file://{shared.mount_path}/{DEFAULT_ARCHIVE_SUBDIR}"
        message = (
            "is required without storage.sharedVolume: the JobManagers write each ended job there and the History "
            f"Server, another pod, reads it; use an object store ({accepted_schemes_text()}, e.g. "
            "s3://bucket/flink/completed-jobs) or set storage.sharedVolume (then it defaults to "
            f"file://<mountPath>/{DEFAULT_ARCHIVE_SUBDIR})"
        )
        problems.append(Problem(path, message, has_value=False))
        return None
    uri = history.archive_dir
    if any(char.isspace() or char == "$" or not char.isprintable() for char in uri):
        message = "may not contain whitespace, control characters or '$' (the image's entrypoint passes it on as a token)"
        problems.append(Problem(path, message, uri))
        return None
    try:
        scheme = storage_scheme(uri)
    except StorageUriError:
        return uri  # reported with the other state paths (resolution/state.py)
    if scheme == LOCAL_SCHEME:
        directory = local_path(uri)
        if shared is None or not (directory == shared.mount_path or directory.startswith(f"{shared.mount_path}/")):
            where = f"under {shared.mount_path}, the shared volume's mountPath" if shared else "on storage.sharedVolume"
            message = (
                "is on the pod's own disk, which only that pod sees: the History Server runs in another pod than the "
                f"JobManagers that write it. file:// is accepted {where}; otherwise use {accepted_schemes_text()}"
            )
            problems.append(Problem(path, message, uri))
    return uri


def resolve_history_server(
    spec: StackCluster, raw: Mapping[str, Any], prefix: str, problems: list[Problem]
) -> HistoryServer | None:
    """The History Server, or None when there is none or it has a problem (appended)."""
    history = spec.history_server
    path = f"{prefix}.historyServer"
    if history is None:
        if spec.network.history_server_access:
            message = f"lists peers for a History Server, but {path} is not set; add {path} or remove this list"
            problems.append(Problem(f"{prefix}.network.historyServerAccess", message, has_value=False))
        return None
    archive_dir = _archive_dir(spec, history, f"{path}.archiveDir", problems)
    pods = resolve_jvm_pods(history, "historyServer", what="the History Server", raw=raw, prefix=prefix, problems=problems)
    if pods is None or archive_dir is None:
        return None
    return HistoryServer(
        replicas=1,
        archive_dir=archive_dir,
        retained_jobs=history.retained_jobs,
        refresh_interval=history.refresh_interval,
        **pods.fields(),
    )
