"""rag/question/conversation.py: follow-up questions made standalone with what the one before
named."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pytest

from rag.people.mentions import AliasIndex
from rag.question.conversation import follow_up, standalone
from rag.question.understanding import interpret

ALIASES = AliasIndex.build(
    {
        "william ruto": ("William Samoei Ruto",),
        "ruto": ("William Samoei Ruto",),
        "joe biden": ("Joe Biden",),
        "biden": ("Joe Biden",),
        "kamala harris": ("Kamala Harris",),
        "harris": ("Kamala Harris",),
        "marco rubio": ("Marco Rubio",),
        "rubio": ("Marco Rubio",),
    }
)
read = partial(interpret, aliases=ALIASES, today=dt.date(2026, 1, 15))
HAITI = "What did Ruto say about Haiti?"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("and what about DRC?", "What did Ruto say about DRC?"),
        ("And the DRC?", "What did Ruto say about DRC?"),
        ("What about climate change?", "What did Ruto say about climate change?"),
        ("How about Biden?", "What did Biden say about Haiti?"),
        ("Biden?", "What did Biden say about Haiti?"),
        ("and in 2024?", "What did Ruto say about Haiti in 2024?"),
        ("And Harris on security in 2025?", "What did Harris say about security in 2025?"),
        ("Did he mention the DRC?", "Did Ruto mention the DRC?"),
        ("What was his view on the DRC?", "What was Ruto's view on the DRC?"),
        ("When did they talk about Sudan?", "When did Ruto talk about Sudan?"),
    ],
)
def test_a_follow_up_takes_what_it_leaves_out_from_the_question_before(
    question: str, expected: str
) -> None:
    assert follow_up(question, HAITI, read) == expected


@pytest.mark.parametrize(
    "question",
    [
        "What did Biden say about the DRC?",  # its own speaker and topic
        "And what did Biden say about Haiti?",
        "Which statements mention a security support office for the mission?",  # not a follow-up
    ],
)
def test_a_question_that_stands_on_its_own_is_left_as_it_is(question: str) -> None:
    assert follow_up(question, HAITI, read) == question


def test_a_chain_of_follow_ups_keeps_the_speaker() -> None:
    questions = [HAITI, "and what about DRC?", "And in 2024?", "what about Biden?"]

    assert standalone(questions, read) == "What did Biden say about DRC in 2024?"


def test_a_period_replaces_the_period_before() -> None:
    assert (
        follow_up("and in 2024?", "What did Ruto say about Haiti in 2023?", read)
        == "What did Ruto say about Haiti in 2024?"
    )


def test_a_new_speaker_after_a_question_without_one_is_asked_about_its_topic() -> None:
    assert (
        follow_up("What about Ruto?", "What was said about Haiti?", read)
        == "What did Ruto say about Haiti?"
    )


@pytest.mark.parametrize("question", ["Why?", "and?", "Thanks!"])
def test_a_follow_up_naming_nothing_is_left_as_it_is(question: str) -> None:
    assert follow_up(question, HAITI, read) == question


def test_one_question_is_its_own_standalone_form() -> None:
    assert standalone(["  What did Ruto say about Haiti?  "], read) == HAITI
    with pytest.raises(ValueError):
        standalone([], read)
