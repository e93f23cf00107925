"""The policy pack runs from policy/ and imports its modules by bare name; so do its tests."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "policy"))
