"""Where the pods keep what Flink reads and writes; the root filesystem is read-only.

Volumes (manifests/pods.py) and Flink options (flink_options.py) both name these.
"""

from __future__ import annotations

CONF_DIR = "/opt/flink/conf"
LOG_DIR = "/opt/flink/log"
TMP_DIR = "/tmp"
