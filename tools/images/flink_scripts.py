"""Fetch and cache the `bin/*.sh` scripts and `conf/` of a Flink release (the `apache-flink` wheel).

`apache-flink-libraries` (see `tools.flink_dist`) has the jars but only `bin/bash-java-utils.jar`;
the `apache-flink` wheel carries the distribution's shell scripts and default configuration in
`pyflink/bin` and `pyflink/conf`. The wheel is platform-specific, so a fixed CPython 3.11
manylinux wheel is asked for (the scripts are the same in every wheel of a release). Cached
outside the repository under `$FLINK_SESSION_CACHE/flink-scripts/<version>/`, keyed by version.
Usage: `python -m tools.images.flink_scripts 2.2.1` prints the directory.
"""

from __future__ import annotations

import shutil
import sys
import zipfile
from pathlib import Path, PurePosixPath

from tools.flink_dist import cache_root, cached_pip_artifact

PARTS = ("bin", "conf")


# The wheel is platform-specific; the scripts are the same in every wheel of a release.
WHEEL = ("--only-binary=:all:", "--implementation=cp", "--python-version=3.11", "--abi=cp311", "--platform=manylinux2014_x86_64")


def flink_scripts(version: str) -> Path:
    """A directory with `bin/` and `conf/` of Flink `version`, downloading the wheel once."""
    return cached_pip_artifact(cache_root() / "flink-scripts" / version, f"apache-flink=={version}", WHEEL, _extract)


def _extract(wheel: Path, target: Path) -> None:
    """Extract pyflink/bin and pyflink/conf, keeping the Unix modes the wheel records."""
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.infolist():
            parts = PurePosixPath(member.filename).parts
            if len(parts) < 3 or parts[0] != "pyflink" or parts[1] not in PARTS or member.is_dir():
                continue
            destination = target.joinpath(*parts[1:])
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, destination.open("wb") as sink:
                shutil.copyfileobj(source, sink)
            mode = (member.external_attr >> 16) & 0o777
            destination.chmod(mode or 0o644)


if __name__ == "__main__":
    for requested in sys.argv[1:]:
        print(flink_scripts(requested))
