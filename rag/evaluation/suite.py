"""An eval suite: a JSONL file of cases in the fixed format described in evals/README.md,
or a feedback log from the chat apps (rag.evaluation.feedback), read as the cases its 👍
verdicts make."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.errors import InputError
from rag.evaluation.feedback import is_feedback, suite_records
from rag.types import Filters


@dataclass(frozen=True, slots=True)
class ReadingLabel:
    """How a question should be read (the reading suite, evals/README.md)."""

    speakers: tuple[str, ...]
    countries: tuple[str, ...]
    since: dt.date | None
    until: dt.date | None
    event_years: tuple[int, ...]
    topic_people: tuple[str, ...]
    decline_must_name: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EvalCase:
    id: str
    question: str
    answerable: bool
    gold_doc_ids: tuple[str, ...]
    must_include: tuple[str, ...]
    reference_answer: str | None
    gold_quotes: tuple[str, ...]
    filters: Filters
    reading: ReadingLabel | None = None


@dataclass(frozen=True, slots=True)
class Suite:
    name: str
    path: Path
    sha256: str
    cases: tuple[EvalCase, ...]
    note: str = ""
    """What reading it left out (a feedback log's 👎 verdicts)."""


def _strings(value: Any, field: str, origin: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{origin}: '{field}' must be a list of strings", field=field)
    return tuple(value)


def _date(value: Any, field: str, origin: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise InputError(f"{origin}: {field} is not a date: {value!r}") from exc


def _filters(value: Any, origin: str) -> Filters:
    if value is None:
        return Filters()
    if not isinstance(value, dict):
        raise InputError(f"{origin}: 'filters' must be an object")
    unknown = set(value) - {"speaker", "since", "until", "statement_ids"}
    if unknown:
        raise InputError(f"{origin}: unknown filters {sorted(unknown)}")
    return Filters(
        speaker=value.get("speaker") or None,
        since=_date(value.get("since"), "filters.since", origin),
        until=_date(value.get("until"), "filters.until", origin),
        statement_ids=_strings(value.get("statement_ids"), "filters.statement_ids", origin),
    )


def _reading(value: Any, origin: str) -> ReadingLabel | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InputError(f"{origin}: 'reading' must be an object", field="reading")
    years = value.get("event_years") or []
    if not isinstance(years, list) or not all(isinstance(y, int) for y in years):
        raise InputError(f"{origin}: reading.event_years must be a list of years")
    return ReadingLabel(
        speakers=_strings(value.get("speakers"), "reading.speakers", origin),
        countries=_strings(value.get("countries"), "reading.countries", origin),
        since=_date(value.get("since"), "reading.since", origin),
        until=_date(value.get("until"), "reading.until", origin),
        event_years=tuple(years),
        topic_people=_strings(value.get("topic_people"), "reading.topic_people", origin),
        decline_must_name=_strings(
            value.get("decline_must_name"), "reading.decline_must_name", origin
        ),
    )


def _case(record: Any, origin: str) -> EvalCase:
    if not isinstance(record, dict):
        raise InputError(f"{origin}: a case must be a JSON object")
    for field, kind in (("id", str), ("question", str), ("answerable", bool)):
        if not isinstance(record.get(field), kind):
            raise InputError(f"{origin}: '{field}' is required ({kind.__name__})", field=field)
    gold = _strings(record.get("gold_doc_ids"), "gold_doc_ids", origin)
    if record["answerable"] and not gold:
        raise InputError(f"{origin}: an answerable case needs gold_doc_ids")
    if not record["answerable"] and gold:
        raise InputError(f"{origin}: an unanswerable case must have empty gold_doc_ids")
    reference = record.get("reference_answer")
    return EvalCase(
        id=record["id"],
        question=record["question"],
        answerable=record["answerable"],
        gold_doc_ids=gold,
        must_include=tuple(
            s.lower() for s in _strings(record.get("must_include"), "must_include", origin)
        ),
        reference_answer=reference if isinstance(reference, str) else None,
        gold_quotes=_strings(record.get("gold_quotes"), "gold_quotes", origin),
        filters=_filters(record.get("filters"), origin),
        reading=_reading(record.get("reading"), origin),
    )


def load_suite(path: Path) -> Suite:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the suite {path}: {exc}") from exc
    records: list[tuple[str, Any]] = []
    for lineno, line in enumerate(raw.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        origin = f"{path}:{lineno}"
        try:
            records.append((origin, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise InputError(f"{origin}: invalid JSON ({exc.msg})") from exc
    note = ""
    if records and all(is_feedback(record) for _, record in records):
        made, left_out = suite_records(record for _, record in records)
        records = [(f"{path} ({case['id']})", case) for case in made]
        note = f"from feedback: {len(made)} cases from 👍; {left_out} questions left out (👎)"
    cases: list[EvalCase] = []
    seen: set[str] = set()
    for origin, record in records:
        case = _case(record, origin)
        if case.id in seen:
            raise InputError(f"{origin}: duplicate case id {case.id!r}")
        seen.add(case.id)
        cases.append(case)
    if not cases:
        raise InputError(f"the suite {path} has no cases")
    name = path.name.removesuffix(".jsonl")
    return Suite(name, path, hashlib.sha256(raw).hexdigest(), tuple(cases), note)
