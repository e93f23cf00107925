"""Where durable state lives: URI schemes, the filesystem plugin each needs, and option names per version.

Flink reaches object stores through filesystem plugins that the official image ships
in `/opt/flink/opt` but does not enable; the entrypoint enables the jars named in
`ENABLE_BUILT_IN_PLUGINS` (jar names carry the exact Flink version). The option names
for checkpoint and savepoint directories changed in 1.20: 1.19 reads only the
`state.*` names, 1.20 and 2.x read `execution.checkpointing.*` (the old names are
deprecated fallbacks in 1.20 and 2.x, checked against the jars of 1.20.4 and 2.2.1).
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import urlsplit

from components.model.versions import FlinkVersion

# scheme -> base name of the bundled plugin jar (None: no plugin needed or none bundled)
SCHEME_PLUGINS: Mapping[str, str | None] = MappingProxyType(
    {
        "s3": "flink-s3-fs-presto",
        "s3p": "flink-s3-fs-presto",
        "s3a": "flink-s3-fs-hadoop",
        "gs": "flink-gs-fs-hadoop",
        "abfss": "flink-azure-fs-hadoop",
        "wasbs": "flink-azure-fs-hadoop",
        "oss": "flink-oss-fs-hadoop",
        "hdfs": None,  # needs Hadoop on the classpath (a custom image), not a bundled plugin
    }
)
DURABLE_SCHEMES = tuple(SCHEME_PLUGINS)
S3_SCHEMES = frozenset({"s3", "s3p", "s3a"})
# A path on the pod's filesystem: durable only on a shared volume (resolution/state.py decides).
LOCAL_SCHEME = "file"


class StorageUriError(ValueError):
    """A storage URI that cannot hold durable state; the message says what is accepted."""


def accepted_schemes_text() -> str:
    return ", ".join(f"{scheme}://" for scheme in DURABLE_SCHEMES)


def storage_scheme(uri: str) -> str:
    """The URI's scheme if it can name a state directory (durable storage or file://); raise StorageUriError otherwise."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme == LOCAL_SCHEME:
        if parts.netloc or not parts.path.startswith("/"):
            raise StorageUriError("must be an absolute file:///path (three slashes, no host)")
        return scheme
    if scheme not in SCHEME_PLUGINS:
        raise StorageUriError(f"must be a URI on durable storage: {accepted_schemes_text()} (e.g. s3://bucket/flink)")
    if not parts.netloc:
        raise StorageUriError(f"names no bucket or host; write it as {scheme}://<bucket>/<path>")
    return scheme


def local_path(uri: str) -> str:
    """The normalised path of a file:// URI that storage_scheme accepted."""
    return posixpath.normpath(urlsplit(uri).path)


def plugin_jar(scheme: str, version: FlinkVersion) -> str | None:
    """The jar in /opt/flink/opt that serves `scheme` in this Flink version, e.g. flink-s3-fs-presto-1.20.4.jar."""
    base = SCHEME_PLUGINS.get(scheme)
    if base is None:
        return None
    if version.patch is None:
        raise ValueError("a filesystem plugin's jar name carries the patch release")
    return f"{base}-{version}.jar"


@dataclass(frozen=True)
class StateOptionKeys:
    checkpoints_dir: str
    savepoints_dir: str
    incremental: str


_STATE_KEYS_1_19 = StateOptionKeys("state.checkpoints.dir", "state.savepoints.dir", "state.backend.incremental")
_STATE_KEYS_1_20 = StateOptionKeys(
    "execution.checkpointing.dir", "execution.checkpointing.savepoint-dir", "execution.checkpointing.incremental"
)


def state_option_keys(version: FlinkVersion) -> StateOptionKeys:
    """The option names the target version reads (not a deprecated fallback)."""
    return _STATE_KEYS_1_19 if version.line < (1, 20) else _STATE_KEYS_1_20
