"""Access control and request limits, wired into the app.

Routes declare what they need with `dependencies=READ` or `dependencies=ADMIN`; the key
check itself (rag.interfaces.access) and the rate limiter (rag.interfaces.limits) know
nothing of HTTP. The MCP endpoint, a plain ASGI app, is wrapped by `guard_mcp`. Middleware
adds the body-size limit (on Content-Length, then while reading), CORS for configured origins,
and security headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.params import Depends as DependsParam
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import Headers, MutableHeaders
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.errors import RagError
from rag.interfaces.access import Caller, Keyring
from rag.interfaces.access import Scope as Needs
from rag.interfaces.api.errors import HTTPError, error_response
from rag.interfaces.limits import RateLimiter
from rag.interfaces.output import ErrorOut
from rag.settings import Settings

API_KEY_HEADER = "X-API-Key"
UPLOADS_PATH = "/v1/uploads"
MULTIPART_SLACK = 1_000_000
"""Bytes of multipart framing allowed over RAG_UPLOAD_MAX_BYTES; the upload route checks
the files' own size exactly."""
NO_CSP_PATHS = ("/docs", "/redoc")
"""FastAPI's documentation pages load Swagger UI and ReDoc from a CDN, with inline script."""

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <key>")
_api_key = APIKeyHeader(name=API_KEY_HEADER, auto_error=False, description="The same key.")


@dataclass(frozen=True)
class Guard:
    """Who may do what, and how often: one per app."""

    keyring: Keyring
    limiter: RateLimiter | None

    @classmethod
    def of(cls, settings: Settings) -> Guard:
        limiter = None
        if settings.rate_limit_per_minute:
            burst = settings.rate_limit_burst or settings.rate_limit_per_minute
            limiter = RateLimiter(settings.rate_limit_per_minute, burst)
        return cls(Keyring(settings.keys, open_read=settings.reads_open), limiter)

    def admit(self, presented: str | None, needed: Needs, address: str) -> Caller:
        caller = self.keyring.authorize(presented, needed)
        if self.limiter is not None:
            self.limiter.take(f"key:{caller.key}" if caller.key else f"address:{address}")
        return caller


def presented_key(headers: Headers) -> str | None:
    """The key in `Authorization: Bearer <key>` (what OpenAI clients send) or `X-API-Key`."""
    scheme, _, credentials = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return headers.get(API_KEY_HEADER) or None


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _require(needed: Needs) -> Any:
    async def check(
        request: Request,
        _bearer_key: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        _header_key: Annotated[str | None, Depends(_api_key)],
    ) -> Caller:
        """The schemes are parameters so /docs offers them; the key is read in one place."""
        guard: Guard = request.app.state.guard
        return guard.admit(presented_key(request.headers), needed, _address(request))

    return check


READ: list[DependsParam] = [Depends(_require(Needs.READ))]
ADMIN: list[DependsParam] = [Depends(_require(Needs.ADMIN))]


class _GuardedASGI:
    """An ASGI app behind the key check (the MCP endpoint)."""

    def __init__(self, app: ASGIApp, guard: Guard, needed: Needs) -> None:
        self.app, self.guard, self.needed = app, guard, needed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope, receive)
            try:
                self.guard.admit(presented_key(request.headers), self.needed, _address(request))
            except RagError as exc:
                await error_response(request, exc)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def guard_mcp(routes: list[BaseRoute], guard: Guard) -> list[BaseRoute]:
    """The MCP app's routes, each needing a read key (its tools only read)."""
    return [
        Route(r.path, _GuardedASGI(r.app, guard, Needs.READ)) if isinstance(r, Route) else r
        for r in routes
    ]


class BodyLimit:
    """413 for a body over the limit: at once on Content-Length, else as soon as the
    bytes read pass it. The upload route has its own, larger limit."""

    def __init__(self, app: ASGIApp, max_bytes: int, upload_max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes

    def _limit(self, path: str) -> tuple[int, str]:
        if path.startswith(UPLOADS_PATH):
            return self.upload_max_bytes + MULTIPART_SLACK, "RAG_UPLOAD_MAX_BYTES"
        return self.max_bytes, "RAG_MAX_BODY_BYTES"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, setting = self._limit(scope["path"])
        too_large = HTTPError(
            413,
            ErrorOut(
                error="too_large",
                message=f"the request body is over the limit of {limit:,} bytes",
                field="body",
                hint=f"send less; {setting} sets the limit",
            ),
        )
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await error_response(Request(scope), too_large)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise too_large
            return message

        await self.app(scope, counted, send)


class SecurityHeaders:
    """Headers that keep browsers from sniffing, framing or leaking: on every response."""

    def __init__(self, app: ASGIApp, content_security_policy: str) -> None:
        self.app = app
        self.csp = content_security_policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with_csp = bool(self.csp) and not scope["path"].startswith(NO_CSP_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "no-referrer")
                if with_csp:
                    headers.setdefault("Content-Security-Policy", self.csp)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security(app: FastAPI, settings: Settings) -> Guard:
    """The guard on app.state, and the middleware; the last added runs first."""
    guard = Guard.of(settings)
    app.state.guard = guard
    app.add_middleware(
        BodyLimit, max_bytes=settings.max_body_bytes, upload_max_bytes=settings.upload_max_bytes
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=[
                "Authorization",
                API_KEY_HEADER,
                "Content-Type",
                "Accept",
                "Mcp-Session-Id",
                "Mcp-Protocol-Version",
            ],
            expose_headers=["Retry-After", "Mcp-Session-Id"],
            max_age=600,
        )
    if settings.security_headers:
        app.add_middleware(
            SecurityHeaders, content_security_policy=settings.content_security_policy
        )
    return guard
