"""The FastAPI app factory. Warm-up (model load) runs in a thread at start-up; the MCP
endpoint (rag.interfaces.mcp_server) is served at /mcp over the same service. Keys, limits and
security headers: rag.interfaces.api.security."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from rag.ingest.uploads import Ingest, Jobs
from rag.interfaces import allocator
from rag.interfaces.api.chat import router as chat_router
from rag.interfaces.api.errors import install_error_handlers
from rag.interfaces.api.mcp_guard import guard_mcp
from rag.interfaces.api.routes import router
from rag.interfaces.api.security import install_security
from rag.interfaces.api.uploads import router as uploads_router
from rag.interfaces.api.web import install_web
from rag.interfaces.discord import install_discord
from rag.interfaces.mcp_server import build_server, http_app
from rag.interfaces.slack import install_slack
from rag.service import Service
from rag.settings import Settings
from rag.types import IngestReport, Statement

log = logging.getLogger(__name__)


@dataclass
class WarmUp:
    done: bool = False
    error: str | None = None


def _warm(service: Service, state: WarmUp, after: Callable[[], None]) -> None:
    try:
        service.warm_up()
        service.follow_store()
        state.done = True
    except Exception as exc:  # reported by /readyz instead of killing the server
        log.exception("warm-up failed")
        state.error = str(exc)
    finally:
        after()


def _releasing(ingest: Ingest) -> Ingest:
    """`ingest`, then what embedding freed goes back to the system (rag.interfaces.allocator)."""

    def run(statements: Sequence[Statement], progress: Callable[[int], None]) -> IngestReport:
        try:
            return ingest(statements, progress)
        finally:
            allocator.release()

    return run


MAX_HEAD_BYTES = 16 * 1024
"""A request's line and headers together, at most (h11's own default)."""


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How uvicorn serves the app.

    X-Forwarded-For and -Proto are believed only from the proxies in RAG_TRUSTED_PROXIES
    (uvicorn's own default believes 127.0.0.1, so any local client could choose the address
    it is rate-limited as). HTTP is parsed by h11, which refuses a request head over
    MAX_HEAD_BYTES; httptools, uvicorn's choice when installed, took a 200 MB header whole
    (docs/reliability.md). No `server` header."""
    proxies = list(settings.trusted_proxies)
    return {
        "host": settings.host,
        "port": settings.port,
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies or None,
        "http": "h11",
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
        "server_header": False,
    }


def create_app(service: Service, after_warm_up: Callable[[], None] = lambda: None) -> FastAPI:
    """The app; `after_warm_up` runs when the warm-up (model and index) has ended."""
    mcp = build_server(service)
    mcp_app = http_app(mcp, service.settings.max_body_bytes)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        warm = threading.Thread(
            target=_warm, args=(service, app.state.warm, after_warm_up), daemon=True
        )
        warm.start()
        async with mcp.session_manager.run():
            yield
        service.stop_following()
        service.persist_index()

    app = FastAPI(
        title="Statements QA",
        version="0.1.0",
        summary="Answers about official statements, with citations verified against the text.",
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.warm = WarmUp()
    app.state.uploads = Jobs(_releasing(service.ingest))
    install_error_handlers(app)
    guard = install_security(app, service.settings)
    app.include_router(router)
    app.include_router(chat_router)
    app.include_router(uploads_router)
    install_slack(app, service, service.settings)  # when SLACK_SIGNING_SECRET is set
    install_discord(app, service, service.settings)  # when DISCORD_PUBLIC_KEY is set
    # its route itself: a mount would answer other 404s
    app.router.routes.extend(guard_mcp(mcp_app.routes, guard, service.settings))
    install_web(app)
    return app
