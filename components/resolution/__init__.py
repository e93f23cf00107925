"""Resolution: the input (input/schema.py) in, the resolved model (model/cluster.py) out, or every problem at once.

One module per concern: `problems` (pydantic's errors in the user's terms), `sizing`
(pods and replicas), `memory` (Flink's memory model at preview time), `sql_gateway`
(the SQL Gateway's pods and JVM), `state` (HA, state paths, storage), `exposure`
(scheduling, network, metrics, Ingress), `cluster` (one cluster, composed from those)
and `stack` (the stack's clusters together).
Builders never import this package: they read the model.
"""

from components.resolution.cluster import Resolution, resolve_cluster
from components.resolution.stack import parse_stack_config, resolve_args

__all__ = ["Resolution", "parse_stack_config", "resolve_args", "resolve_cluster"]
