"""Strict OpenAPI schema validation of rendered objects, with the validators built once.

`kubernetes_validate.validate` re-reads and re-resolves the whole definitions file on
every call (about 10 ms per object); the property tests validate thousands of
objects, so this builds the same Draft 2020-12 validator from the same schema files
once per kind and Kubernetes version. `tests/unit/test_fuzz.py` checks that it
accepts and rejects what `kubernetes_validate.validate` does.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # kubernetes-validate's dependency; no stubs are pinned
from kubernetes_validate import utils
from referencing import Registry, Resource

KUBERNETES_VERSIONS = ("1.29.0", "1.37.0")
# Custom resources have no schema in kubernetes-validate (their structure is unit-tested).
CUSTOM_RESOURCE_KINDS = frozenset({"PodMonitor"})


@functools.cache
def _validator(kind: str, api_version: str, version: str) -> Any:
    schema_dir = f"v{version}-local-strict"
    # as kubernetes_validate names its files: rbac.authorization.k8s.io/v1 -> rbac-v1
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema = utils.schema_contents(f"kubernetes-json-schema/{schema_dir}/{kind.lower()}-{group_version}.json", version)
    definitions = utils.schema_contents(f"kubernetes-json-schema/{schema_dir}/_definitions.json", version)
    registry: Registry[Any] = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


def validate_strict(manifest: dict[str, Any], version: str) -> None:
    """Raise jsonschema.ValidationError unless the object matches the schema exactly (no unknown fields)."""
    _validator(manifest["kind"], manifest["apiVersion"], version).validate(manifest)
