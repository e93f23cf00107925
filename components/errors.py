"""Configuration errors that a user can act on: key path, bad value, what is accepted."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# An echoed value longer than this is shortened: it is there to be recognised, not re-read.
MAX_ECHO_LENGTH = 120


def echo(value: object) -> str:
    """The value as the user wrote it, as a Python literal, shortened if long.

    Never raises: Python refuses to print integers of more than 4300 digits, and a
    YAML file can hold one.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 400:
        magnitude = abs(value)
        digits = math.floor((magnitude.bit_length() - 1) * math.log10(2)) + 1
        while 10**digits <= magnitude:
            digits += 1
        leading = magnitude // 10 ** (digits - 12)
        return f"{'-' if value < 0 else ''}{leading}... (an integer of {digits} digits)"
    try:
        text = repr(value)
    except ValueError:  # a huge integer inside a list or mapping
        return f"<a {type(value).__name__} too large to print>"
    if len(text) > MAX_ECHO_LENGTH:
        return f"{text[: MAX_ECHO_LENGTH - 3]}..."
    return text


def key_path(prefix: str, loc: tuple[Any, ...]) -> str:
    """A location the way `pulumi config set --path` spells it: cluster.taskManager.slots, x["a.b"], y[0]."""
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _IDENTIFIER.fullmatch(part):
            path += f".{part}"
        else:
            path += f'["{part}"]'
    return path


@dataclass(frozen=True)
class Problem:
    """One invalid setting: where it is, what it was, and what would be accepted."""

    path: str
    message: str
    value: object = None
    has_value: bool = True

    def __str__(self) -> str:
        if self.has_value:
            return f"{self.path} = {echo(self.value)}: {self.message}"
        return f"{self.path}: {self.message}"


class ConfigError(ValueError):
    """Every problem found in a stack's configuration, reported together."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        heading = f"invalid flink-session configuration ({count} problem{'s' if count != 1 else ''}):"
        super().__init__("\n".join([heading, *(f"  - {p}" for p in self.problems)]))

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(p.path for p in self.problems)
