"""Fetch and cache a Flink distribution (the jars of `apache-flink-libraries` on PyPI).

The cache lives outside the repository (`$FLINK_SESSION_CACHE`, default
`~/.cache/flink-session`), keyed by version, so only the first run downloads.
2.x ships a wheel whose `pyflink/` folder is a Flink home; 1.20 ships a source
archive whose `deps/` folder is. Usage: `python -m tools.flink_dist 2.2.1 1.20.4`.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

HOME_PARTS = ("lib", "bin", "opt", "plugins")


def cache_root() -> Path:
    return Path(os.environ.get("FLINK_SESSION_CACHE", Path.home() / ".cache" / "flink-session"))


def flink_home(version: str) -> Path:
    """A Flink home (lib/, bin/, opt/, plugins/) for `version`, downloading it once."""
    home = cache_root() / "flink" / version
    if (home / ".complete").exists():
        return home
    home.parent.mkdir(parents=True, exist_ok=True)
    # Parallel test workers may ask for the same version at once: one downloads, the others wait.
    with (home.parent / f".{version}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (home / ".complete").exists():
            _download(version, home)
    return home


def _download(version: str, home: Path) -> None:
    with tempfile.TemporaryDirectory(dir=home.parent) as scratch:
        download = Path(scratch) / "download"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                f"apache-flink-libraries=={version}",
                "-d",
                str(download),
            ],
            check=True,
        )
        (archive,) = download.iterdir()
        staging = Path(scratch) / "home"
        _extract_home(archive, staging)
        if home.exists():
            shutil.rmtree(home)
        shutil.move(str(staging), home)
    (home / ".complete").touch()


def _extract_home(archive: Path, target: Path) -> None:
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as wheel:
            members = [
                m
                for m in wheel.namelist()
                if m.split("/")[0] == "pyflink" and m.split("/")[1:2] and m.split("/")[1] in HOME_PARTS
            ]
            wheel.extractall(target.parent / "unpacked", members)
        shutil.move(str(target.parent / "unpacked" / "pyflink"), target)
        return
    with tarfile.open(archive) as sdist:
        entries = [
            m
            for m in sdist.getmembers()
            if len(m.name.split("/")) > 2 and m.name.split("/")[1] == "deps" and m.name.split("/")[2] in HOME_PARTS
        ]
        sdist.extractall(target.parent / "unpacked", entries, filter="data")
    (top,) = (target.parent / "unpacked").iterdir()
    shutil.move(str(top / "deps"), target)


if __name__ == "__main__":
    for requested in sys.argv[1:]:
        print(flink_home(requested))
