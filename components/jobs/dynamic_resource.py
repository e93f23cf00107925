"""The base of this package's Pulumi resources: dynamic resources whose properties the engine sees in camelCase."""

from __future__ import annotations

from pulumi.dynamic import Resource

from components.model.naming import camel_case, snake_case


class CamelCaseResource(Resource):
    """Inputs are given in Python's spelling and outputs read back in it; the engine, the state and
    the provider see camelCase (`job_id` is `jobId`), as for every other resource of a stack."""

    def translate_input_property(self, prop: str) -> str:
        if prop.startswith("__"):  # the dynamic provider's own `__provider`
            return prop
        return camel_case(prop)

    def translate_output_property(self, prop: str) -> str:
        return snake_case(prop)
