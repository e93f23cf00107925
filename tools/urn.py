"""The parts of a Pulumi URN (`urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>`) the tools read."""

from __future__ import annotations


def urn_type(urn: str) -> str:
    """The resource's own type, without its parents': `kubernetes:apps/v1:Deployment`."""
    return urn.split("::", 3)[2].rsplit("$", 1)[-1]


def urn_name(urn: str) -> str:
    return urn.split("::", 3)[3]


def urn_label(urn: str) -> str:
    """`<type>::<name>`, how the tests and messages name a resource."""
    return f"{urn_type(urn)}::{urn_name(urn)}"
