"""The one place where errors become HTTP responses: JSON bodies, never stack traces.

Under the OpenAI-compatible routes (/v1/chat/..., /v1/models) the body has OpenAI's shape,
`{"error": {"message", "type", "param", "code"}}`, and invalid input is a 400, so OpenAI
clients raise their own exceptions; elsewhere it is `ErrorOut`. A 401 carries
`WWW-Authenticate: Bearer`, a 429 `Retry-After`.
"""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from rag.errors import (
    AccessError,
    ConfigError,
    EmbeddingError,
    ForbiddenError,
    InputError,
    LLMError,
    NotFoundError,
    RagError,
    RateLimitedError,
    StoreError,
    TooLargeError,
    UnauthenticatedError,
)
from rag.interfaces.api.openai_schemas import OpenAIErrorDetail, OpenAIErrorOut
from rag.interfaces.output import ErrorOut
from rag.text.encoding import SURROGATE_HINT

log = logging.getLogger(__name__)

_STATUS: list[tuple[type[RagError], int, str]] = [
    (UnauthenticatedError, 401, "unauthenticated"),
    (ForbiddenError, 403, "forbidden"),
    (AccessError, 403, "forbidden"),
    (RateLimitedError, 429, "rate_limited"),
    (NotFoundError, 404, "not_found"),
    (TooLargeError, 413, "too_large"),
    (InputError, 422, "invalid_input"),
    (StoreError, 503, "store_unavailable"),
    (EmbeddingError, 503, "embedding_unavailable"),
    (LLMError, 502, "llm_failed"),
    (ConfigError, 500, "misconfigured"),
]


_UNAVAILABLE = {
    "store_unavailable": "the statement store is unavailable; the server log says why",
    "embedding_unavailable": "the embedding model is unavailable; the server log says why",
}
OPENAI_PATHS = ("/v1/chat/", "/v1/models")
MAX_FIELD_NAME = 100


class HTTPError(StarletteHTTPException):
    """An error raised while FastAPI reads a body, where anything but an HTTPException
    becomes a generic 400: it keeps its own status and body."""

    def __init__(self, status: int, body: ErrorOut) -> None:
        super().__init__(status, body.message)
        self.body = body


class _ErrorJSON(JSONResponse):
    """JSON with non-ASCII escaped: whatever an error repeats, its body can be sent."""

    def render(self, content: object) -> bytes:
        return json.dumps(content, separators=(",", ":")).encode("ascii")


def _json(status: int, body: ErrorOut) -> JSONResponse:
    return _ErrorJSON(status_code=status, content=body.model_dump(exclude_none=True))


def openai_error(status: int, body: ErrorOut) -> tuple[int, OpenAIErrorOut]:
    """An error in OpenAI's shape: what its clients read (and raise) from a response."""
    status = 400 if status == 422 else status
    message = f"{body.message} ({body.hint})" if body.hint else body.message
    kind = "invalid_request_error" if status < 500 else "server_error"
    detail = OpenAIErrorDetail(message=message, type=kind, param=body.field, code=body.error)
    return status, OpenAIErrorOut(error=detail)


def _respond(
    request: Request, status: int, body: ErrorOut, headers: dict[str, str] | None = None
) -> JSONResponse:
    if not request.url.path.startswith(OPENAI_PATHS):
        response = _json(status, body)
    else:
        status, shaped = openai_error(status, body)
        response = _ErrorJSON(status_code=status, content=shaped.model_dump())
    response.headers.update(headers or {})
    return response


def error_response(request: Request, exc: Exception) -> JSONResponse:
    """The response an error becomes, headers included; also for code outside the routes
    (the MCP endpoint's key check, the body-size check)."""
    if isinstance(exc, HTTPError):
        return _respond(request, exc.status_code, exc.body)
    headers: dict[str, str] = {}
    if isinstance(exc, UnauthenticatedError):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, RateLimitedError):
        headers["Retry-After"] = str(exc.retry_after)
    return _respond(request, *classify(exc), headers)


def _unreadable(exc: StarletteHTTPException) -> ErrorOut | None:
    """What FastAPI's generic 400 "error parsing the body" was, said plainly."""
    cause = exc.__cause__
    if isinstance(cause, UnicodeDecodeError):
        return ErrorOut(
            error="invalid_encoding",
            message=f"the request body is not UTF-8 (byte {cause.start})",
            field="body",
            hint="send JSON encoded as UTF-8",
        )
    if isinstance(cause, RecursionError):
        return ErrorOut(
            error="invalid_json",
            message="the request body's JSON is nested too deeply",
            field="body",
            hint="requests need only a few levels of nesting",
        )
    if cause is not None:
        return ErrorOut(
            error="invalid_json",
            message="the request body cannot be read as JSON",
            field="body",
            hint="send a JSON object with Content-Type: application/json",
        )
    return None


def _field(loc: tuple[int | str, ...]) -> str:
    """A field's path (`filters.speaker`), as long as a name can sensibly be: an unknown
    field's name is the sender's, and is not repeated at any length. Pydantic's names for
    the members of a union (`function-after[...]`) are no part of it."""
    parts = [
        str(p)
        for p in loc
        if p not in ("body", "query", "path") and not (isinstance(p, str) and "[" in p)
    ]
    field = ".".join(parts) or "body"
    return field if len(field) <= MAX_FIELD_NAME else f"{field[: MAX_FIELD_NAME - 1]}…"


def classify(exc: Exception) -> tuple[int, ErrorOut]:
    """The status and body an error becomes; also what a stream sends when it fails midway."""
    if not isinstance(exc, RagError):
        log.error("unexpected error", exc_info=exc)
        return 500, ErrorOut(
            error="internal", message="an unexpected error occurred; it has been logged"
        )
    status, kind = next(((s, k) for t, s, k in _STATUS if isinstance(exc, t)), (500, "error"))
    if status >= 500:
        log.error("%s: %s", kind, exc, exc_info=exc.__cause__)
    field = getattr(exc, "field", None)
    # A dependency's own words (paths, hosts, versions) stay in the log.
    message = _UNAVAILABLE.get(kind, exc.message)
    return status, ErrorOut(error=kind, message=message, field=field, hint=exc.hint)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RagError)
    async def rag_error(request: Request, exc: RagError) -> JSONResponse:
        return error_response(request, exc)

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
        message, hint = first.get("msg", "invalid"), "see the request schema at /docs"
        if first.get("type") == "string_unicode":  # the JSON parser met a lone surrogate
            message, hint = "contains a lone UTF-16 surrogate, which is not text", SURROGATE_HINT
        return _respond(
            request,
            422,
            ErrorOut(
                error="invalid_input",
                message=f"{field}: {message}{more}",
                field=field,
                hint=hint,
            ),
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc, HTTPError):
            return error_response(request, exc)
        unreadable = _unreadable(exc) if exc.status_code == 400 else None
        if unreadable is not None:
            return _respond(request, 400, unreadable)
        kind = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
            exc.status_code, "http_error"
        )
        # Starlette's own headers stay (a 405 names the allowed methods in Allow).
        body = ErrorOut(error=kind, message=str(exc.detail))
        return _respond(request, exc.status_code, body, dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return _respond(
            request,
            500,
            ErrorOut(error="internal", message="an unexpected error occurred; it has been logged"),
        )
