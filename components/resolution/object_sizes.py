"""What the API server refuses of a rendered object as a whole: a ConfigMap over 1 MiB, annotations over 256 KiB.

Only visible once the objects are rendered (a large flinkConfiguration makes a large
config.yaml; the user's annotations go on every object beside the component's own), so
these are checked on the cluster's objects after everything else resolved.
"""

from __future__ import annotations

from components.errors import Problem
from components.manifests.objects import cluster_objects
from components.model.cluster import Cluster

# Kubernetes: a ConfigMap's (and a Secret's) data is at most 1 MiB (MaxSecretSize), an
# object's annotations at most 256 KiB (TotalAnnotationSizeLimitB).
MAX_CONFIG_MAP_BYTES = 1024 * 1024
MAX_ANNOTATION_BYTES = 256 * 1024


def check_object_sizes(cluster: Cluster, prefix: str, problems: list[Problem]) -> None:
    for item in cluster_objects(cluster):
        manifest = item.manifest
        if manifest["kind"] == "ConfigMap":
            size = sum(len(value.encode()) for value in manifest.get("data", {}).values())
            if size > MAX_CONFIG_MAP_BYTES:
                message = (
                    f"makes config.yaml and the log4j files {size} bytes, more than the {MAX_CONFIG_MAP_BYTES} a "
                    "ConfigMap holds; move large values (e.g. SQL or job parameters) out of the cluster's configuration"
                )
                problems.append(Problem(f"{prefix}.flinkConfiguration", message, has_value=False))
        annotations = manifest["metadata"].get("annotations") or {}
        size = sum(len(key.encode()) + len(value.encode()) for key, value in annotations.items())
        if size > MAX_ANNOTATION_BYTES:
            message = (
                f"make the annotations of {manifest['kind']} {manifest['metadata']['name']} {size} bytes, more than "
                f"the {MAX_ANNOTATION_BYTES} the API server accepts on an object"
            )
            problems.append(Problem(f"{prefix}.annotations", message, has_value=False))
            break  # the same annotations are on every object: one problem says it
