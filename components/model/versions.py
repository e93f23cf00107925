"""Flink versions this project supports, and what differs between them.

Only behaviour that changes the rendered objects lives here: which config file the
image reads, the default image tag, and how a JobManager is told its own address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Minor lines we render for and test against. 1.19 is the first line that reads the
# standard-YAML config.yaml; 1.20 is the 1.x long-term-support line.
SUPPORTED_LINES: tuple[tuple[int, int], ...] = ((1, 19), (1, 20), (2, 0), (2, 1), (2, 2), (2, 3))

_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass(frozen=True, order=True)
class FlinkVersion:
    """A Flink release line, optionally with its patch number."""

    major: int
    minor: int
    patch: int | None = None

    @property
    def line(self) -> tuple[int, int]:
        return (self.major, self.minor)

    @property
    def is_2x(self) -> bool:
        return self.major >= 2

    def __str__(self) -> str:
        base = f"{self.major}.{self.minor}"
        return base if self.patch is None else f"{base}.{self.patch}"

    def default_image(self) -> str:
        """The official image for this version on Java 17.

        For 1.20 the bare tag is Java 11, so Java 17 is always named explicitly.
        """
        if self.patch is None:
            return f"flink:{self}-java17"
        return f"flink:{self}-scala_2.12-java17"


def supported_versions_text() -> str:
    return ", ".join(f"{major}.{minor}" for major, minor in SUPPORTED_LINES)


def parse_flink_version(text: str) -> FlinkVersion:
    """Parse 'X.Y' or 'X.Y.Z'; raise ValueError naming the supported lines otherwise."""
    match = _VERSION.fullmatch(text.strip())
    if not match:
        raise ValueError(f"is not a Flink version; write it as 'X.Y.Z' or 'X.Y', one of {supported_versions_text()}")
    major, minor, patch = match.groups()
    version = FlinkVersion(int(major), int(minor), int(patch) if patch is not None else None)
    if version.line not in SUPPORTED_LINES:
        raise ValueError(f"is not a supported Flink line; supported: {supported_versions_text()}")
    return version
