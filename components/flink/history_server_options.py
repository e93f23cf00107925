"""The History Server's options: where the JobManagers archive, and what the History Server itself reads.

The JobManagers write each ended job to `jobmanager.archive.fs.dir` (in config.yaml). The
History Server's own options are not config.yaml entries: a different config.yaml is a
new ConfigMap that would roll the JobManagers and TaskManagers merely because the History
Server changed. They reach its pod as FLINK_PROPERTIES, which the image's entrypoint
writes into its copy of config.yaml before `historyserver.sh` starts (the script takes no
`-D` properties). The entrypoint removes whitespace from each line, so every value is a
token without whitespace (the archive dir is checked for that). The keys are the same in
every supported line (checked against each line's option catalogue, tests/unit).
Spliced into `options.OWNED_OPTIONS`, so they stay one table: refused in `flinkConfiguration`.
"""

from __future__ import annotations

from collections.abc import Callable

from components.flink.owned_option import OwnedOption
from components.model import ports
from components.model.cluster import Cluster, FlinkValue, HistoryServer
from components.model.paths import HISTORY_SERVER_WEB_DIR

JOBMANAGER_ARCHIVE_DIR = "jobmanager.archive.fs.dir"
ARCHIVE_DIR = "historyserver.archive.fs.dir"

# (key, its value for a History Server, why the component owns it)
_PROPERTIES: tuple[tuple[str, Callable[[HistoryServer], str], str], ...] = (
    (ARCHIVE_DIR, lambda h: h.archive_dir, "set cluster.historyServer.archiveDir instead (the JobManagers write there)"),
    (
        "historyserver.archive.fs.refresh-interval",
        lambda h: h.refresh_interval,
        "set cluster.historyServer.refreshInterval instead",
    ),
    ("historyserver.archive.retained-jobs", lambda h: str(h.retained_jobs), "set cluster.historyServer.retainedJobs instead"),
    ("historyserver.web.address", lambda h: "0.0.0.0", "must be 0.0.0.0 so its Service and probes reach it"),
    (
        "historyserver.web.port",
        lambda h: str(ports.HISTORY_SERVER),
        "fixed at 8082: its Service, probes and NetworkPolicy use it",
    ),
    ("historyserver.web.tmpdir", lambda h: HISTORY_SERVER_WEB_DIR, "points at the pod's scratch volume (read-only root)"),
)


def _not_in_config_yaml(cluster: Cluster) -> FlinkValue | None:
    return None


HISTORY_SERVER_OPTIONS: tuple[OwnedOption, ...] = (
    OwnedOption(
        JOBMANAGER_ARCHIVE_DIR,
        "set cluster.historyServer.archiveDir instead; the History Server reads the same directory",
        lambda c: c.history_server.archive_dir if c.history_server is not None else None,
    ),
    *(OwnedOption(key, f"{reason} (set on the History Server's pod)", _not_in_config_yaml) for key, _, reason in _PROPERTIES),
)


def history_server_properties(history: HistoryServer) -> dict[str, str]:
    """The History Server's own options, in a fixed order."""
    return {key: value(history) for key, value, _ in _PROPERTIES}


def flink_properties_text(properties: dict[str, str]) -> str:
    """FLINK_PROPERTIES: one `key: value` line each, as the image's entrypoint reads it."""
    return "".join(f"{key}: {value}\n" for key, value in properties.items())
