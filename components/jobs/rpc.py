"""What a dynamic provider's method does with the gRPC call it serves: end it with a message, or log against its resource.

Pulumi's dynamic-provider host (pulumi/dynamic/__main__.py) calls a provider's methods
from its gRPC handlers and passes them neither the call's context nor the resource's URN.
Both are found up the stack, in the handler's frame (`context`, `request`):
- `reported`: a FlinkError ends the call with its message alone. The host would let the
  exception reach gRPC, which prefixes it with "Exception calling application:" and logs
  a traceback; `pulumi up` prints the message as one error line instead.
- `log`: a message the engine shows under the resource in `pulumi preview` and `up`,
  sent with the SDK's engine stub to the engine address the host was started with (its
  first argument). The host configures no engine of its own, so `pulumi.log` would only
  print to its stderr, which the engine does not show.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any, Literal, TypeVar

from components.jobs.rest import FlinkError

# The gRPC methods of the dynamic-provider host that call a provider.
_RPC_METHODS = frozenset({"Check", "Diff", "Create", "Read", "Update", "Delete"})

_R = TypeVar("_R")


def _handler_locals() -> dict[str, Any] | None:
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name in _RPC_METHODS and "context" in frame.f_locals:
            return frame.f_locals
        frame = frame.f_back
    return None


def reported(method: Callable[..., _R]) -> Callable[..., _R]:
    """FlinkErrors end the RPC with their message alone."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> _R:
        try:
            return method(*args, **kwargs)
        except FlinkError as error:
            handler = _handler_locals()
            context = handler.get("context") if handler else None
            if context is not None and hasattr(context, "abort"):
                import grpc  # noqa: PLC0415 - the host's own dependency

                context.abort(grpc.StatusCode.UNKNOWN, str(error))
            raise

    return wrapper


def _engine_address() -> str | None:
    return next((arg for arg in sys.argv[1:] if not arg.startswith("-") and ":" in arg), None)


def log(message: str, severity: Literal["info", "warning"] = "info") -> None:
    """Show `message` under the resource being checked, diffed or changed; printed to stderr outside the engine."""
    handler = _handler_locals()
    request = handler.get("request") if handler else None
    address = _engine_address()
    if request is None or address is None:
        print(f"{severity}: {message}", file=sys.stderr)
        return
    import grpc  # noqa: PLC0415
    from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc  # noqa: PLC0415

    level = engine_pb2.INFO if severity == "info" else engine_pb2.WARNING
    with grpc.insecure_channel(address) as channel:
        engine_pb2_grpc.EngineStub(channel).Log(engine_pb2.LogRequest(severity=level, message=message, urn=request.urn))
