"""A real OpenAI-compatible HTTP server for tests, with scripted replies.

It speaks the wire protocol of POST /v1/chat/completions (JSON, and SSE when
`stream` is true) and GET /v1/models, so the real `openai` client talks to it
exactly as it would to OpenAI, vLLM or Ollama. A script decides each reply from
the request; every request is recorded for assertions.

Faults make it misbehave as real endpoints do: `faults` are used up one per request, in
order (then it answers normally); `fault` applies to every request. A fault may hang past
the client's timeout, answer with a status (and Retry-After, retry-after-ms or other headers,
such as x-should-retry), send a body that is not JSON,
close the connection halfway through the body, or cut a stream of chunks halfway.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

Script = Callable[[dict[str, Any]], str]

DATA_START, DATA_END = "<<<PASSAGES>>>\n", "\n<<<END PASSAGES>>>"
_PASSAGE = re.compile(r"^\[(P\d+)\] .*?\n(.*?)(?=\n\n\[P\d+\] |\Z)", re.M | re.S)


@dataclass(frozen=True)
class Fault:
    kind: Literal["status", "hang", "not-json", "cut", "cut-stream"]
    status: int = 500
    retry_after: str | None = None
    retry_after_ms: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    """More headers on a "status" reply (e.g. x-should-retry)."""
    seconds: float = 0.0
    """How long "hang" waits before answering normally."""


def user_message(request: dict[str, Any]) -> str:
    return str(next(m["content"] for m in reversed(request["messages"]) if m["role"] == "user"))


def fenced(request: dict[str, Any]) -> tuple[str, str]:
    """The user message split into the fenced passages and everything outside the fence."""
    user = user_message(request)
    start = user.index(DATA_START) + len(DATA_START)
    end = user.index(DATA_END, start)
    return user[start:end], user[:start] + user[end:]


def prompt_passages(request: dict[str, Any]) -> dict[str, str]:
    """Label -> passage text, as the answerer rendered them into the user message."""
    return {label: text for label, text in _PASSAGE.findall(fenced(request)[0])}


def reply(answer: str, *citations: tuple[str, str], answerable: bool = True) -> str:
    """A reply as the answerer asks for it: JSON with the answer and (label, quote) pairs."""
    return json.dumps(
        {
            "answerable": answerable,
            "answer": answer,
            "citations": [{"passage": label, "quote": quote} for label, quote in citations],
        }
    )


def label_of(request: dict[str, Any], needle: str) -> str:
    """The label of the passage sent that contains `needle` ("P0" if none does, so that the
    test fails on its own assertions, not inside the server's thread)."""
    return next((label for label, text in prompt_passages(request).items() if needle in text), "P0")


def is_retry(request: dict[str, Any]) -> bool:
    """Whether the request is the answerer's second attempt, told what failed."""
    user = user_message(request)
    return "Your previous answer to this question could not be verified" in user


def is_rewrite(request: dict[str, Any]) -> bool:
    """Whether the request asks to make a follow-up standalone (rag/prompts/follow_up.md)."""
    return "so that it can be\nunderstood on its own" in user_message(request)


def question_of(request: dict[str, Any]) -> str:
    user = user_message(request)
    match = re.search(r"^Question: (.*)$", user, re.M)
    return match.group(1) if match else user


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up on a hanging reply is expected, not an error."""


@dataclass
class OpenAIServer:
    """Start with `start()`; `base_url` ends in /v1 like OpenAI's."""

    script: Script = lambda request: json.dumps({"answerable": False, "answer": "no script"})
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    faults: list[Fault] = field(default_factory=list)
    fault: Fault | None = None
    chunking: Callable[[str], list[str]] | None = None
    """How a streamed reply is cut into chunks (default: 16 characters each)."""
    chunk_pause: float = 0.0
    """Seconds between streamed chunks: a slow model."""
    chunk_times: list[float] = field(default_factory=list)
    """time.monotonic() as each streamed chunk with content was sent."""
    refuse_schema: bool = False
    """Answer a request carrying `response_format` with a 400, as servers without structured
    output do."""
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
                if server.refuse_schema and "response_format" in request:
                    message = "response_format of type json_schema is not supported"
                    self._send(
                        400, {"error": {"message": message, "type": "invalid_request_error"}}
                    )
                    return
                fault = server.faults.pop(0) if server.faults else server.fault
                if fault is not None and fault.kind == "hang":
                    time.sleep(fault.seconds)
                elif fault is not None and fault.kind != "cut-stream":
                    self._misbehave(fault)
                    return
                content = server.script(request)
                cut = fault is not None and fault.kind == "cut-stream"
                if request.get("stream"):
                    self._stream(request, content, cut=cut)
                    return
                self._send(200, self._completion(request, content))

            def _misbehave(self, fault: Fault) -> None:
                if fault.kind == "status":
                    data = json.dumps(
                        {"error": {"message": "scripted failure", "type": "server_error"}}
                    ).encode()
                    self.send_response(fault.status)
                    if fault.retry_after is not None:
                        self.send_header("Retry-After", fault.retry_after)
                    if fault.retry_after_ms is not None:
                        self.send_header("retry-after-ms", fault.retry_after_ms)
                    for name, value in fault.headers:
                        self.send_header(name, value)
                elif fault.kind == "not-json":
                    data = b'{"id": "chatcmpl-test", "choices": [{"message": <html>oops'
                    self.send_response(200)
                else:  # "cut": the headers promise a whole body; half of it comes
                    data = json.dumps(self._completion({}, "x" * 200)).encode()
                    self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data[: len(data) // 2] if fault.kind == "cut" else data)
                self.wfile.flush()
                self.close_connection = True

            def _completion(self, request: dict[str, Any], content: str) -> dict[str, Any]:
                return {
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
                }

            def _stream(self, request: dict[str, Any], content: str, cut: bool = False) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                if server.chunking is not None:
                    pieces = server.chunking(content)
                else:
                    pieces = [content[i : i + 16] for i in range(0, len(content), 16)]
                if cut:  # half the chunks, no finish_reason, no [DONE]: the connection closes
                    pieces = pieces[: len(pieces) // 2]
                    self.close_connection = True
                for i, piece in enumerate(pieces):
                    delta = {"content": piece} if i else {"role": "assistant", "content": piece}
                    chunk = {
                        "id": "chatcmpl-test",
                        "object": "chat.completion.chunk",
                        "created": int(time.time()),
                        "model": request.get("model", "scripted"),
                        "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
                    }
                    if i and server.chunk_pause:
                        time.sleep(server.chunk_pause)
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                    server.chunk_times.append(time.monotonic())
                if cut:
                    return
                end = {
                    "id": "chatcmpl-test",
                    "object": "chat.completion.chunk",
                    "created": int(time.time()),
                    "model": request.get("model", "scripted"),
                    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                }
                self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
