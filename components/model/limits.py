"""Upper bounds on sizes and counts, each taken from the system that would refuse more.

A value beyond these renders objects that Flink or the Kubernetes API server refuses
later (or, worse, silently truncates), so the settings refuse it at preview time.
"""

from __future__ import annotations

# Kubernetes' `replicas` and Flink's Integer options (slots, restart attempts) are int32.
INT32_MAX = 2**31 - 1
# Kubernetes object names that are DNS labels (Services, namespaces, label values) hold at most this.
DNS_LABEL_MAX = 63
# Java's long: Flink's MemorySize holds bytes in one, Duration-valued options are read
# as milliseconds in one, and Kubernetes caps every quantity at 2^63-1
# (k8s.io/apimachinery resource.Quantity); tolerationSeconds is an int64.
INT64_MAX = 2**63 - 1

# Flink's hard limit on a job's (max) parallelism: KeyGroupRangeAssignment.UPPER_BOUND_MAX_PARALLELISM
# (32768 in 1.19.3, 1.20.4, 2.2.1). No job can use more slots than this.
FLINK_MAX_PARALLELISM = 32768
# A session cluster with more slots than one job can ever use is several clusters'
# worth of blast radius; split it with flink-session:clusters instead.
MAX_TOTAL_SLOTS = FLINK_MAX_PARALLELISM
# Kubernetes' documented scalability envelope is 5,000 nodes per cluster, and one
# JobManager tracks every TaskManager's heartbeats and slots; more TaskManagers than
# that is beyond anything one session cluster is operated at.
MAX_TASK_MANAGERS = 5000
# One leader and standbys: Kubernetes HA fails over to any standby, so beyond a few
# they add only watchers on the leader ConfigMaps.
MAX_JOB_MANAGERS = 10
# SQL Gateway sessions live in one gateway's memory (a client stays on the replica that
# opened its session), so replicas add capacity and availability, not a shared pool;
# beyond a few, another cluster is the better answer.
MAX_SQL_GATEWAYS = 10

# Every memory quantity (a pod's memory, derived from memoryPerSlot x slots, and the
# scratch volume) is at most 4Ei: half of what a Java long and a Kubernetes quantity
# hold, so sums such as the pod's ephemeral-storage request stay representable, and
# Flink's MemorySize parses every rendered size.
MAX_MEMORY_BYTES = 2**62
# CPU in millicores: the kubelet and scheduler hold a quantity's milli-value in an int64.
MAX_CPU_MILLIS = INT64_MAX

# Flink refuses checkpoint intervals below this (CheckpointConfig.MINIMAL_CHECKPOINT_TIME, 10 ms).
MIN_CHECKPOINT_INTERVAL_MS = 10
# Flink reads durations as a java.time.Duration and uses them in milliseconds (a long).
MAX_DURATION_MS = INT64_MAX
# Prometheus parses durations to int64 nanoseconds (prometheus/common model.ParseDuration).
MAX_PROMETHEUS_DURATION_MS = INT64_MAX // 1_000_000
