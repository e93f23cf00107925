"""What a cluster's `environment` changes, in one table. No rule looks at the stack's name.

`production` (the default: the safe one) refuses state on a pod's own disk and warns
when HA is off; `development` accepts `file://` state anywhere (it is lost with the
pod, which is fine for trying jobs out) and does not ask for HA. `file://` under
`storage.sharedVolume.mountPath` is durable and accepted in both. The program puts the
environment on every object as the label `flink-session.dev/environment`, which the
policy pack's advisory `ha-in-production` reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from components.model.choices import Environment


@dataclass(frozen=True)
class EnvironmentRules:
    # file:// state outside a shared volume (on the pod's own disk, lost with the pod) is accepted
    local_state: bool
    # a cluster without highAvailability gets a warning: a JobManager restart loses every running job
    warn_without_ha: bool


RULES: Mapping[Environment, EnvironmentRules] = MappingProxyType(
    {
        "production": EnvironmentRules(local_state=False, warn_without_ha=True),
        "development": EnvironmentRules(local_state=True, warn_without_ha=False),
    }
)
