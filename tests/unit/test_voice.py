"""A passage in its speaker's own voice (a speech, a turn) versus one reporting them."""

from __future__ import annotations

import pytest

from rag.people.voice import first_person

# Sentences of the seed statement (tests/fixtures/ruto-rubio-call.md), KEN_78_2023 and a
# White House remarks transcript, shortened.
SPOKEN = [
    "Doing nothing in the face of the historic isolation of the people of Haiti is out of the "
    "question. We are ready to lead, and our officers will deploy.",
    "THE PRESIDENT: Well, I think we made real progress today.",
    "As I said last year, we stand with Haiti.",
]
REPORTED = [
    "In a statement, President Ruto said the talks centered on ongoing international efforts "
    "to stabilize Haiti, where Kenya is leading the MSS mission.",
    "“We concurred on the imperative and support,” Ruto stated. According to him, such an "
    "office would help our partners.",
    "President Biden also congratulated President Ruto for hosting the summit.",
    "We will be there, he said, and we will stay.",
]


@pytest.mark.parametrize("text", SPOKEN)
def test_first_person_speech_is_the_speakers_own_words(text: str) -> None:
    assert first_person(text)


@pytest.mark.parametrize("text", REPORTED)
def test_reported_speech_is_not(text: str) -> None:
    assert not first_person(text)
