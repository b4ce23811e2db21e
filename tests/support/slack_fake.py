"""A local Slack for tests: the Web API methods the app calls, over real HTTP, and a Socket
Mode server over a real WebSocket, both on 127.0.0.1.

The Web API keeps channels of messages (what the app posts, what a test says users wrote),
answers conversations.replies / .history / .info from them, and records every call. The
Socket Mode server speaks Slack's envelope protocol: `hello` on connect, then `events_api`,
`slash_commands` and `interactive` envelopes; the client acknowledges each by its
`envelope_id`, and the time of each acknowledgement is recorded.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from slack_sdk.signature import SignatureVerifier
from websockets.sync.server import Server, ServerConnection, serve

BOT_USER, BOT_ID, TEAM, APP = "UBOT0001", "BBOT0001", "T0001", "A0001"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    at: float


def signed_headers(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends: the v0 signature, computed by slack_sdk's own code."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": str(signature)}


def event_body(event: dict[str, Any], event_id: str | None = None) -> bytes:
    """An Events API delivery of `event`, as Slack posts it."""
    return json.dumps(
        {
            "token": "verification-token",
            "team_id": TEAM,
            "api_app_id": APP,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10]}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        }
    ).encode()


def command_fields(
    response_url: str, channel: str, channel_name: str, user: str, text: str
) -> dict[str, str]:
    """A slash command's fields, as Slack posts them (form-encoded) or sends them in a
    Socket Mode envelope."""
    return {
        "token": "verification-token",
        "team_id": TEAM,
        "channel_id": channel,
        "channel_name": channel_name,
        "user_id": user,
        "user_name": "alice",
        "command": "/statements",
        "text": text,
        "api_app_id": APP,
        "response_url": response_url,
        "trigger_id": "1.2.3",
    }


@dataclass
class FakeSlack:
    """Start with `start()`; `api_url` is the WebClient's base_url."""

    calls: list[Call] = field(default_factory=list)
    channels: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    channel_names: dict[str, str] = field(default_factory=dict)
    responses: list[dict[str, Any]] = field(default_factory=list)
    """What the app sent to response_url (slash commands, buttons)."""
    refuse_posting_in: set[str] = field(default_factory=set)
    socket_url: str = ""
    _ts: Any = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _httpd: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self) -> str:
        return f"{self.base}/respond/{uuid.uuid4().hex}"

    # ---- what users do -----------------------------------------------------------------

    def user_says(
        self, channel: str, user: str, text: str, thread_ts: str | None = None
    ) -> dict[str, Any]:
        """A user's message, as Slack would store it; returns the message event."""
        with self._lock:
            ts = self._next_ts()
            message = {"type": "message", "user": user, "text": text, "ts": ts}
            if thread_ts:
                message["thread_ts"] = thread_ts
            self.channels.setdefault(channel, []).append(message)
        return {**message, "channel": channel}

    def mention(
        self, channel: str, user: str, text: str, thread_ts: str | None = None
    ) -> dict[str, Any]:
        """A user's message mentioning the app; returns the app_mention event."""
        said = self.user_says(channel, user, f"<@{BOT_USER}> {text}", thread_ts)
        return {**said, "type": "app_mention", "event_ts": said["ts"]}

    def command(self, channel: str, user: str, text: str) -> dict[str, str]:
        name = self.channel_names.get(channel, "directmessage")
        return command_fields(self.response_url(), channel, name, user, text)

    # ---- what the app did --------------------------------------------------------------

    def of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        with self._lock:
            return next(m for m in self.channels[channel] if m["ts"] == ts)

    def wait_for(self, check: Callable[[], Any], timeout: float = 30) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = check()
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(
            f"not seen within {timeout} s; calls: {[c.method for c in self.calls]}"
        )

    def answers_in(self, channel: str, count: int = 1, timeout: float = 30) -> list[dict[str, Any]]:
        """The app's messages in `channel` once `count` of them are no longer "Searching…"."""

        def done() -> list[dict[str, Any]]:
            with self._lock:
                mine = [m for m in self.channels.get(channel, []) if m.get("bot_id") == BOT_ID]
            finished = [m for m in mine if "Searching the statements" not in m.get("text", "")]
            return finished if len(finished) >= count else []

        found: list[dict[str, Any]] = self.wait_for(done, timeout)
        return found

    # ---- the server --------------------------------------------------------------------

    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.000100"

    def _api(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.calls.append(Call(method, args, time.monotonic()))
            handler = getattr(self, "_" + method.replace(".", "_"), None)
            if handler is None:
                return {"ok": False, "error": "unknown_method"}
            result: dict[str, Any] = handler(args)
            return result

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://example.slack.com/",
            "team": "Example",
            "user": "statements",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.socket_url}

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = args["channel"]
        if channel in self.refuse_posting_in:
            return {"ok": False, "error": "not_in_channel"}
        message = {
            "type": "message",
            "bot_id": BOT_ID,
            "user": BOT_USER,
            "ts": self._next_ts(),
            "text": args.get("text", ""),
            "blocks": _decoded(args.get("blocks")) or [],
        }
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        if args.get("metadata"):
            message["metadata"] = _decoded(args["metadata"])
        self.channels.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        found = next(
            (m for m in self.channels.get(args["channel"], []) if m["ts"] == args["ts"]), None
        )
        if found is None:
            return {"ok": False, "error": "message_not_found"}
        found["text"] = args.get("text", "")
        found["blocks"] = _decoded(args.get("blocks")) or []
        if args.get("metadata"):
            found["metadata"] = _decoded(args["metadata"])
        return {"ok": True, "channel": args["channel"], "ts": args["ts"]}

    def _chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "message_ts": self._next_ts()}

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = args["channel"]
        return {"ok": True, "channel": {"id": channel, "name": self.channel_names.get(channel)}}

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        root = args["ts"]
        thread = [
            _shown(m, args)
            for m in self.channels.get(args["channel"], [])
            if m["ts"] == root or m.get("thread_ts") == root
        ]
        return {"ok": True, "messages": thread, "has_more": False}

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        top = [
            _shown(m, args)
            for m in self.channels.get(args["channel"], [])
            if m.get("thread_ts") in (None, m["ts"])
        ]
        limit = int(args.get("limit") or 100)
        return {"ok": True, "messages": list(reversed(top))[:limit], "has_more": False}

    def start(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _args(self) -> dict[str, Any]:
                parts = urlsplit(self.path)
                args: dict[str, Any] = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if raw and "json" in self.headers.get("Content-Type", ""):
                    args.update(json.loads(raw))
                elif raw:
                    args.update({k: v[-1] for k, v in parse_qs(raw.decode()).items()})
                return args

            def do_GET(self) -> None:
                self._route()

            def do_POST(self) -> None:
                self._route()

            def _route(self) -> None:
                path = urlsplit(self.path).path
                args = self._args()
                if path.startswith("/respond/"):
                    with fake._lock:
                        fake.responses.append(args)
                    self._reply({"ok": True})
                elif path.startswith("/api/"):
                    self._reply(fake._api(path.removeprefix("/api/"), args))
                else:
                    self._reply({"ok": False, "error": "not_found"})

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()


def _decoded(value: Any) -> Any:
    """Blocks and metadata arrive as JSON (json body) or as JSON text (form body)."""
    return json.loads(value) if isinstance(value, str) else value


def _shown(message: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    """A message as conversations.* return it: metadata only when asked for."""
    wants_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
    return {k: v for k, v in message.items() if k != "metadata" or wants_metadata}


# ---- Socket Mode ----------------------------------------------------------------------------


@dataclass
class SocketModeServer:
    """A WebSocket server speaking Slack's Socket Mode protocol, for one client at a time."""

    acks: dict[str, tuple[float, dict[str, Any]]] = field(default_factory=dict)
    """envelope_id -> (when it was acknowledged, the acknowledgement)."""
    _server: Server | None = None
    _connection: ServerConnection | None = None
    _connected: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket=test"

    def start(self) -> SocketModeServer:
        def session(connection: ServerConnection) -> None:
            connection.send(
                json.dumps(
                    {
                        "type": "hello",
                        "num_connections": 1,
                        "connection_info": {"app_id": APP},
                        "debug_info": {"host": "test", "approximate_connection_time": 3600},
                    }
                )
            )
            self._connection = connection
            self._connected.set()
            for raw in connection:
                ack = json.loads(raw)
                if "envelope_id" in ack:
                    with self._lock:
                        self.acks[ack["envelope_id"]] = (time.monotonic(), ack)

        self._server = serve(session, "127.0.0.1", 0)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def wait_connected(self, timeout: float = 30) -> None:
        assert self._connected.wait(timeout), "the Socket Mode client did not connect"

    def send(self, kind: str, payload: dict[str, Any], retry_attempt: int = 0) -> tuple[str, float]:
        """An envelope to the client; returns its id and when it was sent."""
        assert self._connection is not None
        envelope_id = uuid.uuid4().hex
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else "",
        }
        sent = time.monotonic()
        self._connection.send(json.dumps(envelope))
        return envelope_id, sent

    def ack_of(self, envelope_id: str, timeout: float = 10) -> tuple[float, dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if envelope_id in self.acks:
                    return self.acks[envelope_id]
            time.sleep(0.02)
        raise AssertionError(f"envelope {envelope_id} was not acknowledged within {timeout} s")

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
