"""Container image references: parsed, checked for a pinned tag or digest."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_REPOSITORY = re.compile(r"[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*")
_OFFICIAL_REPOSITORIES = frozenset(
    {"flink", "library/flink", "docker.io/flink", "docker.io/library/flink", "apache/flink", "docker.io/apache/flink"}
)
_VERSION_TAG = re.compile(r"^(\d+)\.(\d+)")


@dataclass(frozen=True)
class ImageReference:
    """An image as `repository[:tag][@digest]`; at least one of tag and digest is set."""

    repository: str
    tag: str | None
    digest: str | None

    def __str__(self) -> str:
        text = self.repository
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text

    def official_flink_line(self) -> tuple[int, int] | None:
        """The Flink line an official image's tag names (e.g. (2, 2) for flink:2.2.1-java17), if any."""
        if self.repository not in _OFFICIAL_REPOSITORIES or self.tag is None:
            return None
        match = _VERSION_TAG.match(self.tag)
        return (int(match.group(1)), int(match.group(2))) if match else None


def parse_image(text: str) -> ImageReference:
    """Parse an image reference; refuse `latest` and untagged images, which make rollouts unrepeatable."""
    rest, _, digest = text.partition("@")
    if digest and not _DIGEST.fullmatch(digest):
        raise ValueError("has a malformed digest; use image@sha256:<64 hex digits>")
    last_slash = rest.rfind("/")
    colon = rest.rfind(":")
    tag: str | None = None
    repository = rest
    if colon > last_slash:
        repository, tag = rest[:colon], rest[colon + 1 :]
        if not _TAG.fullmatch(tag):
            raise ValueError("has a malformed tag")
    host, _, path = repository.partition("/")
    registry_like = path and ("." in host or ":" in host or host == "localhost")
    if not _REPOSITORY.fullmatch(path if registry_like else repository):
        raise ValueError("is not an image reference (e.g. flink:2.2.1-scala_2.12-java17 or registry/flink@sha256:...)")
    if tag == "latest":
        raise ValueError("uses the 'latest' tag, which changes under you; pin a version tag or a digest")
    if tag is None and not digest:
        raise ValueError("has no tag or digest, which means 'latest'; pin a version tag or a digest")
    return ImageReference(repository=repository, tag=tag, digest=digest or None)
