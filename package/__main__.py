"""The flink-session component package: hosts FlinkSessionCluster for programs in any language."""

import sys
from pathlib import Path

# The component lives at the root of this repository, one directory up.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pulumi.provider.experimental import component_provider_host  # after the path to the component is known

from components.resources.package import FlinkSessionCluster

if __name__ == "__main__":
    component_provider_host(name="flink-session", components=[FlinkSessionCluster])
