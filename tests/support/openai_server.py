"""A real OpenAI-compatible HTTP server for tests, with scripted replies.

It speaks the wire protocol of POST /v1/chat/completions (JSON, and SSE when
`stream` is true) and GET /v1/models, so the real `openai` client talks to it
exactly as it would to OpenAI, vLLM or Ollama. A script decides each reply from
the request; every request is recorded for assertions.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Script = Callable[[dict[str, Any]], str]

_PASSAGE = re.compile(
    r"^\[(P\d+)\] .*?\n(.*?)(?=\n\n\[P\d+\] |\n\nAnswer the question|\n\nYour previous answer|\Z)",
    re.M | re.S,
)


def prompt_passages(request: dict[str, Any]) -> dict[str, str]:
    """Label -> passage text, as the answerer rendered them into the user message."""
    user = next(m["content"] for m in reversed(request["messages"]) if m["role"] == "user")
    return {label: text for label, text in _PASSAGE.findall(user)}


def is_retry(request: dict[str, Any]) -> bool:
    """Whether the request is the answerer's second attempt, told what failed."""
    user = next(m["content"] for m in reversed(request["messages"]) if m["role"] == "user")
    return "Your previous answer to this question could not be verified" in user


def question_of(request: dict[str, Any]) -> str:
    user = next(m["content"] for m in reversed(request["messages"]) if m["role"] == "user")
    match = re.search(r"^Question: (.*)$", user, re.M)
    return match.group(1) if match else user


@dataclass
class OpenAIServer:
    """Start with `start()`; `base_url` ends in /v1 like OpenAI's."""

    script: Script = lambda request: json.dumps({"answerable": False, "answer": "no script"})
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    _httpd: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> OpenAIServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.rstrip("/") == "/v1/models":
                    self._send(
                        200,
                        {
                            "object": "list",
                            "data": [
                                {
                                    "id": "scripted",
                                    "object": "model",
                                    "created": 0,
                                    "owned_by": "tests",
                                }
                            ],
                        },
                    )
                else:
                    self._send(
                        404, {"error": {"message": "not found", "type": "invalid_request_error"}}
                    )

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                request = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append(request)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(
                        404, {"error": {"message": "not found", "type": "invalid_request_error"}}
                    )
                    return
                if server.status != 200:
                    self._send(
                        server.status,
                        {"error": {"message": "scripted failure", "type": "server_error"}},
                    )
                    return
                content = server.script(request)
                if request.get("stream"):
                    self._stream(request, content)
                    return
                self._send(
                    200,
                    {
                        "id": "chatcmpl-test",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": request.get("model", "scripted"),
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "stop",
                                "message": {"role": "assistant", "content": content},
                            }
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    },
                )

            def _stream(self, request: dict[str, Any], content: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                pieces = [content[i : i + 16] for i in range(0, len(content), 16)]
                for i, piece in enumerate(pieces):
                    delta = {"content": piece} if i else {"role": "assistant", "content": piece}
                    chunk = {
                        "id": "chatcmpl-test",
                        "object": "chat.completion.chunk",
                        "created": int(time.time()),
                        "model": request.get("model", "scripted"),
                        "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
                    }
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                end = {
                    "id": "chatcmpl-test",
                    "object": "chat.completion.chunk",
                    "created": int(time.time()),
                    "model": request.get("model", "scripted"),
                    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                }
                self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
