"""The values each closed-set key accepts: one Literal each, read by the schema, the model and the job provider."""

from __future__ import annotations

from typing import Literal

Environment = Literal["production", "development"]
PullPolicy = Literal["Always", "IfNotPresent", "Never"]
ServiceType = Literal["ClusterIP", "NodePort", "LoadBalancer"]
TolerationOperator = Literal["Exists", "Equal"]
TaintEffect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]
CheckpointMode = Literal["EXACTLY_ONCE", "AT_LEAST_ONCE"]
StateBackendType = Literal["hashmap", "rocksdb"]
RestartType = Literal["disable", "fixed-delay", "exponential-delay", "failure-rate"]
UpgradeMode = Literal["stateless", "savepoint", "last-state"]
