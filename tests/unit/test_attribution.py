"""rag/people/attribution.py: who speaks in a statement, a passage, a transcript turn, on real
text."""

from __future__ import annotations

import datetime as dt

import pytest

from rag.people.attribution import attribute, attributed_speakers
from rag.types import Statement
from tests.unit.conftest import FIXTURES
from tests.unit.records import (
    BIDEN_RUTO_CALL,
    MARINE_ONE,
    MELANIA,
    PRESS_CONFERENCE,
    QMSUM,
    attribute_record,
    sentences,
    turn_speakers,
)


def span_of(text: str, words: str) -> tuple[int, int]:
    """The sentence containing `words`."""
    at = text.index(words)
    return next((s, e) for s, e in sentences(text) if s <= at < e)


# ---- the seed statement ---------------------------------------------------------------------


def test_seed_statement_speakers_are_ruto_then_rubio(seed: Statement) -> None:
    result = attribute(seed.text, seed.title, seed.speaker, sentences(seed.text))

    assert result.statement_speakers == ("William Ruto", "Marco Rubio")
    assert result.turns == ()
    assert all(names[:2] == ("William Ruto", "Marco Rubio") for names in result.passage_speakers)


@pytest.mark.parametrize(
    ("words", "names"),
    [
        ("“We concurred on the imperative", ("William Ruto",)),  # "… Haiti,” Ruto stated.
        ("According to him, such an office", ("William Ruto",)),  # the last one named: Ruto
        ("In a statement, President Ruto said", ("William Ruto",)),
        ("The President noted that both parties", ("William Ruto",)),
        ("Ruto emphasized that the joint", ("William Ruto",)),
        ("Ruto and Rubio reaffirmed", ("William Ruto", "Marco Rubio")),
        ("“The United States remains one of Kenya’s key allies", ("William Ruto",)),
        ("Kenyan police officers are at the forefront", ()),
        ("They agreed to bolster cooperation", ()),
    ],
)
def test_seed_sentences_are_attributed_to_who_says_them(
    seed: Statement, words: str, names: tuple[str, ...]
) -> None:
    start, end = span_of(seed.text, words)

    assert attributed_speakers(seed.text, start, end, ["William Ruto"]) == names
    # Without known names the text itself gives the full name ("President William Ruto has …").
    assert attributed_speakers(seed.text, start, end, []) == names


def test_seed_without_metadata_is_attributed_from_its_text(seed: Statement) -> None:
    spans = sentences(seed.text)
    result = attribute(seed.text, None, None, spans)
    concurred = span_of(seed.text, "“We concurred")

    assert result.statement_speakers == ("William Ruto", "Marco Rubio")
    assert result.passage_speakers[spans.index(concurred)][0] == "William Ruto"


# ---- readouts and statements ----------------------------------------------------------------


def test_readout_names_both_participants_in_their_fullest_form() -> None:
    result = attribute_record(BIDEN_RUTO_CALL)

    # The title says "President Biden"; the text "President Joseph R. Biden, Jr.".
    assert result.statement_speakers == ("Joseph R. Biden Jr.", "William Ruto")
    assert set(result.passage_speakers) == {("Joseph R. Biden Jr.", "William Ruto")}


def test_a_quote_is_attributed_from_its_opening_to_its_speaker() -> None:
    text = MELANIA["text"]
    spans = sentences(text)
    result = attribute_record(MELANIA, spans)
    by_sentence = dict(zip(spans, result.passage_speakers, strict=True))

    assert result.statement_speakers == ("Melania Trump",)
    # “It’s heartbreaking … This toxic environment … harm,” said First Lady Melania Trump.
    assert by_sentence[span_of(text, "This toxic environment")] == ("Melania Trump",)
    # Senator Ted Cruz, commented: “For victims … Everyone has the right … recourse.”
    assert by_sentence[span_of(text, "Everyone\nhas the right")] == ("Melania Trump", "Ted Cruz")
    assert by_sentence[span_of(text, "That’s not just policy")] == (
        "Melania Trump",
        "Francesca Mani",
    )
    assert attributed_speakers(text, *span_of(text, "I share my"), []) == ("Elliston Berry",)


def test_every_fixture_statement_gets_a_speaker(fixture_statements: tuple[Statement, ...]) -> None:
    missing = [
        s.id
        for s in fixture_statements
        if not attribute(s.text, s.title, s.speaker, []).statement_speakers
        and "11 House Democrats" not in (s.title or "")  # a readout that names nobody
    ]
    assert missing == []


# ---- White House transcripts ----------------------------------------------------------------


def test_transcript_passages_get_only_the_speakers_of_their_turns() -> None:
    text = MARINE_ONE["text"]
    question = text.index("Have you invited")
    answer = text.index("I haven’t yet")
    spans = [(question, question + 20), (question, answer + 5), (answer, answer + 5), (0, 10)]

    result = attribute_record(MARINE_ONE, spans)

    assert result.statement_speakers == ("Biden",)
    # A question alone has no speaker; the preamble ("South Lawn") is the statement's.
    assert result.passage_speakers == ((), ("Biden",), ("Biden",), ("Biden",))


def test_joint_press_conference_passages_follow_the_floor() -> None:
    text = PRESS_CONFERENCE["text"]
    ruto = text.index("PRESIDENT RUTO:")
    first_question = text.index("\nQ ") + 1
    spans = [(ruto, ruto + 200), (ruto - 50, ruto + 50), (first_question, first_question + 50)]

    result = attribute_record(PRESS_CONFERENCE, spans)

    assert result.statement_speakers == ("Biden", "William Ruto")
    assert result.passage_speakers == (("William Ruto",), ("Biden", "William Ruto"), ())
    assert {t.label for t in result.turns} == {"PRESIDENT BIDEN", "PRESIDENT RUTO", "Q"}


# ---- committee transcripts ------------------------------------------------------------------


def test_committee_turn_speakers_are_cleaned() -> None:
    record = QMSUM["qmsum-train-00"]
    result = attribute_record(record)

    assert turn_speakers(result.turns) == [
        ("Lynne Neagle AM", "Lynne Neagle"),
        ("Carol Shillabeer", "Carol Shillabeer"),
        ("Lynne Neagle AM", "Lynne Neagle"),
        ("Carol Shillabeer", "Carol Shillabeer"),
        ("Lynne Neagle AM", "Lynne Neagle"),
        ("Janet Finch-Saunders AM", "Janet Finch-Saunders"),
    ]
    # "Item 2 this morning, then, is …" is inside the chair's turn, not a turn of its own.
    item = record["text"].index("Item 2 this morning")
    assert result.turns[0].start < item < result.turns[0].end
    # Who spoke most comes first.
    assert result.statement_speakers == ("Carol Shillabeer", "Lynne Neagle", "Janet Finch-Saunders")


# ---- UN speeches ----------------------------------------------------------------------------


def test_un_speeches_take_their_cleaned_speaker_field(
    fixture_statements: tuple[Statement, ...],
) -> None:
    speeches = {s.id: s for s in fixture_statements if s.id in ("KEN_78_2023", "BRA_79_2024")}
    kenya = attribute(speeches["KEN_78_2023"].text, None, "William Samoei Ruto", [(0, 100)])
    brazil = attribute(speeches["BRA_79_2024"].text, None, "Lula da Silva", [(0, 100)])
    ruto_2016 = attribute(speeches["KEN_78_2023"].text, None, "Mr. William Ruto", [(0, 100)])

    assert kenya.statement_speakers[0] == "William Samoei Ruto"
    assert kenya.passage_speakers[0][0] == "William Samoei Ruto"
    assert brazil.statement_speakers[0] == "Lula da Silva"
    assert ruto_2016.statement_speakers[0] == "William Ruto"
    assert kenya.turns == brazil.turns == ()


def test_fixtures_are_where_provenance_says() -> None:
    provenance = (FIXTURES / "PROVENANCE").read_text(encoding="utf-8")
    for name in ("remarks-sample.ndjson", "qmsum-sample.ndjson", "statements-sample.ndjson"):
        assert name in provenance and (FIXTURES / name).is_file()


# ---- statements an office issues unsigned ---------------------------------------------------

# The opening and close of "Presidential Message on the 2025 Daytona 500" (whitehouse.gov,
# 2025-02-16, via ../shared/data/whitehouse/statements.jsonl.gz): no signature, no speaker.
DAYTONA = (
    "Today, I look forward to joining tens of thousands of American Patriots in Daytona Beach, "
    "Florida, for the “Great American Race”—the legendary Daytona 500—and the official start "
    "to the 2025 NASCAR Cup Series.\n\nMelania and I send our best wishes for a safe and "
    "successful race. May God bless our Armed Forces, and may He continue to bless the United "
    "States of America."
)


@pytest.mark.parametrize(
    ("title", "day", "speaker"),
    [
        ("Presidential Message on the 2025 Daytona 500", dt.date(2025, 2, 16), "Donald J. Trump"),
        (
            "America 250: Presidential Message on the Daytona 500",
            dt.date(2026, 2, 15),
            "Donald J. Trump",
        ),
        ("A Proclamation on the Daytona 500", dt.date(2022, 2, 20), "Joe Biden"),
        ("Message on National Nurses Day, 2025", dt.date(2025, 5, 6), "Donald J. Trump"),
    ],
)
def test_an_unsigned_message_speaks_for_the_office_holder_on_its_date(
    title: str, day: dt.date, speaker: str
) -> None:
    found = attribute(DAYTONA, title, None, [(0, len(DAYTONA))], day)
    assert found.statement_speakers == (speaker,)
    assert found.passage_speakers == ((speaker,),)
    assert ("president", speaker) in found.offices


def test_only_the_offices_own_titles_and_dated_statements_get_a_holder() -> None:
    spans = [(0, len(DAYTONA))]
    for title in ("Readout of Peace Talks in Geneva", "First Lady Melania Trump’s Message"):
        found = attribute(DAYTONA, title, None, spans, dt.date(2025, 2, 16))
        assert "Donald J. Trump" not in found.statement_speakers
    undated = attribute(DAYTONA, "Presidential Message on the Daytona 500", None, spans, None)
    assert undated.statement_speakers == ()
    signed = DAYTONA + "\n\nJOSEPH R. BIDEN JR."
    found = attribute(signed, "A Proclamation on X", None, [(0, len(signed))], dt.date(2025, 3, 1))
    assert "Donald J. Trump" not in found.statement_speakers  # the signature wins
