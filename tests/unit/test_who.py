"""rag/question/who.py and rag/people/roster.py: who a question means, weighed with a corpus's
evidence (how much each person speaks and when, the offices titles give them, the topic)."""

from __future__ import annotations

import datetime as dt

import pytest

from rag.people import Roster, SpeakerIndex
from rag.question.understanding import interpret
from rag.question.who import MIN_CONFIDENCE, resolve
from rag.types import DateSpan, StatementInfo

TODAY = dt.date(2026, 12, 5)


def info(
    sid: str, day: str, speakers: tuple[str, ...], offices=(), **metadata: object
) -> StatementInfo:
    return StatementInfo(
        id=sid,
        title=None,
        speaker=None,
        date=DateSpan.parse(day),
        source_url=None,
        content_hash=sid,
        passage_count=1,
        metadata=dict(metadata),
        speakers=speakers,
        offices=tuple(offices),
    )


def corpus() -> list[StatementInfo]:
    """A White House of 2021-2026 in miniature: two presidents, two first ladies, two vice
    presidents; the presidents far more often than their spouses."""
    statements = []
    for i in range(40):
        statements.append(
            info(f"biden-{i}", f"2022-{1 + i % 12:02d}-10", ("Biden",), [("president", "Biden")])
        )
    for i in range(20):
        statements.append(
            info(f"trump-{i}", f"2025-{1 + i % 12:02d}-21", ("Trump",), [("president", "Trump")])
        )
    statements.append(info("donald", "2025-03-01", ("Donald J. Trump",)))
    for i in range(6):
        statements.append(
            info(
                f"melania-{i}",
                f"2025-{3 + i:02d}-03",
                ("Melania Trump",),
                [("first lady", "Melania Trump")],
            )
        )
        statements.append(
            info(
                f"jill-{i}", f"2022-{3 + i:02d}-03", ("Jill Biden",), [("first lady", "Jill Biden")]
            )
        )
    statements.append(info("joint", "2023-11-20", ("Joe Biden", "Jill Biden")))
    for i in range(5):
        statements.append(
            info(
                f"harris-{i}",
                f"2023-0{1 + i}-05",
                ("Kamala Harris",),
                [("vice president", "Kamala Harris")],
            )
        )
    statements.append(info("vance", "2025-03-18", ("Vance",), [("vice president", "Vance")]))
    statements.append(info("joe", "2023-05-01", ("Joe Biden",)))
    return statements


@pytest.fixture(scope="module")
def roster() -> Roster:
    statements = corpus()
    counts: dict[str, int] = {}
    offices: dict[str, set[str]] = {}
    for s in statements:
        for name in s.speakers:
            counts[name] = counts.get(name, 0) + 1
        for office, name in s.offices:
            offices.setdefault(name, set()).add(office)
    passages = {name: 5 * n for name, n in counts.items()}
    return Roster.build(SpeakerIndex.build(counts, passages, offices), statements)


def read(question: str, roster: Roster, on_topic: dict[str, float] | None = None):
    meaning = interpret(question, roster.speakers.aliases(), TODAY, roster.years)
    return resolve(meaning, roster, meaning.since, meaning.until, MIN_CONFIDENCE, on_topic)


def test_a_surname_alone_goes_to_whom_it_is_written_for(roster: Roster) -> None:
    (trump,) = roster.speakers.resolve("Donald J. Trump")[:1]
    assert "Trump" in trump.aliases  # "President Trump" is Donald Trump, not Melania Trump
    (reading,) = read("What did Trump say about tariffs?", roster)
    assert reading.value == "Donald J. Trump" and reading.applied


def test_the_topic_weighs_who_a_surname_means(roster: Roster) -> None:
    """Melania Trump speaks of online safety; asked about it, "Trump" may well be her."""
    (plain,) = read("What did Trump say about deepfakes?", roster)
    (weighed,) = read("What did Trump say about deepfakes?", roster, {"Melania Trump": 8.0})
    assert plain.value == "Donald J. Trump"
    assert weighed.value == "Melania Trump" or weighed.confidence < plain.confidence


def test_an_honorific_says_which_trump(roster: Roster) -> None:
    (reading,) = read("What did Mrs. Trump tell the Security Council?", roster)
    assert reading.value == "Melania Trump" and reading.applied


def test_the_president_is_the_president_of_the_period(roster: Roster) -> None:
    (without,) = read("What did the President say about the Coast Guard?", roster)
    assert not without.applied and without.people == ()
    (in_2025,) = read("What did the President say about the Panama Canal in 2025?", roster)
    assert (in_2025.value, in_2025.applied) == ("Donald J. Trump", True)
    (in_2022,) = read("What did the President say about inflation in 2022?", roster)
    assert in_2022.value.endswith("Biden") and in_2022.applied


def test_an_office_held_by_one_person_needs_no_period(roster: Roster) -> None:
    (vp,) = read("What did the Vice President say about AI in March 2025?", roster)
    assert (vp.value, vp.applied) == ("Vance", True)
    (vp_2023,) = read("What did the Vice President say about AI in 2023?", roster)
    assert vp_2023.value == "Kamala Harris"


def test_the_family_speaks_together(roster: Roster) -> None:
    readings = read("What did the Bidens say when Rosalynn Carter died?", roster)
    assert {r.value for r in readings} == {"Joe Biden", "Jill Biden"}
    assert all(r.applied for r in readings)


def test_a_country_and_a_foreign_office_are_read_as_countries(roster: Roster) -> None:
    (japan,) = read("What did Japan's prime minister say at the UN in 2017?", roster)
    assert (japan.kind, japan.value, japan.countries, japan.confidence) == (
        "country",
        "Japan",
        ("JPN",),
        1.0,
    )
    assert read("How many troops did the United States send to Poland?", roster) == ()
