"""Flink's duration syntax (TimeUtils.parseDuration), restricted to the units people write: 500ms, 30s, 5min, 1h, 1d."""

from __future__ import annotations

import re

_DURATION = re.compile(r"(\d+) ?(ms|s|min|m|h|d)")
_UNIT_MS = {"ms": 1, "s": 1000, "min": 60_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
# Longer text is refused before any arithmetic on it.
MAX_DURATION_TEXT = 40


def duration_ms(text: str) -> int | None:
    """The milliseconds of a duration such as '5min', or None if it is not one (the whole text must match)."""
    match = _DURATION.fullmatch(text) if len(text) <= MAX_DURATION_TEXT else None
    return None if match is None else int(match.group(1)) * _UNIT_MS[match.group(2)]


def duration_seconds(text: str) -> int:
    """A valid duration in whole seconds, at least 1 (how long a wait for Flink may take)."""
    milliseconds = duration_ms(text)
    if milliseconds is None:
        raise ValueError(f"not a duration: {text!r}")
    return max(1, round(milliseconds / 1000))
