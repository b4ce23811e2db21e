"""One record (a JSON object or front matter plus body) -> one validated Statement."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from rag.errors import IngestError
from rag.types import DateSpan, Scalar, Statement

log = logging.getLogger(__name__)

_CORE_FIELDS = ("id", "text", "title", "speaker", "date", "source_url")
MAX_ID_LENGTH = 512


def _optional_str(record: Mapping[str, Any], key: str, origin: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise IngestError(f"{origin}: field '{key}' must be text, got {type(value).__name__}")
    text = str(value).strip()
    return text or None


def _date(record: Mapping[str, Any], origin: str) -> DateSpan | None:
    """`date` as an ISO date or a year; a bare `year` field counts when `date` is absent."""
    value = record.get("date")
    key = "date"
    if value in (None, "") and record.get("year") not in (None, ""):
        value, key = record["year"], "year"
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | dt.date):
        raise IngestError(f"{origin}: field '{key}' must be an ISO date or a year, got {value!r}")
    try:
        return DateSpan.parse(value)
    except ValueError as exc:
        raise IngestError(
            f"{origin}: field '{key}' is not a date: {value!r}",
            hint="use an ISO date such as 2023-10-03, or a year such as 2023",
        ) from exc


def _metadata(record: Mapping[str, Any]) -> dict[str, Scalar]:
    extra: dict[str, Scalar] = {}
    for key, value in record.items():
        if key in _CORE_FIELDS:
            continue
        if isinstance(value, str | int | float | bool):
            extra[str(key)] = value
        elif isinstance(value, dt.date):
            extra[str(key)] = value.isoformat()
        elif value is not None:
            log.debug("dropping non-scalar field %r", key)
    return extra


def statement_from_record(record: Any, origin: str, default_id: str | None = None) -> Statement:
    """Validate one record. `default_id` is used when the record has no `id`."""
    if not isinstance(record, Mapping):
        raise IngestError(
            f"{origin}: expected a JSON object with 'id' and 'text', got {type(record).__name__}",
            hint='write each statement as {"id": "...", "text": "..."}',
        )
    statement_id = _optional_str(record, "id", origin) or default_id
    if not statement_id:
        raise IngestError(f"{origin}: record has no 'id'", hint="give every record an 'id' field")
    if len(statement_id) > MAX_ID_LENGTH or any(ord(c) < 32 for c in statement_id):
        raise IngestError(f"{origin}: 'id' must be at most {MAX_ID_LENGTH} printable characters")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise IngestError(
            f"{origin}: record {statement_id!r} has no 'text'",
            hint="every statement needs a non-empty 'text' field",
        )
    if "\x00" in text:
        raise IngestError(f"{origin}: record {statement_id!r} contains NUL bytes; is it binary?")
    return Statement(
        id=statement_id,
        text=text,
        title=_optional_str(record, "title", origin),
        speaker=_optional_str(record, "speaker", origin),
        date=_date(record, origin),
        source_url=_optional_str(record, "source_url", origin),
        metadata=_metadata(record),
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
