"""The MCP endpoint behind the checks the routes have: the same Guard (keys, rate limits),
an Origin check (a browser page from elsewhere may not call it), and errors in the JSON shape.

The MCP SDK's own Host and Origin checks are off (rag.interfaces.mcp_server.http_app): the
app's Host allow-list (rag.interfaces.api.hosts) and the check here cover every host, and
answer as the rest of the API does. Plain-text errors the SDK still sends ("Invalid
Content-Type header") are turned into the same JSON shape.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.errors import RagError
from rag.interfaces.access import Scope as Needs
from rag.interfaces.api.errors import HTTPError, error_response
from rag.interfaces.api.hosts import origin_allowed
from rag.interfaces.api.security import RATE_BUCKET, Guard, client_address, presented_key
from rag.interfaces.output import ErrorOut
from rag.settings import Settings


class _Guarded:
    """An ASGI app behind the key check and the Origin check (the MCP endpoint), whose own
    plain-text errors are turned into the JSON shape."""

    def __init__(self, app: ASGIApp, guard: Guard, needed: Needs, settings: Settings) -> None:
        self.app, self.guard, self.needed = app, guard, needed
        self.hosts = settings.host_allow_list
        self.cors_origins = settings.cors_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            self._check_origin(request.headers)
            _, bucket = self.guard.admit(
                presented_key(request.headers), self.needed, client_address(request)
            )
        except (RagError, HTTPError) as exc:
            await error_response(request, exc)(scope, receive, send)
            return
        setattr(request.state, RATE_BUCKET, bucket)
        await self.app(scope, receive, _PlainErrorsAsJSON(scope, send))

    def _check_origin(self, headers: Headers) -> None:
        """A browser page may call only from an origin the server answers to or allows (the
        check the MCP SDK makes on loopback, made here for every host)."""
        origin = headers.get("origin")
        if origin and not origin_allowed(
            origin, headers.get("host", ""), self.hosts, self.cors_origins
        ):
            raise HTTPError(
                403,
                ErrorOut(
                    error="forbidden",
                    message="a page from another origin may not call /mcp",
                    field="Origin",
                    hint="add the page's origin to RAG_CORS_ORIGINS",
                ),
            )


_MCP_ERROR_KINDS = {
    400: "invalid_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    421: "host_not_allowed",
}


class _PlainErrorsAsJSON:
    """A `send` that replaces a plain-text error (an SDK's "Invalid Content-Type header")
    with the same status in the JSON shape; JSON (JSON-RPC errors included) passes as is."""

    def __init__(self, scope: Scope, send: Send) -> None:
        self.scope, self.send = scope, send
        self.replaced: Message | None = None

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = Headers(raw=message.get("headers", []))
            if message["status"] >= 400 and "json" not in headers.get("content-type", ""):
                self.replaced = message
                return
        elif message["type"] == "http.response.body" and self.replaced is not None:
            if message.get("more_body", False):
                return  # the plain text itself is dropped; the reply is below
            await self._send_json(self.replaced["status"])
            return
        await self.send(message)

    async def _send_json(self, status: int) -> None:
        kind = _MCP_ERROR_KINDS.get(status, "error")
        body = ErrorOut(
            error=kind,
            message=f"/mcp refused the request ({kind.replace('_', ' ')})",
            hint="MCP over HTTP takes POST with Content-Type: application/json and "
            "Accept: application/json, text/event-stream",
        )
        response = error_response(Request(self.scope), HTTPError(status, body))
        await response(self.scope, _no_receive, self.send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def guard_mcp(routes: list[BaseRoute], guard: Guard, settings: Settings) -> list[BaseRoute]:
    """The MCP app's routes, each needing a read key (its tools only read)."""
    return [
        Route(r.path, _Guarded(r.app, guard, Needs.READ, settings)) if isinstance(r, Route) else r
        for r in routes
    ]
