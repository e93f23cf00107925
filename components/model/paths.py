"""Where the pods keep what Flink reads and writes; the root filesystem is read-only.

Volumes (manifests/pods.py), Flink options (flink/options.py) and the check of a
shared volume's mount path (input/values.py) all name these.
"""

from __future__ import annotations

FLINK_HOME = "/opt/flink"
CONF_DIR = "/opt/flink/conf"
LOG_DIR = "/opt/flink/log"
TMP_DIR = "/tmp"
PLUGINS_DIR = "/opt/flink/plugins"
# Where the init container sees the ConfigMap, and the plugins volume it seeds.
CONFIG_SOURCE_DIR = "/flink-config"
PLUGINS_SEED_DIR = "/flink-plugins"
# Where storage.sharedVolume is mounted unless it says otherwise.
DEFAULT_SHARED_VOLUME_DIR = "/flink-state"
# The History Server's archive directory on the shared volume unless historyServer.archiveDir says otherwise.
DEFAULT_ARCHIVE_SUBDIR = "completed-jobs"
# Where the History Server unpacks the archives it serves (on its scratch volume).
HISTORY_SERVER_WEB_DIR = f"{TMP_DIR}/history-server"

# Directories a user's volume may neither be, sit inside, nor contain: the image's
# Flink home and our own volumes, and the system directories the JVM and the shell need.
RESERVED_DIRS = (
    FLINK_HOME,
    TMP_DIR,
    CONFIG_SOURCE_DIR,
    PLUGINS_SEED_DIR,
    *("/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/run", "/sbin", "/sys", "/usr"),
)
