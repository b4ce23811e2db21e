"""The roster: who the corpus has, as evidence for reading who a question means.

How often each person speaks and when (their statements' dates), who held which office when
(the offices titles give: "Remarks by Vice President Vance" in March 2025), and which countries
speak in the corpus. Built from the stored statements' records, so it describes this store:
"Trump" means whichever Trump speaks here, "the President" the one the titles of that period
name. Counts only; nothing here decides, rag.question.who weighs the evidence.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rag.people.countries import statement_country
from rag.people.offices import same_office
from rag.people.speaker_index import SpeakerIndex
from rag.types import StatementInfo


@dataclass(frozen=True, slots=True)
class Holder:
    name: str
    """Canonical name in the speaker index."""
    statements: int
    """Statements whose title (or transcript labels) give them the office."""
    first: dt.date | None
    last: dt.date | None
    """The first and last dates of those statements: when they are seen holding it."""


class Roster:
    __slots__ = ("_countries", "_days", "_held", "_offices", "speakers", "years")

    def __init__(
        self,
        speakers: SpeakerIndex,
        days: Mapping[str, list[int]],
        offices: Mapping[str, list[tuple[int | None, str]]],
        countries: Mapping[str, int],
        years: tuple[int, int] | None,
    ) -> None:
        self.speakers = speakers
        self._days = dict(days)
        self._offices = dict(offices)
        self._held: dict[str, Counter[str]] = {}
        for office, titled in self._offices.items():
            for _, holder in titled:
                self._held.setdefault(holder, Counter())[office] += 1
        self._countries = dict(countries)
        self.years = years
        """The first and last year of the corpus's dated statements."""

    @classmethod
    def build(cls, speakers: SpeakerIndex, statements: Iterable[StatementInfo]) -> Roster:
        days: dict[str, list[int]] = {}
        offices: dict[str, list[tuple[int | None, str]]] = {}
        countries: Counter[str] = Counter()
        first: int | None = None
        last: int | None = None
        for info in statements:
            country = statement_country(info.metadata, info.source_url)
            if country:
                countries[country] += 1
            day = info.date.first.toordinal() if info.date else None
            for office, raw in info.offices:
                holder = speakers.canonical(raw)
                if holder:
                    offices.setdefault(office, []).append((day, holder))
            if info.date is None or day is None:
                continue
            first = day if first is None else min(first, day)
            last = day if last is None else max(last, info.date.last.toordinal())
            for name in {speakers.canonical(raw) for raw in info.speakers} - {None}:
                days.setdefault(str(name), []).append(day)
        for spoken in days.values():
            spoken.sort()
        years = None
        if first is not None and last is not None:
            years = (dt.date.fromordinal(first).year, dt.date.fromordinal(last).year)
        return cls(speakers, days, offices, countries, years)

    def spoke(self, name: str, since: dt.date | None = None, until: dt.date | None = None) -> int:
        """Dated statements of a person (canonical name) within the period, or in all."""
        spoken = self._days.get(name, [])
        low = bisect.bisect_left(spoken, since.toordinal()) if since else 0
        high = bisect.bisect_right(spoken, until.toordinal()) if until else len(spoken)
        return max(0, high - low)

    def holders(self, office: str) -> tuple[Holder, ...]:
        """Who titles name with this office, most statements first."""
        counts: Counter[str] = Counter()
        spans: dict[str, tuple[int, int]] = {}
        for held, titled in self._offices.items():
            if not same_office(office, held):
                continue
            for day, name in titled:
                counts[name] += 1
                if day is not None:
                    low, high = spans.get(name, (day, day))
                    spans[name] = (min(low, day), max(high, day))
        return tuple(
            Holder(
                name,
                count,
                dt.date.fromordinal(spans[name][0]) if name in spans else None,
                dt.date.fromordinal(spans[name][1]) if name in spans else None,
            )
            for name, count in sorted(counts.items(), key=lambda x: (-x[1], x[0]))
        )

    def offices_of(self, name: str) -> tuple[str, ...]:
        """The offices titles give a person (canonical name), most often first."""
        return tuple(o for o, _ in self._held.get(name, Counter()).most_common())

    def country_statements(self, code: str) -> int:
        """Statements that speak for the country (ISO code)."""
        return self._countries.get(code, 0)
