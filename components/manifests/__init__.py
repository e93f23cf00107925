"""Pure builders of the Kubernetes objects of a session cluster: settings in, manifest dicts out.

Each builder returns a complete manifest (apiVersion, kind, metadata, spec) as plain
data with Kubernetes' own camelCase keys, so the same dict feeds the Pulumi
resource, the offline renderer, checkov and the OpenAPI schema validation.
"""
