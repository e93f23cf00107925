"""Pydantic's validation errors, as Problems in the user's terms: YAML shapes, key paths, known keys.

Pydantic names Python types ("a dictionary or an instance of TaskManagerArgs"); the
user wrote YAML (or the component's arguments, which become the same keys), so each
error says which YAML shape belongs there, suggests a known key for a misspelt one, and
never echoes a value that may be a credential.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Mapping
from typing import Any, get_args, get_type_hints

from pydantic import ValidationError

from components.errors import Problem, key_path
from components.input.schema import SENSITIVE_KEYS, StackCluster
from components.model.naming import camel_case


def given(raw: Mapping[str, Any], *keys: str) -> object:
    """The value as the user wrote it (e.g. '500m', not 500 millicores), for error messages."""
    value: object = raw
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def _schema_classes(annotation: Any) -> list[type]:
    """The schema dataclasses a field's annotation holds (through Optional, Sequence and Mapping)."""
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return [annotation]
    return [found for arg in get_args(annotation) for found in _schema_classes(arg)]


def known_keys(schema: type, loc: tuple[Any, ...]) -> list[str]:
    """The keys accepted at `loc` (stack keys and list indexes) inside the schema class `schema`."""
    current: type | None = schema
    for part in loc:
        if current is None or isinstance(part, int):
            continue  # a list index stays on the list's item class
        fields = {camel_case(f.name): f for f in dataclasses.fields(current)}
        if part not in fields:
            return []
        inner = _schema_classes(get_type_hints(current)[fields[part].name])
        current = inner[0] if inner else None
    return [camel_case(f.name) for f in dataclasses.fields(current)] if current is not None else []


_YAML_SHAPES = {
    "dataclass_type": "a mapping (key: value pairs)",
    "dataclass_exact_type": "a mapping (key: value pairs)",
    "dict_type": "a mapping (key: value pairs)",
    "mapping_type": "a mapping (key: value pairs)",
    "list_type": "a list ('- item' entries)",
    "tuple_type": "a list ('- item' entries)",
    "sequence_str": "a list ('- item' entries)",
    "string_type": "a string",
}


def _shape_message(kind: str, loc: tuple[Any, ...]) -> str:
    message = f"must be {_YAML_SHAPES[kind]}"
    if kind in ("dataclass_type", "dataclass_exact_type"):
        message += f" with the keys: {', '.join(known_keys(StackCluster, loc))}"
    return message


def _pydantic_message(text: str) -> str:
    return re.sub(r"^Input should be", "must be", text.removeprefix("Value error, "))


def problems_from_pydantic(error: ValidationError, prefix: str) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        kind = item["type"]
        if kind == "is_instance_of" and (item.get("ctx") or {}).get("class") == "Sequence":
            kind = "list_type"  # a Sequence field given something else: a list belongs there
        if loc and loc[-1] == "[key]":  # pydantic's marker for a mapping key that failed
            loc = loc[:-1]
        path = key_path(prefix, loc)
        sensitive = bool(loc) and loc[-1] in SENSITIVE_KEYS
        if kind in _YAML_SHAPES and not sensitive:
            problems.append(Problem(path, _shape_message(kind, loc), item["input"]))
        elif sensitive and kind != "missing":
            # never echo what might be a credential
            problems.append(Problem(path, f"{_pydantic_message(item['msg'])} (value hidden: it is a secret)", has_value=False))
        elif kind == "missing":
            problems.append(Problem(path, "is required", has_value=False))
        elif kind == "unexpected_keyword_argument":
            known = known_keys(StackCluster, loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(Problem(path, f"is not a known key; {hint}known keys here: {', '.join(known)}", item["input"]))
        else:
            problems.append(Problem(path, _pydantic_message(item["msg"]), item["input"]))
    return problems
