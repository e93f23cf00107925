"""A loopback HTTP server that answers Flink's read-only REST calls from a dict: Flink's side of a test, without Flink.

`FakeFlinkRest.answers` maps a path (`/overview`, `/taskmanagers`) to the JSON it returns;
any other path is a 404, as Flink answers. The tiers with an API server but no Flink
(e2e: kwok nodes) point a stack's `jobsRestUrl` at it. Every path asked is recorded.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FakeFlinkRest:
    answers: dict[str, Any] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    url: str = ""


@contextmanager
def fake_flink_rest() -> Iterator[FakeFlinkRest]:
    fake = FakeFlinkRest()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.asked.append(self.path)
            answer = fake.answers.get(self.path)
            body = json.dumps(answer if answer is not None else {"errors": ["Not found: " + self.path]}).encode()
            self.send_response(200 if answer is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
