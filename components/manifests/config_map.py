"""The ConfigMap that holds Flink's conf directory, named by its content.

As kustomize's configMapGenerator does: the name ends in a hash of the data, so a
change of any file is a new ConfigMap with a new name. The pod templates name it, so
both Deployments roll on a change and on nothing else, without a checksum annotation;
the old ConfigMap is deleted only after they have moved on (the component makes the
Deployments depend on it, and Pulumi replaces it create-before-delete).
"""

from __future__ import annotations

from typing import Any

from components.flink.config_files import render_config_files
from components.manifests.metadata import object_metadata
from components.model.cluster import Cluster


def config_map(cluster: Cluster) -> dict[str, Any]:
    files = render_config_files(cluster)
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": object_metadata(cluster, cluster.names.config_map(files)),
        "data": files,
    }
