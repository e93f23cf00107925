"""Pydantic's validation errors, as Problems in the user's terms: YAML shapes, key paths, known keys.

Pydantic names Python types ("a valid dictionary or instance of TaskManagerSpec"); the
user wrote YAML (or the component's arguments, which become the same keys), so each
error says which YAML shape belongs there, suggests a known key for a misspelt one, and
never echoes a value that may be a credential.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from components.errors import Problem, key_path
from components.spec import SENSITIVE_KEYS, ClusterSpec


def given(raw: Mapping[str, Any], *keys: str) -> object:
    """The value as the user wrote it (e.g. '500m', not 500 millicores), for error messages."""
    value: object = raw
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys accepted at `loc` inside `model`, by walking the field annotations."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            by_alias = {f.alias or n: f for n, f in current.model_fields.items()}
            if part not in by_alias:
                return []
            current = by_alias[part].annotation
        elif get_origin(current) in (dict, Mapping):
            current = get_args(current)[1]
        # unwrap Optional / Annotated
        args = [a for a in get_args(current) if isinstance(a, type) and issubclass(a, BaseModel)]
        if args:
            current = args[0]
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return []


_YAML_SHAPES = {
    "model_type": "a mapping (key: value pairs)",
    "model_attributes_type": "a mapping (key: value pairs)",
    "dict_type": "a mapping (key: value pairs)",
    "mapping_type": "a mapping (key: value pairs)",
    "list_type": "a list ('- item' entries)",
    "tuple_type": "a list ('- item' entries)",
    "string_type": "a string",
}


def _shape_message(kind: str, loc: tuple[Any, ...]) -> str:
    message = f"must be {_YAML_SHAPES[kind]}"
    if kind in ("model_type", "model_attributes_type"):
        message += f" with the keys: {', '.join(known_keys(ClusterSpec, loc))}"
    return message


def _pydantic_message(text: str) -> str:
    return re.sub(r"^Input should be", "must be", text.removeprefix("Value error, "))


def problems_from_pydantic(error: ValidationError, prefix: str) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        if loc and loc[-1] == "[key]":  # pydantic's marker for a mapping key that failed
            loc = loc[:-1]
        path = key_path(prefix, loc)
        kind = item["type"]
        sensitive = bool(loc) and loc[-1] in SENSITIVE_KEYS
        if kind in _YAML_SHAPES and not sensitive:
            problems.append(Problem(path, _shape_message(kind, loc), item["input"]))
        elif sensitive and kind != "missing":
            # never echo what might be a credential
            problems.append(Problem(path, f"{_pydantic_message(item['msg'])} (value hidden: it is a secret)", has_value=False))
        elif kind == "missing":
            problems.append(Problem(path, "is required", has_value=False))
        elif kind == "extra_forbidden":
            known = known_keys(ClusterSpec, loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(Problem(path, f"is not a known key; {hint}known keys here: {', '.join(known)}", item["input"]))
        else:
            problems.append(Problem(path, _pydantic_message(item["msg"]), item["input"]))
    return problems
