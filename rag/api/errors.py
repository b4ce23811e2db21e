"""The one place where errors become HTTP responses: JSON bodies, never stack traces."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from rag.api.schemas import ErrorOut
from rag.errors import (
    ConfigError,
    EmbeddingError,
    InputError,
    LLMError,
    NotFoundError,
    RagError,
    StoreError,
    TooLargeError,
)

log = logging.getLogger(__name__)

_STATUS: list[tuple[type[RagError], int, str]] = [
    (NotFoundError, 404, "not_found"),
    (TooLargeError, 413, "too_large"),
    (InputError, 422, "invalid_input"),
    (StoreError, 503, "store_unavailable"),
    (EmbeddingError, 503, "embedding_unavailable"),
    (LLMError, 502, "llm_failed"),
    (ConfigError, 500, "misconfigured"),
]


def _json(status: int, body: ErrorOut) -> JSONResponse:
    return JSONResponse(status_code=status, content=body.model_dump(exclude_none=True))


def _field(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


def classify(exc: Exception) -> tuple[int, ErrorOut]:
    """The status and body an error becomes; also what a stream sends when it fails midway."""
    if not isinstance(exc, RagError):
        log.error("unexpected error", exc_info=exc)
        return 500, ErrorOut(
            error="internal", message="an unexpected error occurred; it has been logged"
        )
    status, kind = next(((s, k) for t, s, k in _STATUS if isinstance(exc, t)), (500, "error"))
    if status >= 500:
        log.error("%s: %s", kind, exc)
    field = getattr(exc, "field", None)
    return status, ErrorOut(error=kind, message=exc.message, field=field, hint=exc.hint)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RagError)
    async def rag_error(_: Request, exc: RagError) -> JSONResponse:
        return _json(*classify(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return _json(
                400,
                ErrorOut(
                    error="invalid_json",
                    message="the request body is not valid JSON",
                    hint="send a JSON object with Content-Type: application/json",
                ),
            )
        first = errors[0] if errors else {"loc": ("body",), "msg": "invalid request"}
        field = _field(tuple(first.get("loc", ())))
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        return _json(
            422,
            ErrorOut(
                error="invalid_input",
                message=f"{field}: {first.get('msg', 'invalid')}{more}",
                field=field,
                hint="see the request schema at /docs",
            ),
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        kind = "not_found" if exc.status_code == 404 else "http_error"
        return _json(exc.status_code, ErrorOut(error=kind, message=str(exc.detail)))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return _json(
            500,
            ErrorOut(error="internal", message="an unexpected error occurred; it has been logged"),
        )
