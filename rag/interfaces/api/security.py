"""Access control and request limits, wired into the app.

Routes declare what they need with `dependencies=READ` or `dependencies=ADMIN`; the key
check itself (rag.interfaces.access) and the rate limiters (rag.interfaces.limits) know
nothing of HTTP. The MCP endpoint, a plain ASGI app, is wrapped by
rag.interfaces.api.mcp_guard with the same Guard. Middleware
adds the Host allow-list (rag.interfaces.api.hosts), the body checks (size on Content-Length
and while reading; JSON bodies in UTF-8), CORS for configured origins, the charge for slow
requests, and security headers (on 500s too).

Rate limits count per key, or per client address for keyless reads; the address is the
socket's peer unless uvicorn was told to believe a proxy (RAG_TRUSTED_PROXIES, see
rag.interfaces.api.app.uvicorn_options). Wrong keys count separately, per address
(RAG_AUTH_FAILURES_PER_MINUTE): past the limit, that address's keys are not even checked.
"""

from __future__ import annotations

import codecs
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.params import Depends as DependsParam
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.errors import UnauthenticatedError
from rag.interfaces.access import Caller, Keyring
from rag.interfaces.access import Scope as Needs
from rag.interfaces.api.errors import HTTPError, error_response
from rag.interfaces.api.hosts import HostAllowList
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


RATE_BUCKET = "rate_bucket"
"""Where a request's scope state keeps the bucket it was admitted on, for ChargeTime."""


@dataclass(frozen=True)
class Guard:
    """Who may do what, and how often: one per app."""

    keyring: Keyring
    limiter: RateLimiter | None
    failures: RateLimiter | None
    """Wrong keys per client address."""
    request_seconds: float
    """A request counts once per this many seconds it takes (0: once, however long)."""

    @classmethod
    def of(cls, settings: Settings) -> Guard:
        limiter = failures = None
        if settings.rate_limit_per_minute:
            burst = settings.rate_limit_burst or settings.rate_limit_per_minute
            limiter = RateLimiter(settings.rate_limit_per_minute, burst)
        if settings.auth_failures_per_minute:
            failures = RateLimiter(
                settings.auth_failures_per_minute,
                settings.auth_failures_per_minute,
                counts="failed authentications from this address",
                setting="RAG_AUTH_FAILURES_PER_MINUTE",
            )
        keyring = Keyring(settings.keys, open_read=settings.reads_open)
        return cls(keyring, limiter, failures, settings.rate_limit_request_seconds)

    def admit(self, presented: str | None, needed: Needs, address: str) -> tuple[Caller, str]:
        """The caller, and the rate-limit bucket the request was counted in."""
        from_address = f"address:{address}"
        if self.failures is not None and presented is not None:
            self.failures.check(from_address)
        try:
            caller = self.keyring.authorize(presented, needed)
        except UnauthenticatedError:
            if self.failures is not None and presented is not None:
                self.failures.charge(from_address, 1)
            raise
        bucket = f"key:{caller.key}" if caller.key else from_address
        if self.limiter is not None:
            self.limiter.take(bucket)
        return caller, bucket

    def charge_time(self, bucket: str, seconds: float) -> None:
        """Count a slow request once per `request_seconds` it took (it was counted once)."""
        if self.limiter is not None and self.request_seconds > 0:
            extra = seconds / self.request_seconds - 1
            if extra > 0:
                self.limiter.charge(bucket, extra)


def presented_key(headers: Headers) -> str | None:
    """The key in `Authorization: Bearer <key>` (what OpenAI clients send) or `X-API-Key`."""
    scheme, _, credentials = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return headers.get(API_KEY_HEADER) or None


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _require(needed: Needs) -> Any:
    async def check(
        request: Request,
        _bearer_key: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        _header_key: Annotated[str | None, Depends(_api_key)],
    ) -> Caller:
        """The schemes are parameters so /docs offers them; the key is read in one place."""
        guard: Guard = request.app.state.guard
        caller, bucket = guard.admit(
            presented_key(request.headers), needed, client_address(request)
        )
        setattr(request.state, RATE_BUCKET, bucket)
        return caller

    return check


READ: list[DependsParam] = [Depends(_require(Needs.READ))]
ADMIN: list[DependsParam] = [Depends(_require(Needs.ADMIN))]


class BodyCheck:
    """413 for a body over the limit: at once on Content-Length, else as soon as the bytes
    read pass it (the upload route has its own, larger limit). 400 `invalid_encoding` for a
    JSON body that is not UTF-8: `json.loads` would guess UTF-16 or UTF-32 from the bytes
    and answer it, and JSON text never holds a NUL byte, which UTF-16 text is full of."""

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
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await error_response(Request(scope), too_large)(scope, receive, send)
            return
        utf8 = codecs.getincrementaldecoder("utf-8")() if _is_json(headers) else None
        seen = 0

        async def checked() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                body = message.get("body", b"")
                seen += len(body)
                if seen > limit:
                    raise too_large
                if utf8 is not None:
                    _check_utf8(utf8, body, seen, final=not message.get("more_body", False))
            return message

        await self.app(scope, checked, send)


def _is_json(headers: Headers) -> bool:
    """A body FastAPI would read as JSON: a JSON media type, or none given."""
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    return not media_type or media_type == "application/json" or media_type.endswith("+json")


def _check_utf8(decoder: codecs.IncrementalDecoder, body: bytes, seen: int, final: bool) -> None:
    start = seen - len(body)
    nul = body.find(b"\x00")
    try:
        decoder.decode(body, final=final)
        bad = start + nul if nul >= 0 else None
    except UnicodeDecodeError as exc:
        bad = start + exc.start
    if bad is not None:
        raise HTTPError(
            400,
            ErrorOut(
                error="invalid_encoding",
                message=f"the request body is not UTF-8 (byte {bad}); UTF-16 and other "
                "encodings are not read",
                field="body",
                hint="send JSON encoded as UTF-8",
            ),
        )


class ChargeTime:
    """After each request, charge its rate-limit bucket for the time it took: a request
    that keeps the server busy for seconds counts as that many."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        started = time.monotonic()
        try:
            await self.app(scope, receive, send)
        finally:
            bucket = state.get(RATE_BUCKET)
            if bucket is not None:
                self.guard.charge_time(bucket, time.monotonic() - started)


class SecurityHeaders:
    """Headers that keep browsers from sniffing, framing or leaking: on every response."""

    def __init__(self, app: ASGIApp, content_security_policy: str) -> None:
        self.app = app
        self.csp = content_security_policy

    def add_to(self, headers: MutableHeaders, path: str) -> None:
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "no-referrer")
        if self.csp and not path.startswith(NO_CSP_PATHS):
            headers.setdefault("Content-Security-Policy", self.csp)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.add_to(MutableHeaders(scope=message), scope["path"])
            await send(message)

        await self.app(scope, receive, send_with_headers)


Handler = Callable[[Request, Exception], Awaitable[Response]]


def _with_headers(handler: Handler, headers: SecurityHeaders) -> Handler:
    """A 500 is sent by Starlette's outermost middleware, outside SecurityHeaders: its
    handler adds them itself."""

    async def handle(request: Request, exc: Exception) -> Response:
        response = await handler(request, exc)
        headers.add_to(response.headers, request.url.path)
        return response

    return handle


def install_security(app: FastAPI, settings: Settings) -> Guard:
    """The guard on app.state, and the middleware; the last added runs first: security
    headers on every response, then the Host check before anything else."""
    guard = Guard.of(settings)
    app.state.guard = guard
    app.add_middleware(ChargeTime, guard=guard)
    app.add_middleware(
        BodyCheck, max_bytes=settings.max_body_bytes, upload_max_bytes=settings.upload_max_bytes
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
    hosts = settings.host_allow_list
    if hosts is not None:
        app.add_middleware(HostAllowList, patterns=hosts)
    if settings.security_headers:
        app.add_middleware(
            SecurityHeaders, content_security_policy=settings.content_security_policy
        )
        headers = SecurityHeaders(app, settings.content_security_policy)
        unexpected: Any = app.exception_handlers[Exception]
        app.add_exception_handler(Exception, _with_headers(unexpected, headers))
    return guard
