"""Which names the app answers to, and which browser pages may call /mcp.

A server on 127.0.0.1 with reads open trusts whoever can reach it, and a web page the user
visits can: it rebinds its own name to 127.0.0.1 (DNS rebinding) and reads through the
browser, sending `Host: attacker.example`. So the whole app (the API, /mcp, the web page)
answers only to the names in Settings.host_allow_list: a 421 otherwise, in the usual JSON
shape. /healthz and /readyz answer any name (they reveal nothing, and probes of container
platforms address the server by IP).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from rag.interfaces.api.errors import HTTPError, error_response
from rag.interfaces.output import ErrorOut

ANY_HOST_PATHS = ("/healthz", "/readyz")


def host_name(header: str) -> str:
    """The name in a Host header: `Example.org:8000` -> `example.org`, `[::1]:80` -> `::1`."""
    header = header.strip().lower()
    if header.startswith("["):
        end = header.find("]")
        return header[1:end] if end > 0 else header
    if header.count(":") == 1:  # name:port (a bare IPv6 address has more colons)
        header = header.partition(":")[0]
    return header.rstrip(".")


def allows(patterns: tuple[str, ...], name: str) -> bool:
    """Whether `name` is one of `patterns`: a name, or `*.example.org` for any below it."""
    return any(
        name == pattern or (pattern.startswith("*.") and name.endswith(pattern[1:]))
        for pattern in patterns
    )


def origin_allowed(
    origin: str, host: str, patterns: tuple[str, ...] | None, cors_origins: tuple[str, ...]
) -> bool:
    """Whether a page at `origin` may call: one of RAG_CORS_ORIGINS, or a name the server
    answers to (with no allow-list: the very origin the request was sent to)."""
    if origin in cors_origins:
        return True
    parts = urlsplit(origin)
    if patterns is not None:
        return parts.hostname is not None and allows(patterns, parts.hostname.rstrip("."))
    return parts.netloc.lower() == host.strip().lower()


class HostAllowList:
    """421 for a request whose Host header names another server."""

    def __init__(self, app: ASGIApp, patterns: tuple[str, ...]) -> None:
        self.app = app
        self.patterns = patterns

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in ANY_HOST_PATHS:
            await self.app(scope, receive, send)
            return
        if allows(self.patterns, host_name(Headers(scope=scope).get("host", ""))):
            await self.app(scope, receive, send)
            return
        names = [p for p in self.patterns if not p.startswith("*")] or list(self.patterns)
        misdirected = HTTPError(
            421,
            ErrorOut(
                error="host_not_allowed",
                message="this server does not answer to the name in the Host header",
                field="Host",
                hint=f"call it by {' or '.join(names)}; behind a proxy, add the name it is "
                "called by to RAG_ALLOWED_HOSTS",
            ),
        )
        await error_response(Request(scope), misdirected)(scope, receive, send)
