"""Dates a text gives relative to the day it is dated: "yesterday", "last week", "on Tuesday".

A statement of Thursday 7 March 2024 saying "On Tuesday, the President met ..." dates the
meeting 5 March; an answer may say either. Both the cited text and a claim are read against
the statement's date (its passage header): the text's expressions become spans of days, and a
claim's relative date is true to the text when the span it names holds a date the text gives.
The periods are read by rag.question.date_atoms (the same rules that read a question's dates);
weekdays, "today", "tomorrow" and "next ..." are added here, since a statement, unlike a
question, also speaks of days to come.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import lru_cache

from rag.question.date_atoms import find_atoms
from rag.text.vocabulary import RELATIVE_DAYS, WEEKDAYS

Span = tuple[dt.date, dt.date]

WEEK = 7
_WEEKDAY = "|".join(WEEKDAYS)
_DAY_WORD = "|".join(RELATIVE_DAYS)
RELATIVE = re.compile(
    r"\b(?:(?P<day>" + _DAY_WORD + r")|last\s+night"
    r"|(?:(?:earlier|later)\s+)?(?P<rel>this|last|next)\s+(?P<unit>week|month|year)"
    r"|(?P<n>\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
    r"(?:day|week|month|year)s?\s+ago"
    r"|(?:(?P<which>last|this|next|this\s+past|this\s+coming)\s+)?"
    r"(?P<weekday>" + _WEEKDAY + r"))\b",
    re.IGNORECASE,
)  # fmt: skip
"""Relative dates a claim may state, checked against the date of each text it cites."""
DECADE = re.compile(r"\b(?:(?:early|mid|late)[\s-]+)?(?:19|20)\d0['’]?s\b", re.IGNORECASE)
"""A decade ("the 1990s", "the early 2000s"): a period, read like the relative ones."""
_PERIOD = re.compile(
    r"\b(?:last|this|past|previous|ago|yesterday|earlier)\b|\d0['’]?s\b", re.IGNORECASE
)
"""Words without which rag.question.date_atoms finds no period relative to the day."""


def _month_span(year: int, month: int) -> Span:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _shifted(today: dt.date, unit: str, by: int) -> Span:
    if unit == "year":
        return dt.date(today.year + by, 1, 1), dt.date(today.year + by, 12, 31)
    if unit == "month":
        year, month0 = divmod(today.year * 12 + today.month - 1 + by, 12)
        return _month_span(year, month0 + 1)
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=by)
    return monday, monday + dt.timedelta(days=WEEK - 1)


def _weekday(which: str, name: str, today: dt.date) -> set[Span]:
    """The days a weekday may be: the latest on or before `today` ("on Tuesday" in a report),
    the next after it ("will travel on Friday"); "last" and "next" pick one."""
    target = WEEKDAYS.index(name.lower())
    back = today - dt.timedelta(days=(today.weekday() - target) % WEEK)
    ahead = today + dt.timedelta(days=(target - today.weekday() - 1) % WEEK + 1)
    which = " ".join(which.lower().split())
    days = {"last": {back}, "this past": {back}, "next": {ahead}, "this coming": {ahead}}
    return {(d, d) for d in days.get(which, {back, ahead})}


@lru_cache(maxsize=4096)
def resolve(text: str, today: dt.date) -> frozenset[Span]:
    """Every date expression in `text` (of a statement dated `today`) as a span of days."""
    spans = {atom.span for atom in find_atoms(text, today)} if _PERIOD.search(text) else set()
    for match in RELATIVE.finditer(text):
        if match["day"]:
            day = today + dt.timedelta(days=RELATIVE_DAYS[match["day"].lower()])
            spans.add((day, day))
        elif match["rel"]:
            by = {"this": 0, "last": -1, "next": 1}[match["rel"].lower()]
            span = _shifted(today, match["unit"].lower(), by)
            spans.add(span)
            if match.group(0).lower().startswith("earlier"):
                spans.add((span[0], today))
        elif match["weekday"]:
            spans |= _weekday(match["which"] or "", match["weekday"], today)
        elif match.group(0).lower() == "last night":
            day = today - dt.timedelta(days=1)
            spans |= {(day, day), (today, today)}
    return frozenset(spans)


def within(wanted: frozenset[Span], given: frozenset[Span]) -> bool:
    """Whether a span the claim names holds one the text gives."""
    return any(low <= start and end <= high for low, high in wanted for start, end in given)
