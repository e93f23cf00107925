"""The SQL Gateway's options in the table of owned options: refused in `flinkConfiguration`, set on its command line.

They are `-D` properties of `sql-gateway.sh start-foreground` (which win over
config.yaml), never config.yaml entries: a different config.yaml is a new ConfigMap that
rolls the JobManagers and TaskManagers merely because a gateway changed. Spliced into
`options.OWNED_OPTIONS` with no config.yaml value, so they stay one table. The keys,
defaults (port 8083, endpoint type rest) and the `sql-gateway.endpoint.rest.` prefix are
the same in the 1.20 and 2.x gateway jars. Every value is a plain token: sql-gateway.sh
prints its usage for any argument containing `-h`, so no cluster-derived name goes there.
"""

from __future__ import annotations

from components.flink.owned_option import OwnedOption
from components.model import ports
from components.model.cluster import Cluster, FlinkValue

ENDPOINT_TYPE = "sql-gateway.endpoint.type"
REST_PREFIX = "sql-gateway.endpoint.rest."
HA_TYPE = "high-availability.type"
# The kubelet expands $(POD_IP) in container args from the env var the Deployment sets.
POD_IP = "$(POD_IP)"

# (key, value on the gateway's command line, why the component owns it)
_PROPERTIES: tuple[tuple[str, str, str], ...] = (
    (ENDPOINT_TYPE, "rest", "fixed at rest: the SQL Gateway's Service, probes and NetworkPolicy serve its REST endpoint"),
    (f"{REST_PREFIX}address", POD_IP, "each SQL Gateway advertises its own pod IP"),
    (f"{REST_PREFIX}bind-address", "0.0.0.0", "must be 0.0.0.0 so the SQL Gateway's Service and probes reach it"),
    (f"{REST_PREFIX}port", str(ports.SQL_GATEWAY), "fixed at 8083: the SQL Gateway's Service, probes and NetworkPolicy use it"),
    (f"{REST_PREFIX}bind-port", str(ports.SQL_GATEWAY), "fixed at 8083: the SQL Gateway listens where its Service points"),
)


def _not_in_config_yaml(cluster: Cluster) -> FlinkValue | None:
    return None


GATEWAY_OPTIONS: tuple[OwnedOption, ...] = tuple(
    OwnedOption(key, f"{reason} (set on the SQL Gateway's command line)", _not_in_config_yaml) for key, _, reason in _PROPERTIES
)


def sql_gateway_properties(cluster: Cluster) -> dict[str, str]:
    """The `-D` properties of the gateway's command line, in a fixed order."""
    properties = {key: value for key, value, _ in _PROPERTIES}
    if cluster.high_availability is not None:
        # The gateway is a REST client of the cluster: through the REST Service any
        # JobManager answers (a standby forwards to the leader), so it needs neither the
        # leader ConfigMaps nor a ServiceAccount token, which would let the SQL it runs
        # (UDFs, added jars) rewrite the HA metadata.
        properties[HA_TYPE] = "NONE"
    return properties
