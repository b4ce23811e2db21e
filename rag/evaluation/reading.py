"""How a question was read, checked against the reading suite's labels (evals/README.md).

Speakers are compared by person, through the store's speaker index ("William Ruto" is
"William Samoei Ruto"); countries by country ("Republic of Korea" is "South Korea"). A
country the reading adds to a person the label names is right when that person speaks for
it in the store. A period is right when it is the labelled window, give or take a week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from rag.evaluation.suite import ReadingLabel
from rag.people import country_code, same_person, statement_country
from rag.service import Service
from rag.types import Answer

DATE_SLACK = dt.timedelta(days=7)


@dataclass(frozen=True, slots=True)
class ReadingCheck:
    speakers: tuple[str, ...]
    """People the search favoured."""
    countries: tuple[str, ...]
    since: dt.date | None
    until: dt.date | None
    wrong_who: bool
    """A person or country was favoured that the label does not name as speaking."""
    missed_who: bool
    """A person or country the label names as speaking was not favoured."""
    wrong_date: bool
    """A period was favoured that is not the labelled one (or none is labelled)."""
    missed_date: bool
    """A labelled period was not favoured."""
    true_reason: bool | None
    """For an unanswerable case: declined, naming what the label says a true reason names."""


def check_reading(
    service: Service, label: ReadingLabel, answer: Answer, answerable: bool
) -> ReadingCheck:
    read = answer.interpreted
    speakers = read.speakers if read else ()
    countries = read.countries if read else ()
    since, until = (read.since, read.until) if read else (None, None)
    wanted = [_canonical(service, name) for name in label.speakers]
    wrong_people = [s for s in speakers if not _same(s, wanted, label.speakers)]
    wanted_countries = {country_code(c) for c in label.countries}
    wrong_countries = [
        c
        for c in countries
        if country_code(c) not in wanted_countries
        and not _speaks_for(service, wanted, country_code(c))
    ]
    missed_people = [
        w
        for w, raw in zip(wanted, label.speakers, strict=True)
        if not any(_same(s, [w], [raw]) for s in speakers)
    ]
    favoured = {country_code(c) for c in countries}
    labelled = label.since is not None or label.until is not None
    dated = since is not None or until is not None
    wrong_date = dated and (
        not labelled or not _close(since, label.since) or not _close(until, label.until)
    )
    true_reason = None
    if not answerable:
        text = answer.text.lower()
        true_reason = not answer.answerable and all(
            s.lower() in text for s in label.decline_must_name
        )
    return ReadingCheck(
        speakers=tuple(speakers),
        countries=tuple(countries),
        since=since,
        until=until,
        wrong_who=bool(wrong_people or wrong_countries),
        missed_who=bool(missed_people or (wanted_countries - favoured)),
        wrong_date=wrong_date,
        missed_date=labelled and not dated,
        true_reason=true_reason,
    )


def _canonical(service: Service, name: str) -> str:
    entries = service.speakers(name)
    return entries[0].canonical if entries else name


def _same(read: str, wanted: list[str], written: Sequence[str]) -> bool:
    return read in wanted or same_person(read, list(written))


def _close(read: dt.date | None, label: dt.date | None) -> bool:
    if read is None or label is None:
        return read is label
    return abs(read - label) <= DATE_SLACK


def _speaks_for(service: Service, people: list[str], code: str | None) -> bool:
    """Whether one of these people (canonical names) speaks in a statement of that country."""
    if code is None or not people:
        return False
    index_speakers = service.catalog.speakers()
    forms = {
        raw
        for name in people
        if (entry := index_speakers.entry(name)) is not None
        for raw in index_speakers.variants(entry)
    }
    return any(
        forms & set(info.speakers) and statement_country(info.metadata, info.source_url) == code
        for info in service.catalog.statements()
    )
