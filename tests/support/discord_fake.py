"""A local Discord for tests: the HTTP API routes the bot calls (interaction webhooks for
follow-ups, the application's commands), on 127.0.0.1, recording each request; and
interactions signed as Discord signs them, with an Ed25519 key the test generates."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from nacl.signing import SigningKey


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float


class Signer:
    """Signs interaction bodies the way Discord does: Ed25519 over timestamp + body."""

    def __init__(self) -> None:
        self.key = SigningKey.generate()

    @property
    def public_key(self) -> str:
        return self.key.verify_key.encode().hex()

    def headers(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = self.key.sign(ts.encode() + body).signature.hex()
        return {"X-Signature-Ed25519": signature, "X-Signature-Timestamp": ts}


@dataclass
class FakeDiscord:
    requests: list[Request] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _httpd: ThreadingHTTPServer | None = None

    @property
    def api_url(self) -> str:
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/api/v10"

    def follow_ups(self, token: str) -> list[Any]:
        with self._lock:
            return [
                r.body
                for r in self.requests
                if r.method == "POST"
                and r.path.startswith("/api/v10/webhooks/")
                and r.path.endswith(f"/{token}")
            ]

    def wait_for(self, check: Callable[[], Any], timeout: float = 30) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = check()
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"not seen within {timeout} s: {self.requests}")

    def start(self) -> FakeDiscord:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _record(self) -> Any:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                with fake._lock:
                    fake.requests.append(
                        Request(self.command, self.path, dict(self.headers), body, time.monotonic())
                    )
                return body

            def _reply(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                body = self._record()
                self._reply(200, {"id": str(len(fake.requests)), **(body or {})})

            def do_PUT(self) -> None:
                body = self._record()
                commands = body if isinstance(body, list) else []
                self._reply(200, [{"id": str(i + 1), **c} for i, c in enumerate(commands)])

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
