"""Fetch and cache a Flink distribution (the jars of `apache-flink-libraries` on PyPI).

The cache lives outside the repository (`$FLINK_SESSION_CACHE`, default
`~/.cache/flink-session`), keyed by version, so only the first run downloads.
2.x ships a wheel whose `pyflink/` folder is a Flink home; 1.20 ships a source
archive whose `deps/` folder is. The SQL Gateway's jar is added to `opt/` by Maven
(`sql_gateway_jar`), from the repositories the machine's Maven settings name.
Usage: `python -m tools.flink_dist 2.2.1 1.20.4`.
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
from collections.abc import Callable, Sequence
from pathlib import Path

HOME_PARTS = ("lib", "bin", "opt", "plugins")
# The SQL Gateway's jar is in the Apache tgz's opt/ but not in the PyPI distribution; the
# Maven repositories publish the same module. The one reachable here has no
# flink-sql-gateway 1.20.4 (HTTP 404), so 1.20.4 takes 1.20.3, the newest patch release
# of its line there (the gateway reaches the cluster only through the REST API).
SQL_GATEWAY_VERSIONS = {"1.20.4": "1.20.3"}
# Maven fetches the jar with its own configuration (~/.m2/settings.xml: mirrors, proxies)
# and checks it against the repository's checksums; the plugin is pinned.
MAVEN_COPY = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy"
# (downloaded archive, directory to make from it)
Extract = Callable[[Path, Path], None]


def cache_root() -> Path:
    return Path(os.environ.get("FLINK_SESSION_CACHE", Path.home() / ".cache" / "flink-session"))


def cached_pip_artifact(target: Path, requirement: str, pip_options: Sequence[str], extract: Extract) -> Path:
    """`target`, made once from the one file `pip download --no-deps` fetches for `requirement`.

    Parallel test workers may ask for the same target at once: one downloads, the others
    wait on a lock beside it; `.complete` marks a target that was made whole.
    """
    if (target / ".complete").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / f".{target.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ".complete").exists():
            with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
                download = Path(scratch) / "download"
                pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", *pip_options, requirement]
                subprocess.run([*pip, "-d", str(download)], check=True)
                (archive,) = download.iterdir()
                staging = Path(scratch) / "staging"
                extract(archive, staging)
                if target.exists():
                    shutil.rmtree(target)
                shutil.move(str(staging), target)
            (target / ".complete").touch()
    return target


def flink_home(version: str) -> Path:
    """A Flink home (lib/, bin/, opt/, plugins/) for `version`, downloading it once."""
    return cached_pip_artifact(cache_root() / "flink" / version, f"apache-flink-libraries=={version}", (), _extract_home)


def sql_gateway_jar(version: str) -> Path:
    """opt/flink-sql-gateway-<v>.jar of this Flink home, fetched once by Maven (checksum-checked)."""
    gateway = SQL_GATEWAY_VERSIONS.get(version, version)
    home = flink_home(version)
    target = home / "opt" / f"flink-sql-gateway-{gateway}.jar"
    if target.exists():
        return target
    if shutil.which("mvn") is None:
        raise SystemExit("flink_dist: the SQL Gateway's jar is fetched with Maven; install it (Debian: apt-get install maven)")
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        copy = [
            "mvn",
            "--batch-mode",
            "--quiet",
            "--strict-checksums",
            f"-Dmaven.repo.local={cache_root() / 'maven'}",
            MAVEN_COPY,
            f"-Dartifact=org.apache.flink:flink-sql-gateway:{gateway}:jar",
            f"-DoutputDirectory={scratch}",
        ]
        result = subprocess.run(copy, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise SystemExit(f"flink_dist: Maven could not fetch flink-sql-gateway {gateway}:\n{result.stdout[-3000:]}")
        (Path(scratch) / target.name).rename(target)
    return target


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
        sql_gateway_jar(requested)
