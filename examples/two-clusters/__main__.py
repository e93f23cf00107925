"""Entry point: the program is `two_clusters.py` (type-checked as a module of its own)."""

import sys
from pathlib import Path

# The component lives at the root of this repository, two directories up; a program
# elsewhere would vendor or install `components/` instead (docs/using-the-component.md).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import two_clusters  # after the path to the component is known

two_clusters.main()
