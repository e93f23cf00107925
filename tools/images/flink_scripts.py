"""Fetch and cache the `bin/*.sh` scripts and `conf/` of a Flink release (the `apache-flink` wheel).

`apache-flink-libraries` (see `tools.flink_dist`) has the jars but only `bin/bash-java-utils.jar`;
the `apache-flink` wheel carries the distribution's shell scripts and default configuration in
`pyflink/bin` and `pyflink/conf`. The wheel is platform-specific, so a fixed CPython 3.11
manylinux wheel is asked for (the scripts are the same in every wheel of a release). Cached
outside the repository under `$FLINK_SESSION_CACHE/flink-scripts/<version>/`, keyed by version.
Usage: `python -m tools.images.flink_scripts 2.2.1` prints the directory.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from tools.flink_dist import cache_root

PARTS = ("bin", "conf")


def flink_scripts(version: str) -> Path:
    """A directory with `bin/` and `conf/` of Flink `version`, downloading the wheel once."""
    target = cache_root() / "flink-scripts" / version
    if (target / ".complete").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / f".{version}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ".complete").exists():
            _download(version, target)
    return target


def _download(version: str, target: Path) -> None:
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        download = Path(scratch) / "download"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
                "--implementation=cp",
                "--python-version=3.11",
                "--abi=cp311",
                "--platform=manylinux2014_x86_64",
                f"apache-flink=={version}",
                "-d",
                str(download),
            ],
            check=True,
        )
        (wheel,) = download.iterdir()
        staging = Path(scratch) / "scripts"
        _extract(wheel, staging)
        if target.exists():
            shutil.rmtree(target)
        shutil.move(str(staging), target)
    (target / ".complete").touch()


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
