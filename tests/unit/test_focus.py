"""rag/question/focus.py: what a question asks for beyond who and when."""

from __future__ import annotations

import pytest

from rag.question.focus import read_focus


def test_named_things_are_runs_of_capitalised_topic_words() -> None:
    question = "What did the White House say about NASA's Europa Clipper mission?"
    focus = read_focus(question, "White House NASA Europa Clipper mission")

    assert [n.text for n in focus.named] == ["White House", "NASA's Europa Clipper"]
    assert focus.named[1].head == "clippe"


def test_connecting_words_join_one_name_and_titles_are_no_name() -> None:
    question = "What did the UN Secretary-General say about the Democratic Republic of the Congo?"
    focus = read_focus(question, "UN Secretary-General Democratic Republic Congo")

    assert [n.text for n in focus.named] == ["UN", "Democratic Republic of the Congo"]


def test_speakers_and_the_first_word_are_not_named_things() -> None:
    focus = read_focus("Bitcoin: what did Ruto say?", "Bitcoin Ruto", ["William Ruto"])
    assert focus.named == ()
    assert read_focus("WHAT DID RUTO SAY ABOUT BITCOIN?", "BITCOIN").named == ()


@pytest.mark.parametrize(
    ("question", "wants"),
    [
        ("How many Kenyan police officers are in Haiti?", "number"),
        ("What share of Mauritanians have drinking water?", "number"),
        ("By what year did Modi say India would end tuberculosis?", "date"),
        ("When did Biden call Ruto?", "date"),
        ("Where did Harris host Ramaphosa?", "place"),
        ("Which leaders did Biden meet in New York?", "name"),
        ("Who did FEMA name to coordinate the recovery?", "name"),
        ("What did Ruto say about Haiti?", None),
    ],
)
def test_the_kind_of_value_asked_for(question: str, wants: str | None) -> None:
    assert read_focus(question, None).wants == wants


def test_the_kind_word_is_not_topic_and_about_marks_the_core() -> None:
    focus = read_focus(
        "By what year did Modi say India aims to end tuberculosis?", "year aims end tuberculosis"
    )
    assert "year" not in focus.terms.values() and "tuberculosis" in focus.terms.values()

    revolution = read_focus(
        "What did the White House say about the American Revolution?",
        "White House American Revolution",
    )
    assert revolution.core == {"americ", "revolu"}


def test_the_relation_brings_the_words_that_say_it() -> None:
    focus = read_focus("What did Ruto and Rubio agree about the office?", "agree office")
    assert {"agree", "concur"} <= focus.relation
    assert read_focus("What did Biden and Ruto discuss?", "").listing
