"""Thin routes: parse, call the service, translate. Sync functions run in the threadpool,
so model and store work never blocks the event loop."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from rag.errors import InputError
from rag.ingest import statement_from_record
from rag.ingest.reading import check_statement_sizes
from rag.ingest.records import MAX_ID_LENGTH
from rag.interfaces import allocator
from rag.interfaces.api import streaming
from rag.interfaces.api.schemas import AskIn, QuestionIn, StatementIn, StatementsIn
from rag.interfaces.api.security import ADMIN, READ
from rag.interfaces.limits import check_batch
from rag.interfaces.output import (
    AnswerOut,
    ErrorOut,
    IngestOut,
    QuoteOut,
    QuotesOut,
    SearchOut,
    SpeakerOut,
    SpeakersOut,
    StatementInfoOut,
    StatementListOut,
    StatementOut,
    StatsOut,
)
from rag.service import Service
from rag.types import Query as DomainQuery
from rag.types import Statement

log = logging.getLogger(__name__)
StatementIdPath = Annotated[str, Path(max_length=MAX_ID_LENGTH)]

_ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorOut} for code in (400, 401, 403, 404, 413, 422, 429, 502, 503)
}
router = APIRouter(responses=_ERRORS)


def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]


def _query(service: Service, body: QuestionIn) -> DomainQuery:
    filters = body.filters.to_domain() if body.filters else None
    return service.query(body.question, body.k, filters)


@router.post(
    "/v1/ask",
    response_model=AnswerOut,
    dependencies=READ,
    tags=["questions"],
    responses={200: {"content": {streaming.MEDIA_TYPE: {}}}},
)
def ask(body: AskIn, service: ServiceDep) -> AnswerOut | StreamingResponse:
    """Answer from the statements, with verified citations, or say they don't say.

    With `"stream": true`, server-sent events: `retrieval` (the passages, as soon as they
    are found), `delta` (pieces of the answer text), `answer` (this route's JSON), `done`;
    `error` in place of the rest if answering fails."""
    query = _query(service, body)
    if body.stream:
        return StreamingResponse(
            streaming.ask_events(service, query),
            media_type=streaming.MEDIA_TYPE,
            headers=streaming.HEADERS,
        )
    return AnswerOut.of(service.ask(query))


@router.post("/v1/search", response_model=SearchOut, tags=["questions"], dependencies=READ)
def search(body: QuestionIn, service: ServiceDep) -> SearchOut:
    """Ranked passages for a question, with their statements' metadata and offsets."""
    return SearchOut.of(service.search(_query(service, body)))


@router.post("/v1/statements", response_model=IngestOut, tags=["statements"], dependencies=ADMIN)
def add_statements(body: StatementsIn, service: ServiceDep) -> IngestOut:
    """Ingest statements (an admin key). Unchanged ones are skipped; changed ones replace
    their old version."""
    check_batch(len(body.statements), service.settings.max_batch_statements)
    max_chars = service.settings.max_statement_chars
    statements = [_statement(s, i, max_chars) for i, s in enumerate(body.statements)]
    try:
        return IngestOut.of(service.ingest(statements))
    finally:
        allocator.release()  # what embedding freed goes back to the system


def _statement(record: StatementIn, index: int, max_chars: int) -> Statement:
    """One record as a statement, checked as a file's would be; an error names its field
    as `statements.<index>.<field>`."""
    where = f"statements.{index}"
    try:
        statement = statement_from_record(record.model_dump(exclude_none=True), where)
        [sized] = check_statement_sizes([statement], max_chars)
    except InputError as exc:  # a TooLargeError stays a 413
        field = f"{where}.{exc.field}" if exc.field else where
        raise type(exc)(exc.message, field=field, hint=exc.hint) from exc
    return sized


@router.get(
    "/v1/statements", response_model=StatementListOut, tags=["statements"], dependencies=READ
)
def list_statements(
    service: ServiceDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> StatementListOut:
    page = service.list_statements(offset, limit)
    return StatementListOut(
        statements=[StatementInfoOut.of(i) for i in page.statements],
        total=page.total,
        offset=page.offset,
        limit=page.limit,
    )


@router.get(
    "/v1/statements/{statement_id:path}",
    response_model=StatementOut,
    tags=["statements"],
    dependencies=READ,
)
def get_statement(statement_id: StatementIdPath, service: ServiceDep) -> StatementOut:
    return StatementOut.of_stored(service.get_statement(statement_id))


@router.delete("/v1/statements/{statement_id:path}", tags=["statements"], dependencies=ADMIN)
def delete_statement(statement_id: StatementIdPath, service: ServiceDep) -> dict[str, str]:
    service.delete(statement_id)
    return {"deleted": statement_id}


@router.get("/v1/speakers", response_model=SpeakersOut, tags=["statements"], dependencies=READ)
def speakers(
    service: ServiceDep,
    q: Annotated[str | None, Query(max_length=200, description="Filter by name")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 100,
) -> SpeakersOut:
    """The speaker index: each person's canonical name, aliases and counts."""
    entries = service.speakers(q)
    return SpeakersOut(
        speakers=[SpeakerOut.of(e) for e in entries[:limit]],
        total=len(entries),
    )


@router.get("/v1/quotes", response_model=QuotesOut, tags=["questions"], dependencies=READ)
def quotes(
    service: ServiceDep,
    speaker: Annotated[str | None, Query(max_length=200, description="Who said it")] = None,
    q: Annotated[str | None, Query(max_length=500, description="What it is about")] = None,
    since: Annotated[dt.date | None, Query(description="Earliest date, YYYY-MM-DD")] = None,
    until: Annotated[dt.date | None, Query(description="Latest date, YYYY-MM-DD")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> QuotesOut:
    """Direct quotations with who said them, where and when; exact offsets in the statement."""
    found = service.quotes(speaker, q, since, until, limit)
    return QuotesOut(quotes=[QuoteOut.of(x) for x in found], total=len(found))


@router.get("/v1/timeline", response_model=AnswerOut, tags=["questions"], dependencies=READ)
def timeline(
    service: ServiceDep,
    speaker: Annotated[str | None, Query(max_length=200, description="Whose statements")] = None,
    topic: Annotated[str | None, Query(max_length=500, description="About what")] = None,
    since: Annotated[dt.date | None, Query()] = None,
    until: Annotated[dt.date | None, Query()] = None,
) -> AnswerOut:
    """The relevant statements in date order, one cited line each (in `timeline`)."""
    return AnswerOut.of(service.timeline(service.timeline_query(speaker, topic, since, until)))


@router.get("/v1/stats", response_model=StatsOut, tags=["statements"], dependencies=READ)
def stats(service: ServiceDep) -> StatsOut:
    return StatsOut.of(service.stats())


@router.get("/healthz", tags=["health"])
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", tags=["health"])
def readyz(request: Request) -> JSONResponse:
    """Ready once the embedding model is loaded and the store answers."""
    warm = request.app.state.warm
    if warm.error:
        return JSONResponse({"status": "failed", "hint": _IN_THE_LOG}, status_code=503)
    if not warm.done:
        return JSONResponse({"status": "loading"}, status_code=503)
    try:
        request.app.state.service.ping()
    except Exception as exc:  # the store is a remote dependency: report, don't crash
        log.warning("readyz: the store does not answer: %s", exc)
        return JSONResponse({"status": "store_unavailable", "hint": _IN_THE_LOG}, status_code=503)
    encoder = request.app.state.service.encoder_description
    return JSONResponse({"status": "ready", "encoder": encoder})


_IN_THE_LOG = "the server log says why"
