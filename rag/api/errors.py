"""The one place where errors become HTTP responses: JSON bodies, never stack traces.

Under the OpenAI-compatible routes (/v1/chat/..., /v1/models) the body has OpenAI's shape,
`{"error": {"message", "type", "param", "code"}}`, and invalid input is a 400, so OpenAI
clients raise their own exceptions; elsewhere it is `ErrorOut`.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from rag.api.openai_schemas import OpenAIErrorDetail, OpenAIErrorOut
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


OPENAI_PATHS = ("/v1/chat/", "/v1/models")


def _json(status: int, body: ErrorOut) -> JSONResponse:
    return JSONResponse(status_code=status, content=body.model_dump(exclude_none=True))


def openai_error(status: int, body: ErrorOut) -> tuple[int, OpenAIErrorOut]:
    """An error in OpenAI's shape: what its clients read (and raise) from a response."""
    status = 400 if status == 422 else status
    message = f"{body.message} ({body.hint})" if body.hint else body.message
    kind = "invalid_request_error" if status < 500 else "server_error"
    detail = OpenAIErrorDetail(message=message, type=kind, param=body.field, code=body.error)
    return status, OpenAIErrorOut(error=detail)


def _respond(request: Request, status: int, body: ErrorOut) -> JSONResponse:
    if not request.url.path.startswith(OPENAI_PATHS):
        return _json(status, body)
    status, shaped = openai_error(status, body)
    return JSONResponse(status_code=status, content=shaped.model_dump())


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
    async def rag_error(request: Request, exc: RagError) -> JSONResponse:
        return _respond(request, *classify(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return _respond(
                request,
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
        return _respond(
            request,
            422,
            ErrorOut(
                error="invalid_input",
                message=f"{field}: {first.get('msg', 'invalid')}{more}",
                field=field,
                hint="see the request schema at /docs",
            ),
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        kind = "not_found" if exc.status_code == 404 else "http_error"
        return _respond(request, exc.status_code, ErrorOut(error=kind, message=str(exc.detail)))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return _respond(
            request,
            500,
            ErrorOut(error="internal", message="an unexpected error occurred; it has been logged"),
        )
