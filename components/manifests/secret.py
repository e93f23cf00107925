"""The Secret with the object store's credentials; they reach Flink as environment variables.

Values stay `Sensitive` in the manifest: the component turns them into Pulumi
secrets, the offline renderer into a placeholder. They are never in the ConfigMap.
"""

from __future__ import annotations

from typing import Any

from components.manifests.metadata import object_metadata
from components.settings import ClusterSettings

# Read by both S3 filesystem plugins (the AWS SDK's environment credentials provider).
ACCESS_KEY_ENV = "AWS_ACCESS_KEY_ID"
SECRET_KEY_ENV = "AWS_SECRET_ACCESS_KEY"


def storage_secret_name(settings: ClusterSettings) -> str:
    return f"{settings.name}-storage-credentials"


def storage_credentials_secret(settings: ClusterSettings) -> dict[str, Any] | None:
    s3 = settings.operations.s3
    if s3 is None or s3.access_key is None or s3.secret_key is None:
        return None
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": object_metadata(settings, storage_secret_name(settings)),
        "type": "Opaque",
        "stringData": {ACCESS_KEY_ENV: s3.access_key, SECRET_KEY_ENV: s3.secret_key},
    }


def storage_credentials_env(settings: ClusterSettings) -> list[dict[str, Any]]:
    """Environment entries that read the Secret; empty without credentials."""
    if storage_credentials_secret(settings) is None:
        return []
    name = storage_secret_name(settings)
    return [{"name": env, "valueFrom": {"secretKeyRef": {"name": name, "key": env}}} for env in (ACCESS_KEY_ENV, SECRET_KEY_ENV)]
