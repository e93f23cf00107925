"""The stack's configuration as Pulumi hands it to the program: text, decoded here.

Pulumi passes a structured value (a YAML mapping or list in the stack file) to the
program as JSON text, and a plain scalar as the text itself. `pulumi.Config.get_object`
raises its own ConfigTypeError, outside the program's error handling, when that text
is not JSON (e.g. `flink-session:cluster: analytics`); decoding it here instead hands
every shape to the validator, which reports it with the other problems.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

# The project's config keys that the program reads (docs/configuration.md).
STACK_KEYS = ("cluster", "clusters")


def decode_config_value(text: str | None) -> object:
    """A config value as data: JSON when it is JSON, otherwise the scalar text the user wrote."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


def decode_stack_config(texts: Mapping[str, str | None]) -> dict[str, object]:
    """Every stack key the program reads, decoded (None when the stack does not set it)."""
    return {key: decode_config_value(texts.get(key)) for key in STACK_KEYS}
