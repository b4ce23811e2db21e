"""Date expressions in a question ("in 2023", "since last October"), as windows of days.

Everything is resolved against a `today` passed in, so a question means the same window in
tests, evals and the service. Two steps: find atoms (a day, a month, a year, a season, a
relative period: rag.question.date_atoms), then read the words around them ("since", "between ...
and") to open or join them. Numbers that only look like years ("2,500 personnel", "resolution
2699 (2023)") are left alone, and so are periods that filter nothing because they lie after
`today` ("Vision 2030", "net zero by 2050" are topics).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.question.date_atoms import BEFORE, DAY_DELTA, Atom, InYear, Precision, find_atoms
from rag.text.vocabulary import OPEN_SINCE, OPEN_UNTIL


@dataclass(frozen=True, slots=True)
class DateMention:
    """A period the question names; `since`/`until` are inclusive, None is unbounded."""

    text: str
    start: int
    end: int
    since: dt.date | None
    until: dt.date | None
    precision: Precision
    yearless: bool = False
    """Written without a year ("in June", "January 6th"): the year is the latest one that
    has begun, a guess, not something the question says."""


_AFTER = re.compile(
    r"\s*(?:(?P<since>onwards?|and\s+(?:later|after|beyond)|or\s+later)"
    r"|(?P<until>and\s+(?:earlier|before)|or\s+earlier))\b",
    re.IGNORECASE,
)
_RANGE_LEAD = re.compile(r"\b(?P<lead>between|from|in|during|over)\s+$", re.IGNORECASE)
_RANGE_JOIN = re.compile(r"\s*(?:(?P<and>and)|to|through|thru|until|till|-|–|—)\s*", re.I)


def find_dates(question: str, today: dt.date) -> tuple[DateMention, ...]:
    """Every period named in `question` that could narrow a search, in order."""
    atoms = find_atoms(question, today)
    mentions: list[DateMention] = []
    i = 0
    while i < len(atoms):
        joined = _range(question, atoms, i)
        mention = joined or _opened(question, atoms[i])
        i += 2 if joined else 1
        if mention.since is not None and mention.since > today:
            continue  # a target ("by 2050"), not a period of statements
        if mention.since is None and mention.until is not None and mention.until >= today:
            continue  # "before 2030": nothing to narrow
        mentions.append(mention)
    return tuple(mentions)


def date_window(mentions: Sequence[DateMention]) -> tuple[dt.date | None, dt.date | None]:
    """The since/until to apply.

    Closed periods are joined ("in 2021 and 2023" is 2021-2023) and open bounds narrow
    them ("since 2022 ... before 2024"); if that leaves nothing, everything is joined.
    """
    closed = [m for m in mentions if m.since is not None and m.until is not None]
    since = min((m.since for m in closed if m.since), default=None)
    until = max((m.until for m in closed if m.until), default=None)
    for m in mentions:
        if m.until is None and m.since is not None:
            since = m.since if since is None else max(since, m.since)
        elif m.since is None and m.until is not None:
            until = m.until if until is None else min(until, m.until)
    if since is None or until is None or since <= until:
        return since, until
    open_since = any(m.since is None for m in mentions)
    open_until = any(m.until is None for m in mentions)
    return (
        None if open_since else min(m.since for m in mentions if m.since),
        None if open_until else max(m.until for m in mentions if m.until),
    )


def _opened(question: str, atom: Atom) -> DateMention:
    """The atom with the words around it that open it ("since", "or earlier") or introduce it."""
    start, end = atom.start, atom.end
    first, last = atom.span
    since: dt.date | None = first
    until: dt.date | None = last
    precision = atom.precision
    after = _AFTER.match(question, end)
    if after:
        end = after.end()
        since, until = (first, None) if after["since"] else (None, last)
        precision = "open"
    before = BEFORE.search(question, 0, start)
    if before:
        start = before.start()
        op = before["op"].lower().split()[0]
        if op in OPEN_SINCE:
            since, until, precision = first, None, "open"
        elif op == "after":
            since, until, precision = last + DAY_DELTA, None, "open"
        elif op in {"before", "prior"}:
            since, until, precision = None, first - DAY_DELTA, "open"
        elif op in OPEN_UNTIL:
            since, until, precision = None, last, "open"
    yearless = atom.in_year is not None
    return DateMention(question[start:end], start, end, since, until, precision, yearless)


def _range(question: str, atoms: Sequence[Atom], i: int) -> DateMention | None:
    """ "between A and B", "from A to B", "A-B" as one period; None if atom i starts none."""
    if i + 1 >= len(atoms):
        return None
    a, b = atoms[i], atoms[i + 1]
    join = _RANGE_JOIN.fullmatch(question, a.end, b.start)
    if not join:
        return None
    lead = _RANGE_LEAD.search(question, 0, a.start)
    if join["and"] and not (lead and lead["lead"].lower() == "between"):
        return None  # "in 2021 and 2023" is two periods
    first, last = a.span[0], b.span[1]
    if a.in_year is not None:
        first = _start_by(a.in_year, b.span[1].year, b.span[0]) or first
    elif b.in_year is not None:
        last = _end_from(b.in_year, a.span[0].year, a.span[1]) or last
    if first > last:
        return None
    start = lead.start() if lead else a.start
    yearless = a.in_year is not None and b.in_year is not None  # "between March and June"
    return DateMention(question[start : b.end], start, b.end, first, last, "range", yearless)


def _start_by(in_year: InYear, year: int, limit: dt.date) -> dt.date | None:
    """Where the period starts in `year`, or in the year before if that is after `limit`."""
    for candidate in (year, year - 1):
        span = in_year(candidate)
        if span is not None and span[0] <= limit:
            return span[0]
    return None


def _end_from(in_year: InYear, year: int, limit: dt.date) -> dt.date | None:
    for candidate in (year, year + 1):
        span = in_year(candidate)
        if span is not None and span[1] >= limit:
            return span[1]
    return None
