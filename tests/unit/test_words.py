"""rag/text/words.py: comparable stems, and the topic of a question."""

from __future__ import annotations

import pytest

from rag.text.words import content_terms, stem, topic_terms, words


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("stabilise", "stabilize"),
        ("negotiation", "negotiations"),
        ("talk", "talks"),
        ("Kenya", "Kenya's"),
        ("Kenya", "Kenya’s"),
        ("mission", "missions"),
    ],
)
def test_variants_share_a_stem(a: str, b: str) -> None:
    assert stem(a.lower()) == stem(b.lower())


@pytest.mark.parametrize(("a", "b"), [("haiti", "kenya"), ("bus", "bust"), ("drc", "sadc")])
def test_different_words_have_different_stems(a: str, b: str) -> None:
    assert stem(a) != stem(b)


@pytest.mark.parametrize("word", ["press", "business", "gas", "us"])
def test_short_words_and_double_s_keep_their_final_s(word: str) -> None:
    assert stem(word) == word[:6]


def test_words_are_folded_to_lower_case_without_accents() -> None:
    assert words("António Guterres, São Paulo: Kenya’s CHIEF") == [
        "antonio",
        "guterres",
        "sao",
        "paulo",
        "kenya’s",
        "chief",
    ]


def test_content_terms_drop_stopwords_and_keep_the_first_surface_word() -> None:
    terms = content_terms("The talks and the Talks on Haiti were about stabilising it")
    assert terms == {"talk": "talks", "haiti": "haiti", "stabil": "stabilising"}


def test_topic_terms_drop_frame_words_and_speaker_names() -> None:
    topic = topic_terms(
        "What did William Ruto say about Haiti and discuss regarding the DRC?",
        ["William Samoei Ruto"],
    )
    assert topic == {"haiti": "haiti", "drc": "drc"}


@pytest.mark.parametrize(
    "question",
    [
        "What did Ruto say?",
        "What did Ruto discuss?",
        "What were Ruto's remarks?",
        "What was Ruto's position, according to the statements?",
    ],
)
def test_a_question_only_about_a_speaker_has_no_topic(question: str) -> None:
    assert topic_terms(question, ["William Ruto"]) == {}


def test_speaker_names_are_kept_when_not_given_as_speakers() -> None:
    assert topic_terms("What did Biden say about Ruto?", ["Joe Biden"]) == {"ruto": "ruto"}
