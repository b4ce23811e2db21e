"""rag/people/offices.py: offices named without a person, compared as offices."""

from __future__ import annotations

import pytest

from rag.people import find_offices, office_key, same_office


@pytest.mark.parametrize(
    ("question", "offices"),
    [
        ("What did the President say about the Coast Guard?", ["president"]),
        ("What did the Vice President announce in April 2025?", ["vice president"]),
        ("What did the national security adviser say?", ["national security advisor"]),
        ("According to the press secretary in April 2021, where?", ["press secretary"]),
        ("What did the Second Gentleman say?", ["second gentleman"]),
        ("What did the Emir of Qatar say about Gaza?", ["emir"]),
        ("What did Japan's prime minister say?", ["prime minister"]),
        # A name after the office makes it a person; a proper noun after it, not an office.
        ("What did President Biden tell President Zelenskyy?", []),
        ("What did India say at the UN General Assembly?", []),
        ("lavrov un general assembly 2022", []),
        ("What did Secretary for Strategic Affairs Gustavo Beliz say?", []),
    ],
)
def test_offices_in_a_question(question: str, offices: list[str]) -> None:
    assert [m.office for m in find_offices(question)] == offices


def test_offices_compare_as_offices() -> None:
    assert office_key("His Majesty King") == "king"
    assert office_key("Homeland Security Advisor Dr.") == "homeland security advisor"
    assert office_key("First Lady") == "first lady"
    assert same_office("press secretary", "white house press secretary")
    assert same_office("spokesperson", "nsc spokesperson")
    assert not same_office("president", "vice president")
    assert not same_office("national security advisor", "deputy national security advisor")
    assert not same_office("secretary", "press secretary")


@pytest.mark.parametrize(
    "question",
    [
        "What did the UN Secretary-General say about Bitcoin?",
        "What did the Secretary-General of the UN say about cryptocurrency?",
        "What did the Secretary-General of the United Nations say about Gaza?",
    ],
)
def test_the_un_secretary_general_is_one_office(question: str) -> None:
    assert [m.office for m in find_offices(question)] == ["secretary-general"]
