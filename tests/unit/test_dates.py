"""rag/question/dates.py: date expressions in a question, resolved against a given day."""

from __future__ import annotations

import datetime as dt

import pytest

from rag.question.dates import DateMention, date_window, find_dates

D = dt.date
TODAY = D(2026, 11, 28)  # a Saturday in late November
FEBRUARY = D(2027, 2, 10)


def only(question: str, today: dt.date = TODAY) -> DateMention:
    mentions = find_dates(question, today)
    assert len(mentions) == 1, mentions
    return mentions[0]


@pytest.mark.parametrize(
    ("text", "since", "until", "precision"),
    [
        ("the 3rd of October 2023", D(2023, 10, 3), D(2023, 10, 3), "day"),
        ("on Tuesday, October 3, 2023", D(2023, 10, 3), D(2023, 10, 3), "day"),
        ("this past October", D(2026, 10, 1), D(2026, 10, 31), "month"),
        ("this year", D(2026, 1, 1), D(2026, 12, 31), "year"),
        ("last year", D(2025, 1, 1), D(2025, 12, 31), "year"),
        ("last month", D(2026, 10, 1), D(2026, 10, 31), "month"),
        ("this month", D(2026, 11, 1), D(2026, 11, 30), "month"),
        ("earlier this year", D(2026, 1, 1), TODAY, "range"),
        ("last week", D(2026, 11, 16), D(2026, 11, 22), "range"),
        ("yesterday", D(2026, 11, 27), D(2026, 11, 27), "day"),
        ("since 2022", D(2022, 1, 1), None, "open"),
        ("since March 2024", D(2024, 3, 1), None, "open"),
        ("since last October", D(2026, 10, 1), None, "open"),
        ("from 2022 onwards", D(2022, 1, 1), None, "open"),
        ("before 2021", None, D(2020, 12, 31), "open"),
        ("until June 2023", None, D(2023, 6, 30), "open"),
        ("2020 and earlier", None, D(2020, 12, 31), "open"),
        ("after June 2023", D(2023, 7, 1), None, "open"),
        ("after 3 October 2023", D(2023, 10, 4), None, "open"),
        ("between March and June 2024", D(2024, 3, 1), D(2024, 6, 30), "range"),
        ("between 2019 and 2021", D(2019, 1, 1), D(2021, 12, 31), "range"),
        ("from March to June 2024", D(2024, 3, 1), D(2024, 6, 30), "range"),
        ("from 2021 to 2023", D(2021, 1, 1), D(2023, 12, 31), "range"),
        ("over 2019-2021", D(2019, 1, 1), D(2021, 12, 31), "range"),
        ("from November 2023 to March", D(2023, 11, 1), D(2024, 3, 31), "range"),
        ("between November and February 2024", D(2023, 11, 1), D(2024, 2, 29), "range"),
        ("3-5 October 2023", D(2023, 10, 3), D(2023, 10, 5), "range"),
        ("in the first half of 2024", D(2024, 1, 1), D(2024, 6, 30), "range"),
        ("the second half of 2023", D(2023, 7, 1), D(2023, 12, 31), "range"),
        ("the third quarter of 2023", D(2023, 7, 1), D(2023, 9, 30), "range"),
        ("Q1 2024", D(2024, 1, 1), D(2024, 3, 31), "range"),
        ("in early 2023", D(2023, 1, 1), D(2023, 4, 30), "range"),
        ("in mid-2023", D(2023, 5, 1), D(2023, 8, 31), "range"),
        ("in late 2023", D(2023, 9, 1), D(2023, 12, 31), "range"),
        ("by the end of 2023", None, D(2023, 12, 31), "open"),
        ("in late October 2023", D(2023, 10, 21), D(2023, 10, 31), "range"),
        ("in the spring of 2024", D(2024, 3, 1), D(2024, 5, 31), "range"),
        ("summer 2023", D(2023, 6, 1), D(2023, 8, 31), "range"),
        ("in the autumn of 2022", D(2022, 9, 1), D(2022, 11, 30), "range"),
        ("winter 2023", D(2023, 12, 1), D(2024, 2, 29), "range"),
        ("last summer", D(2026, 6, 1), D(2026, 8, 31), "range"),
        ("last winter", D(2025, 12, 1), D(2026, 2, 28), "range"),
        ("in the 1990s", D(1990, 1, 1), D(1999, 12, 31), "range"),
        ("in the past two years", D(2024, 11, 28), TODAY, "range"),
        ("over the last 6 months", D(2026, 5, 28), TODAY, "range"),
        ("two years ago", D(2024, 1, 1), D(2024, 12, 31), "year"),
    ],
)
def test_expressions(
    text: str, since: dt.date | None, until: dt.date | None, precision: str
) -> None:
    question = f"What did Ruto say about Haiti {text}?"
    mention = only(question)
    assert (mention.text, mention.since, mention.until, mention.precision) == (
        text,
        since,
        until,
        precision,
    )
    assert question[mention.start : mention.end] == text


@pytest.mark.parametrize(
    ("question", "text", "since", "until"),
    [
        ("What did Ruto say in 2023?", "in 2023", D(2023, 1, 1), D(2023, 12, 31)),
        ("Haiti in October 2023", "in October 2023", D(2023, 10, 1), D(2023, 10, 31)),
        ("the October 2023 call", "October 2023", D(2023, 10, 1), D(2023, 10, 31)),
        ("the call on 3 October 2023", "on 3 October 2023", D(2023, 10, 3), D(2023, 10, 3)),
        ("statements of 3 October 2023", "3 October 2023", D(2023, 10, 3), D(2023, 10, 3)),
        ("the call of October 3, 2023", "October 3, 2023", D(2023, 10, 3), D(2023, 10, 3)),
        ("the call of Oct. 3, 2023", "Oct. 3, 2023", D(2023, 10, 3), D(2023, 10, 3)),
        ("the call of Oct 3rd 2023", "Oct 3rd 2023", D(2023, 10, 3), D(2023, 10, 3)),
        ("the call of 2023-10-03", "2023-10-03", D(2023, 10, 3), D(2023, 10, 3)),
        ("what was said last October", "last October", D(2026, 10, 1), D(2026, 10, 31)),
        ("What did Ruto say in May?", "in May", D(2026, 5, 1), D(2026, 5, 31)),
        (
            "What did Kenya's president say at the UN in 2023 about climate?",
            "in 2023",
            D(2023, 1, 1),
            D(2023, 12, 31),
        ),
        ("the 2023 General Assembly", "2023", D(2023, 1, 1), D(2023, 12, 31)),
    ],
)
def test_expressions_in_context(
    question: str, text: str, since: dt.date | None, until: dt.date | None
) -> None:
    mention = only(question)
    assert (mention.text, mention.since, mention.until) == (text, since, until)
    assert question[mention.start : mention.end] == text


@pytest.mark.parametrize(
    ("today", "year"),
    [(TODAY, 2026), (FEBRUARY, 2026), (D(2026, 10, 15), 2025), (D(2026, 1, 5), 2025)],
)
def test_last_october_is_the_latest_october_before_this_month(today: dt.date, year: int) -> None:
    mention = only("What has Harris said about AI since last October?", today)
    assert (mention.since, mention.until) == (D(year, 10, 1), None)


def test_a_month_without_a_year_is_the_latest_that_has_begun() -> None:
    assert only("in October", FEBRUARY).since == D(2026, 10, 1)
    assert only("in October", D(2026, 10, 2)).since == D(2026, 10, 1)
    assert only("in December", D(2026, 10, 2)).since == D(2025, 12, 1)


def test_relative_years_follow_today() -> None:
    assert only("this year", FEBRUARY).since == D(2027, 1, 1)
    assert only("last year", FEBRUARY).until == D(2026, 12, 31)
    assert only("last month", FEBRUARY).since == D(2027, 1, 1)
    assert only("last winter", FEBRUARY).since == D(2025, 12, 1)
    assert only("this winter", FEBRUARY).since == D(2026, 12, 1)


@pytest.mark.parametrize(
    "question",
    [
        "How much did the US give? $300 million",
        "Kenya pledged 2,500 personnel to the mission.",
        "What does Resolution 2699 say?",
        "What did the council say in resolution 2699 (2023)?",
        "Were 2000 troops deployed?",
        "What is Kenya's Vision 2030?",
        "What did Ruto say about net zero by 2050?",
        "What happened before 2030 targets were set?",
        "A 2023% increase",
        "What did Jan Egeland say about Mar-a-Lago?",
        "What may Ruto say about the March on Washington?",
        "What did Theresa May say?",
        "What did the G20 say about COVID-19 and Agenda 2063?",
        "How many of the 1,900 officers arrived?",
        "What did Ruto say a few years ago?",
    ],
)
def test_numbers_and_words_that_are_not_dates(question: str) -> None:
    assert find_dates(question, TODAY) == ()


def test_an_impossible_day_falls_back_to_its_month() -> None:
    mention = only("What did Ruto say on 31 June 2023?")
    assert (mention.text, mention.since, mention.precision) == ("June 2023", D(2023, 6, 1), "month")


def test_several_mentions_in_order() -> None:
    mentions = find_dates("What did Biden say in 2021 and in 2023?", TODAY)
    assert [m.text for m in mentions] == ["in 2021", "in 2023"]
    assert date_window(mentions) == (D(2021, 1, 1), D(2023, 12, 31))


def test_day_precision_keeps_a_single_day() -> None:
    mention = only("What did Biden and Ruto discuss on their call on 3 October 2023?")
    assert mention.since == mention.until == D(2023, 10, 3)
    assert mention.precision == "day"


def window(question: str) -> tuple[dt.date | None, dt.date | None]:
    return date_window(find_dates(question, TODAY))


def test_window_of_nothing_is_unbounded() -> None:
    assert window("What did Ruto say about Haiti?") == (None, None)


def test_open_bounds_narrow_each_other() -> None:
    assert window("since 2022 and before 2024") == (D(2022, 1, 1), D(2023, 12, 31))


def test_open_bound_narrows_a_period() -> None:
    assert window("in 2019-2023 but after June 2021") == (D(2021, 7, 1), D(2023, 12, 31))


def test_contradicting_bounds_are_joined() -> None:
    assert window("before 2020 and since 2022") == (None, None)
    assert window("in 2021, but after 2022") == (D(2021, 1, 1), None)


def test_the_same_question_means_what_today_says() -> None:
    assert only("last year", D(2024, 6, 1)).since == D(2023, 1, 1)
    assert only("last year", D(2025, 6, 1)).since == D(2024, 1, 1)
