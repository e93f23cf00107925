"""The fixed ports of a session cluster. Services, probes and NetworkPolicies depend on them."""

from __future__ import annotations

JOBMANAGER_RPC = 6123
BLOB_SERVER = 6124
QUERY_SERVER = 6125  # the official image's entrypoint forces this value
REST = 8081
TASKMANAGER_RPC = 6122
TASKMANAGER_DATA = 6121
PROMETHEUS = 9249  # Flink's conventional Prometheus reporter port
SQL_GATEWAY = 8083  # the SQL Gateway's REST endpoint (its default port)
HISTORY_SERVER = 8082  # the History Server's web UI and REST API (its default port)
