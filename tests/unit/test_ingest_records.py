"""rag/ingest/records.py: one record -> one validated Statement; duplicates across files."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Any

import pytest

from rag.errors import IngestError
from rag.ingest import statement_from_record, unique_statements
from rag.types import Statement

ORIGIN = "calls.jsonl:7"


def _record(**fields: Any) -> dict[str, Any]:
    return {"id": "ruto-rubio", "text": "Ruto spoke with Rubio about Haiti.", **fields}


def test_core_fields_are_read_and_trimmed() -> None:
    statement = statement_from_record(
        _record(
            title="  President Ruto on his call  ",
            speaker="William Ruto",
            date="2025-03-04",
            source_url="https://example.org/ruto",
        ),
        ORIGIN,
    )

    assert statement == Statement(
        id="ruto-rubio",
        text="Ruto spoke with Rubio about Haiti.",
        title="President Ruto on his call",
        speaker="William Ruto",
        date=statement.date,
        source_url="https://example.org/ruto",
        metadata={},
        origin=ORIGIN,
    )
    assert statement.date is not None and statement.date.first == dt.date(2025, 3, 4)


def test_text_is_kept_exactly() -> None:
    text = "  Ruto spoke.\n\nRubio listened.  \n"
    assert statement_from_record(_record(text=text), ORIGIN).text == text


def test_blank_optional_fields_become_none() -> None:
    statement = statement_from_record(_record(title="", speaker="  ", source_url=None), ORIGIN)
    assert (statement.title, statement.speaker, statement.source_url) == (None, None, None)


def test_numeric_ids_are_text() -> None:
    assert statement_from_record(_record(id=42), ORIGIN).id == "42"


def test_the_default_id_is_used_only_when_the_record_has_none() -> None:
    assert statement_from_record(_record(), ORIGIN, "calls:7").id == "ruto-rubio"
    assert statement_from_record(_record(id=None), ORIGIN, "calls:7").id == "calls:7"
    assert statement_from_record(_record(id=" "), ORIGIN, "calls:7").id == "calls:7"


def test_a_record_without_id_and_no_default_is_an_error() -> None:
    with pytest.raises(IngestError) as error:
        statement_from_record({"text": "Ruto spoke."}, ORIGIN)

    assert error.value.message == f"{ORIGIN}: record has no 'id'"
    assert error.value.hint is not None and "'id'" in error.value.hint


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (["id", "text"], "expected a JSON object"),
        ("Ruto spoke.", "expected a JSON object"),
        (_record(id="x" * 513), "at most 512 printable characters"),
        (_record(id="line\nbreak"), "printable characters"),
        (_record(id=True), "field 'id' must be text"),
        (_record(id=["a"]), "field 'id' must be text"),
        (_record(title={"en": "Call"}), "field 'title' must be text"),
        (_record(speaker=False), "field 'speaker' must be text"),
        (_record(text=None), "has no 'text'"),
        (_record(text=42), "has no 'text'"),
        (_record(text=" \n "), "has no 'text'"),
        (_record(text="PNG\x00\x00data"), "NUL bytes"),
        (_record(date=True), "field 'date' must be an ISO date or a year"),
        (_record(date=2023.5), "field 'date' must be an ISO date or a year"),
        (_record(date="2023-13-01"), "field 'date' is not a date"),
        (_record(date="0000"), "field 'date' is not a date"),
        (_record(year="twenty"), "field 'year' is not a date"),
        (_record(id="."), "has a '.' or '..' part"),
        (_record(id=".."), "has a '.' or '..' part"),
        (_record(id="briefings/../secret"), "has a '.' or '..' part"),
        (_record(title="Call \ud800"), "field 'title' contains a lone UTF-16 surrogate"),
        (_record(text="Haiti \udfff."), "field 'text' contains a lone UTF-16 surrogate"),
        (_record(topic="\ud83d"), "field 'topic' contains a lone UTF-16 surrogate"),
        (_record(**{"\ud800": "x"}), "a field name contains a lone UTF-16 surrogate"),
        (_record(title="T" * 2001), "field 'title' is 2,001 characters; the limit is 2,000"),
        (_record(note="n" * 10_001), "field 'note' is 10,001 characters"),
        (_record(**{"n" * 101: 1}), "a field name is 101 characters"),
        (_record(**{f"f{i}": i for i in range(101)}), "101 metadata fields"),
        (_record(date="2" * 10_000), "field 'date' is not a date: '2222"),
    ],
)
def test_invalid_records_are_ingest_errors_with_their_origin(record: Any, message: str) -> None:
    with pytest.raises(IngestError) as error:
        statement_from_record(record, ORIGIN)

    assert error.value.message.startswith(f"{ORIGIN}: ")
    assert message in error.value.message
    assert len(error.value.message) < 200  # what was sent is never repeated at length


def test_a_surrogate_error_says_where_without_repeating_it() -> None:
    with pytest.raises(IngestError) as error:
        statement_from_record(_record(title="Ruto \ud800 call"), ORIGIN)
    assert error.value.message == (
        f"{ORIGIN}: field 'title' contains a lone UTF-16 surrogate (\\ud800) at character 6, "
        "which is not text"
    )
    assert error.value.field == "title"
    assert error.value.hint is not None and "UTF-8" in error.value.hint
    error.value.message.encode("utf-8")


def test_a_pair_of_surrogate_escapes_is_one_character_and_fine() -> None:
    statement = statement_from_record(_record(title=json.loads('"Haiti \\ud83c\\udded"')), ORIGIN)
    assert statement.title == "Haiti \U0001f1ed"


def test_ids_may_hold_dots_that_are_not_whole_parts() -> None:
    for ok in ("v1.2", ".hidden", "a/..b", "readouts/2024.01"):
        assert statement_from_record(_record(id=ok), ORIGIN).id == ok


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"date": "2023-10-03"}, ("2023-10-03", dt.date(2023, 10, 3), dt.date(2023, 10, 3))),
        (
            {"date": dt.date(2023, 10, 3)},
            ("2023-10-03", dt.date(2023, 10, 3), dt.date(2023, 10, 3)),
        ),
        (
            {"date": "2023-07-12 15:42:10-04:00"},
            ("2023-07-12", dt.date(2023, 7, 12), dt.date(2023, 7, 12)),
        ),
        ({"date": 2023}, ("2023", dt.date(2023, 1, 1), dt.date(2023, 12, 31))),
        ({"year": 2023}, ("2023", dt.date(2023, 1, 1), dt.date(2023, 12, 31))),
        ({"date": "", "year": "2024"}, ("2024", dt.date(2024, 1, 1), dt.date(2024, 12, 31))),
        (
            {"date": "2023-10-03", "year": 2020},
            ("2023-10-03", dt.date(2023, 10, 3), dt.date(2023, 10, 3)),
        ),
    ],
)
def test_dates_and_years(fields: dict[str, Any], expected: tuple[str, dt.date, dt.date]) -> None:
    date = statement_from_record(_record(**fields), ORIGIN).date

    assert date is not None
    assert (date.text, date.first, date.last) == expected


def test_no_date_is_none() -> None:
    assert statement_from_record(_record(date=None, year=""), ORIGIN).date is None


def test_a_bad_date_says_which_formats_work() -> None:
    with pytest.raises(IngestError) as error:
        statement_from_record(_record(date="3 Oct 2023"), ORIGIN)

    assert error.value.hint is not None and "2023-10-03" in error.value.hint


def test_extra_scalar_fields_are_metadata_and_others_are_dropped() -> None:
    statement = statement_from_record(
        _record(
            category="readout",
            session=78,
            score=0.5,
            official=True,
            published=dt.date(2023, 10, 4),
            year=2023,
            tags=["kenya", "haiti"],
            author={"name": "Press office"},
            empty=None,
        ),
        ORIGIN,
    )

    assert statement.metadata == {
        "category": "readout",
        "session": 78,
        "score": 0.5,
        "official": True,
        "published": "2023-10-04",
        "year": 2023,
    }


def test_core_fields_are_not_repeated_in_metadata() -> None:
    statement = statement_from_record(
        _record(title="T", speaker="S", date="2023", source_url="https://example.org"), ORIGIN
    )
    assert statement.metadata == {}


# Duplicates


def _statement(origin: str, **fields: Any) -> Statement:
    return statement_from_record(_record(**fields), origin)


def test_exact_repeats_are_dropped_keeping_the_first() -> None:
    first = _statement("a.jsonl:1")
    other = _statement("a.jsonl:2", id="other")
    repeat = _statement("b.jsonl:9")

    assert unique_statements([first, other, repeat]) == [first, other]


@pytest.mark.parametrize(
    "change",
    [{"text": "Ruto spoke with Rubio about the DRC."}, {"speaker": "William Ruto"}, {"tag": "x"}],
    ids=["text", "speaker", "metadata"],
)
def test_the_same_id_with_other_content_is_an_error_naming_both_origins(
    change: dict[str, Any],
) -> None:
    first = _statement("a.jsonl:1")
    clash = _statement("b/c.json[3]", **change)

    with pytest.raises(IngestError) as error:
        unique_statements([first, clash])

    assert "b/c.json[3]" in error.value.message
    assert "a.jsonl:1" in error.value.message
    assert "'ruto-rubio'" in error.value.message
    assert error.value.hint is not None


def test_unique_statements_keeps_order() -> None:
    statements = [_statement(f"f:{i}", id=f"s{i}") for i in (3, 1, 2)]
    assert unique_statements([*statements, replace(statements[0], origin="g:1")]) == statements
