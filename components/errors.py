"""Configuration errors that a user can act on: key path, bad value, what is accepted."""

from __future__ import annotations

import math
from dataclasses import dataclass

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
