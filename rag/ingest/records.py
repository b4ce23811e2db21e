"""One record (a JSON object or front matter plus body) -> one validated Statement."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from rag.errors import IngestError
from rag.text.encoding import SURROGATE_HINT, surrogate_problem
from rag.types import DateSpan, Scalar, Statement

log = logging.getLogger(__name__)

_CORE_FIELDS = ("id", "text", "title", "speaker", "date", "source_url")
MAX_ID_LENGTH = 512
MAX_FIELD_CHARS = 2000
"""Title, speaker and source URL: six times the longest in the real corpora (a 331-character
title); the text has its own limit (RAG_MAX_STATEMENT_CHARS)."""
MAX_METADATA_FIELDS = 100
MAX_METADATA_NAME_CHARS = 100
MAX_METADATA_CHARS = 10_000
_DOT_SEGMENTS = (".", "..")
"""Path segments every HTTP client removes from a URL: an id made of them could be stored
but never read back through GET /v1/statements/{id}."""


def _optional_str(
    record: Mapping[str, Any], key: str, origin: str, max_chars: int | None = MAX_FIELD_CHARS
) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise IngestError(
            f"{origin}: field '{key}' must be text, got {type(value).__name__}", field=key
        )
    text = str(value).strip()
    if max_chars is not None and len(text) > max_chars:
        raise IngestError(
            f"{origin}: field '{key}' is {len(text):,} characters; the limit is {max_chars:,}",
            field=key,
        )
    return text or None


def _check_encodable(record: Mapping[str, Any], origin: str) -> None:
    """Every key and text value can be stored as UTF-8 (no lone surrogates from JSON)."""
    for key, value in record.items():
        name = str(key)
        problem = surrogate_problem(name)
        if problem:
            raise IngestError(f"{origin}: a field name {problem}", hint=SURROGATE_HINT)
        problem = surrogate_problem(value) if isinstance(value, str) else None
        if problem:
            raise IngestError(
                f"{origin}: field '{name}' {problem}", field=name, hint=SURROGATE_HINT
            )


def _check_id(statement_id: str, origin: str) -> None:
    if len(statement_id) > MAX_ID_LENGTH or any(ord(c) < 32 for c in statement_id):
        raise IngestError(
            f"{origin}: 'id' must be at most {MAX_ID_LENGTH} printable characters", field="id"
        )
    if any(segment in _DOT_SEGMENTS for segment in statement_id.split("/")):
        raise IngestError(
            f"{origin}: 'id' {statement_id!r} has a '.' or '..' part, which no URL can reach",
            field="id",
            hint="use letters, digits and - _ . / but not . or .. between slashes",
        )


def _date(record: Mapping[str, Any], origin: str) -> DateSpan | None:
    """`date` as an ISO date or a year; a bare `year` field counts when `date` is absent."""
    value = record.get("date")
    key = "date"
    if value in (None, "") and record.get("year") not in (None, ""):
        value, key = record["year"], "year"
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | dt.date):
        raise IngestError(
            f"{origin}: field '{key}' must be an ISO date or a year, got {_shown(value)}",
            field=key,
        )
    try:
        return DateSpan.parse(value)
    except ValueError as exc:
        raise IngestError(
            f"{origin}: field '{key}' is not a date: {_shown(value)}",
            field=key,
            hint="use an ISO date such as 2023-10-03, or a year such as 2023",
        ) from exc


def _shown(value: object, at_most: int = 40) -> str:
    """A value as an error repeats it: never more than `at_most` characters of it."""
    text = repr(value)
    return text if len(text) <= at_most else f"{text[: at_most - 1]}…"


def _metadata(record: Mapping[str, Any], origin: str) -> dict[str, Scalar]:
    extra: dict[str, Scalar] = {}
    for key, value in record.items():
        if key in _CORE_FIELDS:
            continue
        if len(str(key)) > MAX_METADATA_NAME_CHARS:
            raise IngestError(
                f"{origin}: a field name is {len(str(key)):,} characters; the limit is "
                f"{MAX_METADATA_NAME_CHARS}"
            )
        if isinstance(value, str) and len(value) > MAX_METADATA_CHARS:
            raise IngestError(
                f"{origin}: field '{key}' is {len(value):,} characters; the limit is "
                f"{MAX_METADATA_CHARS:,} for a metadata field",
                field=str(key),
            )
        if isinstance(value, str | int | float | bool):
            extra[str(key)] = value
        elif isinstance(value, dt.date):
            extra[str(key)] = value.isoformat()
        elif value is not None:
            log.debug("dropping non-scalar field %r", key)
    if len(extra) > MAX_METADATA_FIELDS:
        raise IngestError(
            f"{origin}: {len(extra)} metadata fields; the limit is {MAX_METADATA_FIELDS}",
            hint="keep the fields a statement is searched or shown by",
        )
    return extra


def statement_from_record(record: Any, origin: str, default_id: str | None = None) -> Statement:
    """Validate one record. `default_id` is used when the record has no `id`."""
    if not isinstance(record, Mapping):
        raise IngestError(
            f"{origin}: expected a JSON object with 'id' and 'text', got {type(record).__name__}",
            hint='write each statement as {"id": "...", "text": "..."}',
        )
    _check_encodable(record, origin)
    statement_id = _optional_str(record, "id", origin, max_chars=None) or default_id
    if not statement_id:
        raise IngestError(
            f"{origin}: record has no 'id'", field="id", hint="give every record an 'id' field"
        )
    _check_id(statement_id, origin)
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise IngestError(
            f"{origin}: record {statement_id!r} has no 'text'",
            field="text",
            hint="every statement needs a non-empty 'text' field",
        )
    if "\x00" in text:
        raise IngestError(
            f"{origin}: record {statement_id!r} contains NUL bytes; is it binary?", field="text"
        )
    return Statement(
        id=statement_id,
        text=text,
        title=_optional_str(record, "title", origin),
        speaker=_optional_str(record, "speaker", origin),
        date=_date(record, origin),
        source_url=_optional_str(record, "source_url", origin),
        metadata=_metadata(record, origin),
        origin=origin,
    )


def unique_statements(statements: Iterable[Statement]) -> list[Statement]:
    """Drop exact repeats of a statement; the same id with other content is an error."""
    seen: dict[str, Statement] = {}
    for statement in statements:
        earlier = seen.get(statement.id)
        if earlier is None:
            seen[statement.id] = statement
        elif earlier != replace(statement, origin=earlier.origin):
            raise IngestError(
                f"{statement.origin}: id {statement.id!r} was already used with other content "
                f"at {earlier.origin}",
                hint="statement ids must be unique",
            )
    return list(seen.values())
