"""FlinkSessionCluster as a Pulumi component package, for programs in other languages.

`package/__main__.py` hosts this class with `pulumi.provider.experimental`, whose
analyzer infers the package schema from type annotations: the component's outputs
from its class annotations, its inputs from the annotation of `args`. That analyzer
takes plain types, lists, string-keyed maps and classes of those (no unions, no
literal types), and hands the inputs over as plain dicts with Python names. So the
schema's input types are generated here from the schema's dataclasses (`components/input/schema.py`, the
one definition of the keys: quantities and enumerations become strings, Mapping and
Sequence dicts and lists), and the dicts the provider passes are turned back into
those dataclasses, which go through the same resolution as everything else.

No `from __future__ import annotations`: the analyzer reads annotations as types.
"""

import dataclasses
import functools
import operator
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from components.input.schema import FlinkSessionClusterArgs
from components.resources import cluster


def _unwrap_optional(hint: Any) -> tuple[Any, bool]:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        members = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(members) < len(typing.get_args(hint)):
            return (members[0] if len(members) == 1 else functools.reduce(operator.or_, members)), True
    return hint, False


def _schema_type(hint: Any) -> Any:
    """The analyzer's spelling of one args field type (without its optionality)."""
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        return schema_class(hint)  # type: ignore[arg-type]
    if origin is typing.Literal or origin in (typing.Union, types.UnionType):
        return str  # an enumeration, or a quantity (a string or a number): the schema says string
    if origin in (Mapping, dict):
        return dict[str, _schema_type(typing.get_args(hint)[1])]  # type: ignore[misc]
    if origin in (Sequence, list, tuple):
        return list[_schema_type(typing.get_args(hint)[0])]  # type: ignore[misc]
    return hint


@functools.cache
def schema_class(args_class: type) -> type:
    """A class whose annotations describe one args dataclass to the analyzer (named as it is)."""
    hints = typing.get_type_hints(args_class)
    annotations: dict[str, Any] = {}
    for field in dataclasses.fields(args_class):
        inner, optional = _unwrap_optional(hints[field.name])
        schema = _schema_type(inner)
        has_default = field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING
        annotations[field.name] = schema | None if optional or has_default else schema
    namespace = {"__annotations__": annotations, "__doc__": args_class.__doc__, "__module__": __name__}
    return type(args_class.__name__, (), namespace)


def args_from_inputs(args_class: type, inputs: Mapping[str, Any]) -> Any:
    """The dataclass for the dict the provider passes (Python names; free-form maps untouched)."""
    hints = typing.get_type_hints(args_class)
    values = {}
    for field in dataclasses.fields(args_class):
        if inputs.get(field.name) is None:
            continue
        values[field.name] = _from_input(_unwrap_optional(hints[field.name])[0], inputs[field.name])
    return args_class(**values)


def _from_input(hint: Any, value: Any) -> Any:
    if dataclasses.is_dataclass(hint) and isinstance(value, Mapping):
        return args_from_inputs(hint, value)  # type: ignore[arg-type]
    if typing.get_origin(hint) in (Sequence, list, tuple) and isinstance(value, list):
        item = typing.get_args(hint)[0]
        return tuple(_from_input(item, entry) for entry in value)
    return value


class FlinkSessionCluster(cluster.FlinkSessionCluster):
    """A Flink session cluster on Kubernetes (the package's form of components.resources.cluster.FlinkSessionCluster).

    Inputs: the stack keys of `flink-session:cluster` (less `name`: the resource's name is
    the cluster's), validated as a stack file is. Outputs: namespaceName, configMapName,
    jobmanagerAddress, restEndpoint, taskManagers, totalSlots, portForward, summary.
    """

    def __init__(self, name: str, args: Mapping[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(name, args_from_inputs(FlinkSessionClusterArgs, args), opts)


# What the analyzer reads as the input type: generated from the args dataclasses above.
FlinkSessionCluster.__init__.__annotations__["args"] = schema_class(FlinkSessionClusterArgs)
