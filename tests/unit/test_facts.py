"""rag/answering/facts.py: numbers, dates and names read the same way from a claim and a text."""

from __future__ import annotations

import pytest

from rag.answering.facts import found, read_evidence, stated


def _facts(sentence: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in stated(sentence)]


def test_a_sentence_states_its_dates_numbers_names_and_negation_in_order() -> None:
    sentence = "On 5 December 2022, Kenya did not send 2,500 officers to the UN mission in Haiti."

    assert _facts(sentence) == [
        ("date", "5 December 2022"),
        ("name", "Kenya"),
        ("negation", "not"),
        ("number", "2,500"),
        ("name", "UN"),
        ("name", "Haiti"),
    ]


def test_titles_months_and_ordinary_sentence_openers_are_not_names() -> None:
    assert _facts("However, President Ruto spoke in May 2024.") == [
        ("name", "Ruto"),
        ("date", "May 2024"),
    ]
    assert _facts("First, the leaders met.") == []


@pytest.mark.parametrize(
    ("claim", "text"),
    [
        ("2,500 personnel", "grow to 2500 police officers"),
        ("$300 million", "providing over $300 million"),
        ("5 million Haitians", "nearly five million Haitians"),
        ("17 percent of targets", "Only 17% of targets"),
        ("the 79th session", "the 79th Session"),
        ("the fifth round", "the 5th round"),
        ("1.4 billion people", "representing 1.4 billion people"),
    ],
)
def test_numbers_are_found_however_either_side_writes_them(claim: str, text: str) -> None:
    (number,) = stated(claim)[:1]

    assert number.kind == "number"
    assert found(number, read_evidence(text))


@pytest.mark.parametrize(
    ("claim", "text", "expected"),
    [
        ("October 2023", "Readout | 2023-10-03", True),
        ("3 October", "October 3, 2023", True),
        ("in 2023", "3 October 2023", True),
        ("3 October 2023", "October 2023", False),
        ("May 2023", "the May 2024 Kenya State Visit", False),
    ],
)
def test_a_date_is_found_if_the_text_gives_at_least_as_much(
    claim: str, text: str, expected: bool
) -> None:
    (date,) = (f for f in stated(claim) if f.kind == "date")

    assert found(date, read_evidence(text)) is expected


@pytest.mark.parametrize(
    ("claim", "text", "expected"),
    [
        ("He met Secretary Marco Rubio.", "Secretary Rubio", True),
        ("He met Antony Blinken.", "Secretary Rubio", False),
        ("He met South Sudan's leaders.", "the conflict in the Sudan", False),
        ("He thanked Kenyan police.", "Kenya's police", True),
        ("He thanked the Haitians.", "the people of Haiti", True),
        ("He met the United Nations.", "the UN office", True),
        ("He met the UN.", "the United Nations Security Council", True),
        ("He met the US envoy.", "he told us", False),
        ("He met the US envoy.", "the U.S.-Kenya partnership", True),
    ],
)
def test_names(claim: str, text: str, expected: bool) -> None:
    names = [f for f in stated(claim) if f.kind == "name"]

    assert all(found(name, read_evidence(text)) for name in names) is expected
