"""A loopback proxy in front of Flink's REST API that holds chosen requests: how the faults tier picks its moment.

A test points a stack's `jobsRestUrl` at the proxy and sets a gate: "hold the next
`POST /jars/.../run` once a `POST /jobs/.../stop` has passed". The job provider then
waits inside that call, the test kills the `pulumi` process group at exactly that
point, and the held request is dropped (502) instead of forwarded, so Flink never sees
it. Nothing in the product knows about it: to the provider it is Flink answering slowly.
Every request that reaches the proxy is recorded with its status.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

# How long a held request waits for the test before it is dropped anyway.
HOLD_SECONDS = 300


@dataclass
class Gate:
    """Holds the first request matching `method` and `pattern` that arrives after one matching `after` passed."""

    method: str
    pattern: str
    after: tuple[str, str] | None = None
    armed: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    forward: bool = False  # on release: forward the held request (True) or drop it (False)

    def __post_init__(self) -> None:
        if self.after is None:
            self.armed.set()

    def matches(self, method: str, path: str) -> bool:
        return (
            self.armed.is_set()
            and not self.arrived.is_set()
            and method == self.method
            and re.search(self.pattern, path) is not None
        )

    def release(self, *, forward: bool = False) -> None:
        self.forward = forward
        self.released.set()


class FlinkProxy:
    """http://127.0.0.1:<port> in front of `target`; `hold(...)` sets a gate, `requests` lists what passed."""

    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self.gates: list[Gate] = []
        self.requests: list[tuple[str, str, int]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                status, headers, content = proxy.forward(self.command, self.path, body, dict(self.headers))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _handle  # noqa: N815 - http.server's names

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def hold(self, method: str, pattern: str, *, after: tuple[str, str] | None = None) -> Gate:
        gate = Gate(method, pattern, after)
        self.gates.append(gate)
        return gate

    def forward(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        for gate in self.gates:
            if gate.matches(method, path):
                gate.arrived.set()
                gate.released.wait(HOLD_SECONDS)
                if not gate.forward:
                    self.requests.append((method, path, 502))
                    return 502, {"Content-Type": "application/json"}, b'{"errors": ["held and dropped by the faults tier"]}'
        kept = {k: v for k, v in headers.items() if k.lower() in ("content-type", "accept")}
        answer = requests.request(method, f"{self.target}{path}", data=body, headers=kept, timeout=120)
        self.requests.append((method, path, answer.status_code))
        for gate in self.gates:
            if gate.after is not None and gate.after[0] == method and re.search(gate.after[1], path):
                gate.armed.set()
        return answer.status_code, {"Content-Type": answer.headers.get("Content-Type", "application/json")}, answer.content

    def close(self) -> None:
        for gate in self.gates:
            gate.released.set()
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def flink_proxy(target: str) -> Iterator[FlinkProxy]:
    proxy = FlinkProxy(target)
    try:
        yield proxy
    finally:
        proxy.close()
