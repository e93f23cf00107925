"""Extract the option catalogue of Flink releases: `python -m tools.catalogue [--check] [--dir DIR] VERSION...`.

For each release, its Flink home (tools/flink_dist.py, from PyPI) is scanned by
OptionCatalogue.java for every static ConfigOption of the jars in lib/, opt/ and
plugins/: its key and fallback keys. opt/ gets the SQL Gateway's jar first, which the
PyPI packages lack (tools/flink_dist.py fetches it), so the result does not depend on
whether something fetched it before. The sorted keys are written to
components/flink/catalogue/<major>.<minor>.txt, which the validator reads
(components/flink/catalogue.py). With --check nothing is written: the exit status says
whether the committed catalogue equals what the jars define (the real-Flink tier runs it).
--dir reads or writes the catalogue files in another directory.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from components.flink.catalogue import CATALOGUE_DIR, catalogue_file, catalogue_header
from tools.flink_dist import flink_home, sql_gateway_jar

SOURCE = Path(__file__).with_name("OptionCatalogue.java")


def extract(version: str) -> list[str]:
    """The sorted keys the release's ConfigOptions define (keys and fallback keys)."""
    home = flink_home(version)
    sql_gateway_jar(version)
    jars = sorted(str(jar) for part in ("lib", "opt", "plugins") for jar in (home / part).rglob("*.jar"))
    with tempfile.TemporaryDirectory() as classes:
        subprocess.run(["javac", "-d", classes, str(SOURCE)], check=True)
        listed = subprocess.run(
            ["java", "-Xmx512m", "-Dlog4j2.level=OFF", "-cp", classes, "OptionCatalogue", *jars],
            capture_output=True,
            text=True,
            check=True,
        )
    return sorted(set(listed.stdout.split()))


def main(arguments: list[str]) -> int:
    check = "--check" in arguments
    directory = CATALOGUE_DIR
    if "--dir" in arguments:
        index = arguments.index("--dir")
        directory = Path(arguments[index + 1])
        arguments = arguments[:index] + arguments[index + 2 :]
    differing = []
    for version in (a for a in arguments if a != "--check"):
        text = catalogue_header(version) + "".join(f"{key}\n" for key in extract(version))
        target = directory / catalogue_file(version).name
        if check:
            if not target.is_file() or target.read_text() != text:
                differing.append(version)
        else:
            directory.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            print(f"{target}: {text.count(chr(10)) - 1} keys")
    if differing:
        print(f"catalogue differs from the jars of {', '.join(differing)}: run python -m tools.catalogue {' '.join(differing)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
