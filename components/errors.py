"""Configuration errors that a user can act on: key path, bad value, what is accepted."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One invalid setting: where it is, what it was, and what would be accepted."""

    path: str
    message: str
    value: object = None
    has_value: bool = True

    def __str__(self) -> str:
        if self.has_value:
            return f"{self.path} = {self.value!r}: {self.message}"
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
