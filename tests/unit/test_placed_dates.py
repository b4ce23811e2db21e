"""rag/retrieval/retriever.py: a date written without a year ("in October") is placed, for
ranking only, in the latest year the person asked about spoke in it."""

from __future__ import annotations

import datetime as dt

from rag.people import Roster, SpeakerIndex
from rag.question.dates import find_dates
from rag.retrieval.retriever import placed_period

TODAY = dt.date(2026, 12, 5)
D = dt.date


def roster(spoke: dict[str, list[dt.date]]) -> Roster:
    counts = {name: len(days) for name, days in spoke.items()}
    days = {name: sorted(d.toordinal() for d in ds) for name, ds in spoke.items()}
    return Roster(SpeakerIndex.build(counts, counts), days, {}, {}, (2015, 2026))


def yearless(question: str):  # type: ignore[no-untyped-def]
    mentions = [m for m in find_dates(question, TODAY) if m.yearless]
    assert mentions, question
    return mentions


def test_a_month_goes_to_the_latest_year_the_person_spoke_in_it() -> None:
    people = roster({"Joe Biden": [D(2022, 10, 3), D(2024, 10, 9), D(2025, 1, 2)]})
    october = yearless("What did Biden say in October about Hurricane Milton?")
    assert placed_period(october, ["Joe Biden"], people) == (D(2024, 10, 1), D(2024, 10, 31))


def test_nobody_to_place_it_by_or_never_spoke_then_places_nothing() -> None:
    people = roster({"Joe Biden": [D(2024, 3, 7)]})
    october = yearless("What did Biden say in October about Hurricane Milton?")
    assert placed_period(october, [], people) is None
    assert placed_period(october, ["Joe Biden"], people) is None
