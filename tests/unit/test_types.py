"""rag/types.py: DateSpan, the one domain object with behaviour of its own."""

from __future__ import annotations

import datetime as dt

import pytest

from rag.types import DateSpan, Filters

D = dt.date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-10-03", ("2023-10-03", D(2023, 10, 3), D(2023, 10, 3))),
        (" 2023-10-03 ", ("2023-10-03", D(2023, 10, 3), D(2023, 10, 3))),
        ("20231003", ("2023-10-03", D(2023, 10, 3), D(2023, 10, 3))),
        (D(2023, 10, 3), ("2023-10-03", D(2023, 10, 3), D(2023, 10, 3))),
        ("2023", ("2023", D(2023, 1, 1), D(2023, 12, 31))),
        (2024, ("2024", D(2024, 1, 1), D(2024, 12, 31))),
        ("2023-07-12 15:42:10-04:00", ("2023-07-12", D(2023, 7, 12), D(2023, 7, 12))),
        ("2023-07-12T15:42:10Z", ("2023-07-12", D(2023, 7, 12), D(2023, 7, 12))),
    ],
)
def test_parse(value: str | int | dt.date, expected: tuple[str, dt.date, dt.date]) -> None:
    span = DateSpan.parse(value)
    assert (span.text, span.first, span.last) == expected


@pytest.mark.parametrize("value", ["", "yesterday", "2023-02-30", "2023-13", "0000", "123"])
def test_parse_rejects_what_is_not_a_date(value: str) -> None:
    with pytest.raises(ValueError):
        DateSpan.parse(value)


def test_a_datetime_is_its_day() -> None:
    """YAML front matter `date: 2023-10-03 15:42:10` arrives as a datetime."""
    span = DateSpan.parse(dt.datetime(2023, 10, 3, 15, 42, 10))

    assert (span.text, span.first, span.last) == ("2023-10-03", D(2023, 10, 3), D(2023, 10, 3))
    assert span.overlaps(D(2023, 10, 1), D(2023, 10, 31))


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        (None, None, True),
        (D(2023, 10, 3), None, True),
        (D(2023, 10, 4), None, False),
        (None, D(2023, 10, 3), True),
        (None, D(2023, 10, 2), False),
        (D(2023, 1, 1), D(2023, 12, 31), True),
        (D(2023, 10, 4), D(2023, 10, 2), False),
    ],
)
def test_a_day_overlaps_a_range_that_includes_it(
    since: dt.date | None, until: dt.date | None, expected: bool
) -> None:
    assert DateSpan.parse("2023-10-03").overlaps(since, until) is expected


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        (D(2023, 12, 31), None, True),
        (D(2024, 1, 1), None, False),
        (None, D(2023, 1, 1), True),
        (None, D(2022, 12, 31), False),
        (D(2023, 6, 1), D(2023, 6, 30), True),
    ],
)
def test_a_year_overlaps_any_range_touching_it(
    since: dt.date | None, until: dt.date | None, expected: bool
) -> None:
    assert DateSpan.parse(2023).overlaps(since, until) is expected


def test_filters_are_empty_only_without_any_condition() -> None:
    assert Filters().is_empty()
    assert not Filters(speaker="Ruto").is_empty()
    assert not Filters(since=D(2023, 1, 1)).is_empty()
    assert not Filters(statement_ids=("ruto-rubio-call",)).is_empty()


def test_days_outside_counts_days_between_a_date_and_a_period() -> None:
    day, year = DateSpan.parse("2023-10-03"), DateSpan.parse("2023")
    later = DateSpan.parse("2025-01-08")
    october = (dt.date(2023, 10, 1), dt.date(2023, 10, 31))
    assert [d.days_outside(*october) for d in (day, year, later)] == [
        0,
        0,
        (dt.date(2025, 1, 8) - dt.date(2023, 10, 31)).days,
    ]
    march = dt.date(2024, 3, 1)
    assert [d.days_outside(march, None) for d in (day, year, later)] == [
        (march - dt.date(2023, 10, 3)).days,
        (march - dt.date(2023, 12, 31)).days,  # a year ends on its last day
        0,
    ]
    december = dt.date(2022, 12, 1)
    assert [d.days_outside(None, december) for d in (day, year, later)] == [
        (dt.date(2023, 10, 3) - december).days,
        (dt.date(2023, 1, 1) - december).days,  # and starts on its first
        (dt.date(2025, 1, 8) - december).days,
    ]
    assert [d.days_outside(None, None) for d in (day, year, later)] == [0, 0, 0]
