"""One Flink option the component owns: the type of the tables in flink_options and flink_recovery_options."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from components.model.cluster import Cluster, FlinkValue


@dataclass(frozen=True)
class OwnedOption:
    """A Flink option the component sets; `value` gives it for a cluster (None: not rendered)."""

    key: str
    reason: str
    value: Callable[[Cluster], FlinkValue | None]
    # Other keys through which Flink reads the same setting: deprecated and fallback
    # keys of this option, and options that fall back to it or override it.
    aliases: tuple[str, ...] = ()
    # The user may set it too, and the component's value includes theirs (env.java.opts.all).
    extends_user_value: bool = False


def when(condition: bool, value: FlinkValue | None) -> FlinkValue | None:
    """The value where the option applies, else None (not rendered)."""
    return value if condition else None
