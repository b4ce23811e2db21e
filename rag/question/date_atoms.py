"""Date atoms: a day, a month, a year, a season or a relative period that a question writes,
each as a span of days, before the words around it are read (that is rag.question.dates).

Each kind of expression is a pattern and a rule that turns its match into a span, resolved
against a `today` passed in; where matches overlap the longest wins. Numbers that only look
like years are not atoms: counts ("2000 troops"), labels ("resolution 2001"), sums ("$2000").
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from rag.text.vocabulary import (
    CARDINALS,
    COUNT_NOUNS,
    MONTH_NAMES,
    MONTHS,
    NUMBER_LABELS,
    ORDINALS,
    PERIOD_PARTS,
    SEASONS,
)

Precision = Literal["day", "month", "year", "range", "open"]
Span = tuple[dt.date, dt.date]
InYear = Callable[[int], Span | None]


@dataclass(frozen=True, slots=True)
class Atom:
    """A date expression before the words around it are read.

    `in_year` is set when no year was written ("October", "3 October"), so that a range
    can give it the year of its other end ("between March and June 2024").
    """

    start: int
    end: int
    span: Span
    precision: Precision
    in_year: InYear | None = None


_MONTHS = {name: n for n, names in enumerate(MONTHS, start=1) for name in names}
_FULL_MONTHS = frozenset(MONTH_NAMES)
# Month names that are also everyday words: alone, they need a date word before them.
_AMBIGUOUS_MONTHS = frozenset({"may", "march"})
_NUMBERS = {word: n for word, n in CARDINALS.items() if n <= 12} | {
    "a": 1, "an": 1, "couple of": 2, "few": 3
}  # fmt: skip
_ORDINALS = {
    form: n
    for word, n in ORDINALS.items()
    if n <= 4
    for form in (word, f"{n}{('st', 'nd', 'rd', 'th')[n - 1]}")
}

_MONTH_WORD = "|".join(sorted(_MONTHS, key=len, reverse=True))
_MONTH = rf"(?P<month>{_MONTH_WORD})\b\.?"
_DAY = r"(?P<day>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\b"
_DAY2 = r"(?:\s*[-–]\s*(?P<day2>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\b)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)(?!\d)"
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
_PART = (
    r"(?:(?P<part>early|mid|late|(?:the\s+)?(?:start|beginning|middle|end)\s+of"
    r"(?:\s+the)?)[\s-]+)?"
)
_N = (
    r"(?P<n>\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|couple\s+of|few)"
)
_UNIT = r"(?P<unit>year|month|week|day)s?"
_SEASON = r"(?P<season>spring|summer|autumn|fall|winter)"

# A date word right before a month name that is also an everyday word ("in May").
_MONTH_CUE = re.compile(
    r"\b(?:in|on|since|until|till|before|after|during|from|between|through|by|of|last|this"
    rf"|early|mid|late|(?:{_MONTH_WORD}|(?:19|20)\d\d)\.?\s*(?:and|to|through|-|–))[\s-]*$",
    re.IGNORECASE,
)
# The word before an atom that opens it ("since") or only introduces it ("in").
BEFORE = re.compile(
    r"\b(?P<op>since|after|before|until|till|through|thru|by|prior\s+to|up\s+(?:to|until)"
    r"|starting(?:\s+(?:in|from|on))?|beginning(?:\s+(?:in|on))?|from|between|in|on|during"
    r"|throughout|over|within)\s+$",
    re.IGNORECASE,
)
DAY_DELTA = dt.timedelta(days=1)


Rule = Callable[[re.Match[str], str, dt.date], Atom | None]


def find_atoms(question: str, today: dt.date) -> list[Atom]:
    """Non-overlapping atoms, in order of appearance: where they overlap the longest is kept,
    and of two as long, the one whose rule comes first in _RULES."""
    found = [
        atom
        for pattern, rule in _RULES
        for match in pattern.finditer(question)
        if (atom := rule(match, question, today)) is not None
    ]
    found.sort(key=lambda a: (a.start - a.end, a.start))
    chosen: list[Atom] = []
    for atom in found:
        if all(atom.end <= c.start or atom.start >= c.end for c in chosen):
            chosen.append(atom)
    return sorted(chosen, key=lambda a: a.start)


def _ym(index: int) -> tuple[int, int]:
    """(year, month) of a month counted from year 0: index = year * 12 + month - 1."""
    year, month0 = divmod(index, 12)
    return year, month0 + 1


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _months_span(year: int, month: int, months: int = 1) -> Span:
    """`months` months from `month` of `year`, perhaps running into the next year."""
    end_year, end_month = _ym(year * 12 + month - 1 + months - 1)
    return dt.date(year, month, 1), dt.date(end_year, end_month, _last_day(end_year, end_month))


def _year_span(year: int) -> Span:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _day_span(year: int, month: int, day: int) -> Span | None:
    if day > _last_day(year, month):
        return None
    return dt.date(year, month, day), dt.date(year, month, day)


def _latest(in_year: InYear, today: dt.date) -> Span | None:
    """The most recent such period that has begun by `today`, for a year not written."""
    for year in range(today.year, today.year - 8, -1):
        span = in_year(year)
        if span is not None and span[0] <= today:
            return span
    return None


def _part(span: Span, part: str | None) -> Span:
    """Early, mid or late: the first, middle or last third of a month, year or decade."""
    if not part:
        return span
    third = next(PERIOD_PARTS[w] for w in re.findall(r"[a-z]+", part.lower()) if w in PERIOD_PARTS)
    first, last = span
    if first.month == last.month and first.year == last.year:
        days = ((1, 10), (11, 20), (21, last.day))[third]
        return first.replace(day=days[0]), first.replace(day=days[1])
    if first.year == last.year:
        return _months_span(first.year, 1 + 4 * third, 4)
    years = ((0, 3), (4, 6), (7, 9))[third]
    return dt.date(first.year + years[0], 1, 1), dt.date(first.year + years[1], 12, 31)


def _iso(m: re.Match[str], question: str, today: dt.date) -> Atom | None:
    """ "2023-10-03", "2023/10/03", "2023-10"."""
    year, month = int(m["year"]), int(m["month"])
    if m["day"] is None:
        return Atom(m.start(), m.end(), _months_span(year, month), "month")
    span = _day_span(year, month, int(m["day"]))
    return Atom(m.start(), m.end(), span, "day") if span else None


def _day_month(m: re.Match[str], question: str, today: dt.date) -> Atom | None:
    """ "3 October 2023", "October 3, 2023", "3-5 October 2023", or without the year."""
    month = _MONTHS[m["month"].lower()]
    day, day2 = int(m["day"]), int(m["day2"] or m["day"])

    def in_year(year: int) -> Span | None:
        first, last = _day_span(year, month, day), _day_span(year, month, day2)
        return (first[0], last[1]) if first and last and first[0] <= last[0] else None

    precision: Precision = "day" if day == day2 else "range"
    if m["year"]:
        span = in_year(int(m["year"]))
        return Atom(m.start(), m.end(), span, precision) if span else None
    span = _latest(in_year, today)
    return Atom(m.start(), m.end(), span, precision, in_year) if span else None


def _month(m: re.Match[str], question: str, today: dt.date) -> Atom | None:
    """ "October 2023", "early October 2023", or "October" alone (after a date word if the
    name is also an everyday word: "in May", not "may say")."""
    word = m["month"].lower()
    month, part = _MONTHS[word], m["part"]
    precision: Precision = "range" if part else "month"
    if m["year"]:
        return Atom(m.start(), m.end(), _part(_months_span(int(m["year"]), month), part), precision)
    if word not in _FULL_MONTHS:
        return None  # "Jan Egeland", "Mar-a-Lago": abbreviations need a day or a year
    if word in _AMBIGUOUS_MONTHS and not part and not _MONTH_CUE.search(question, 0, m.start()):
        return None

    def in_year(year: int) -> Span:
        return _part(_months_span(year, month), part)

    span = _latest(in_year, today)
    return Atom(m.start(), m.end(), span, precision, in_year) if span else None


def _relative_month(m: re.Match[str], question: str, today: dt.date) -> Atom | None:
    """ "last October" is the latest October before this month; "this October" this year's."""
    month = _MONTHS[m["month"].lower()]
    this = m["rel"].lower() == "this"
    year = today.year if this or month < today.month else today.year - 1
    return Atom(m.start(), m.end(), _months_span(year, month), "month")


def _year(m: re.Match[str], question: str, today: dt.date) -> Atom | None:
    """ "2023", "early 2023", "the end of 2023", unless the number is a count or a label."""
    before = question[: m.start()]
    if not m["part"]:
        if re.search(r"[$£€#]\s*$|\d\s*\($", before):
            return None  # "$ 2000", "2699 (2023)"
        if re.match(r"\s*(?:%|percent\b|per\s+cent\b)", question[m.end() :]):
            return None
        previous = re.findall(r"[a-z]+", before[-30:].lower())
        if previous and previous[-1] in NUMBER_LABELS:
            return None
        following = re.match(r"\s+([a-z]+)", question[m.end() :].lower())
        if following and following[1] in COUNT_NOUNS and not BEFORE.search(before):
            return None
    span = _part(_year_span(int(m["year"])), m["part"])
    return Atom(m.start(), m.end(), span, "range" if m["part"] else "year")


def _half(m: re.Match[str], question: str, today: dt.date) -> Atom | None:
    """ "the first half of 2024", "the third quarter of 2023", "Q3 2023", "H1 2024"."""
    if m["code"]:
        halves, index = m["code"][0].lower() == "h", int(m["code"][1])
    else:
        halves = m["unit"].lower() == "half"
        ordinal = m["ordinal"].lower()
        index = (2 if halves else 4) if ordinal == "last" else _ORDINALS[ordinal]
    if halves and index > 2:
        return None
    months = 6 if halves else 3
    span = _months_span(int(m["year"]), 1 + months * (index - 1), months)
    return Atom(m.start(), m.end(), span, "range")


def _season_span(season: str, year: int) -> Span:
    """Northern meteorological seasons; winter 2023 runs from December 2023 to February."""
    return _months_span(year, SEASONS[season.lower()], 3)


def _season(m: re.Match[str], question: str, today: dt.date) -> Atom | None:
    """ "the spring of 2024", "summer 2023"."""
    return Atom(m.start(), m.end(), _season_span(m["season"], int(m["year"])), "range")


def _relative_season(m: re.Match[str], question: str, today: dt.date) -> Atom | None:
    """ "this winter" is the one we are in or this year's; "last summer" the latest before
    the season we are in."""
    spans = [_season_span(m["season"], year) for year in range(today.year, today.year - 3, -1)]
    if m["rel"].lower() == "this":
        span = next((s for s in spans if s[0] <= today <= s[1]), spans[0])
    else:
        current = _months_span(*_ym(today.year * 12 + today.month - 1 - today.month % 3))[0]
        span = next(s for s in spans if s[1] < current)
    return Atom(m.start(), m.end(), span, "range")


def _calendar(m: re.Match[str], question: str, today: dt.date) -> Atom | None:
    """ "this year", "last month", "last week", "yesterday", "earlier this year"."""
    rel = (m["rel"] or "").lower()
    unit = (m["unit"] or "day").lower()
    back = 0 if rel.endswith("this") else 1
    precision: Precision
    if unit == "year":
        span, precision = _year_span(today.year - back), "year"
    elif unit == "month":
        span, precision = _months_span(*_ym(today.year * 12 + today.month - 1 - back)), "month"
    elif unit == "week":
        monday = today - dt.timedelta(days=today.weekday() + 7 * back)
        span, precision = (monday, monday + dt.timedelta(days=6)), "range"
    else:
        span, precision = (today - DAY_DELTA, today - DAY_DELTA), "day"
    if rel.startswith("earlier"):
        span, precision = (span[0], today), "range"
    return Atom(m.start(), m.end(), span, precision)


def _count(text: str | None) -> int:
    if text is None:
        return 1
    text = " ".join(text.lower().split())
    return int(text) if text.isdigit() else _NUMBERS[text]


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = _ym(day.year * 12 + day.month - 1 - months)
    return dt.date(year, month, min(day.day, _last_day(year, month)))


def _rolling(m: re.Match[str], question: str, today: dt.date) -> Atom | None:
    """ "the past two years", "the last 6 months", "past year": up to today."""
    n, unit = _count(m["n"]), m["unit"].lower()
    if unit in {"year", "month"}:
        start = _months_before(today, n * (12 if unit == "year" else 1))
    else:
        start = today - dt.timedelta(days=n * (7 if unit == "week" else 1))
    return Atom(m.start(), m.end(), (start, today), "range")


def _ago(m: re.Match[str], question: str, today: dt.date) -> Atom | None:
    """ "two years ago" is that calendar year, "three months ago" that month."""
    if m["n"].lower() == "few":
        return None  # too vague to narrow a search
    n, unit = _count(m["n"]), m["unit"].lower()
    if unit == "year":
        return Atom(m.start(), m.end(), _year_span(today.year - n), "year")
    if unit == "month":
        span = _months_span(*_ym(today.year * 12 + today.month - 1 - n))
        return Atom(m.start(), m.end(), span, "month")
    day = today - dt.timedelta(days=n * (7 if unit == "week" else 1))
    if unit == "day":
        return Atom(m.start(), m.end(), (day, day), "day")
    monday = day - dt.timedelta(days=day.weekday())
    return Atom(m.start(), m.end(), (monday, monday + dt.timedelta(days=6)), "range")


def _decade(m: re.Match[str], question: str, today: dt.date) -> Atom | None:
    """ "the 1990s", "the early 2000s"."""
    first = int(m["decade"])
    span = _part((dt.date(first, 1, 1), dt.date(first + 9, 12, 31)), m["part"])
    return Atom(m.start(), m.end(), span, "range")


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w$£€#.,/]){pattern}(?![\w/])", re.IGNORECASE)


_RULES: tuple[tuple[re.Pattern[str], Rule], ...] = (
    (
        _compile(
            r"(?P<year>(?:19|20)\d\d)(?P<sep>[-/])(?P<month>0[1-9]|1[0-2])"
            r"(?:(?P=sep)(?P<day>0[1-9]|[12]\d|3[01]))?"
        ),
        _iso,
    ),
    (
        _compile(
            rf"{_WEEKDAY}(?:the\s+)?{_DAY}{_DAY2}(?:\s+of)?\s+{_MONTH}(?:(?:,\s*|\s+){_YEAR})?"
        ),
        _day_month,
    ),
    (_compile(rf"{_WEEKDAY}{_MONTH}\s+{_DAY}{_DAY2}(?:(?:,\s*|\s+){_YEAR})?"), _day_month),
    (_compile(rf"{_PART}{_MONTH}(?:,?\s+(?:of\s+)?{_YEAR})?"), _month),
    (_compile(rf"(?P<rel>last|this\s+past|this)\s+{_MONTH}"), _relative_month),
    (_compile(rf"{_PART}{_YEAR}"), _year),
    (
        _compile(
            r"(?:(?:the\s+)?(?P<ordinal>first|second|third|fourth|last|1st|2nd|3rd|4th)\s+"
            rf"(?P<unit>half|quarter)\s+of|(?P<code>[qh][1-4]))\s+{_YEAR}"
        ),
        _half,
    ),
    (_compile(rf"(?:the\s+)?{_SEASON}(?:\s+of)?\s+{_YEAR}"), _season),
    (_compile(rf"(?P<rel>last|this)\s+{_SEASON}"), _relative_season),
    (
        _compile(r"(?P<rel>(?:earlier\s+)?this|last)\s+(?P<unit>year|month|week)|yesterday"),
        _calendar,
    ),
    # Ties with "last year" go to _calendar, listed first.
    (_compile(rf"(?:the\s+)?(?:past|previous|last)\s+(?:{_N}\s+)?{_UNIT}"), _rolling),
    (_compile(rf"{_N}\s+{_UNIT}\s+ago"), _ago),
    (_compile(rf"{_PART}(?:the\s+)?(?P<decade>(?:19|20)\d0)['’]?s"), _decade),
)
