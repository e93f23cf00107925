"""The Secret with the object store's credentials; they reach Flink as environment variables.

Values stay `Sensitive` in the manifest: the component turns them into Pulumi
secrets, the offline renderer into a placeholder. They are never in the ConfigMap.
"""

from __future__ import annotations

from typing import Any

from components.manifests.metadata import object_metadata
from components.model.cluster import Cluster, Credentials

# Read by both S3 filesystem plugins (the AWS SDK's environment credentials provider).
ACCESS_KEY_ENV = "AWS_ACCESS_KEY_ID"
SECRET_KEY_ENV = "AWS_SECRET_ACCESS_KEY"


def _credentials(cluster: Cluster) -> Credentials | None:
    return cluster.storage.s3.credentials if cluster.storage.s3 is not None else None


def storage_credentials_secret(cluster: Cluster) -> dict[str, Any] | None:
    credentials = _credentials(cluster)
    if credentials is None:
        return None
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": object_metadata(cluster, cluster.names.storage_secret),
        "type": "Opaque",
        "stringData": {ACCESS_KEY_ENV: credentials.access_key, SECRET_KEY_ENV: credentials.secret_key},
    }


def storage_credentials_env(cluster: Cluster) -> list[dict[str, Any]]:
    """Environment entries that read the Secret; empty without credentials."""
    if _credentials(cluster) is None:
        return []
    name = cluster.names.storage_secret
    return [{"name": env, "valueFrom": {"secretKeyRef": {"name": name, "key": env}}} for env in (ACCESS_KEY_ENV, SECRET_KEY_ENV)]
