"""rag/people/turns.py: transcript turns and who holds the floor in each, on real transcripts."""

from __future__ import annotations

from itertools import pairwise

from rag.people.turns import find_turns, voice_at
from tests.unit.records import (
    AIR_FORCE_ONE,
    BRIEFING,
    LUNCHEON,
    MARINE_ONE,
    QMSUM,
    WHITEHOUSE,
    attribute_record,
    turn_speakers,
)

# Real texts with colons that are not speaker labels, verbatim from
# shared/data/whitehouse/statements.jsonl.gz (statements-releases/2021-03/2021-03-16-nominations-
# sent-to-the-senate-5, and the end of releases/2026-08/2026-08-05-fbi-secretly-opened-probe-...).
NOMINATIONS = (
    "NOMINATIONS SENT TO THE SENATE:\xa0\xa0\xa0\n\n\xa0\xa0\xa0\xa0Christopher Charles Fonzone, "
    "of Pennsylvania, to be General Counsel\nof the Office of the Director of National "
    "Intelligence, vice Jason\nKlitenic, resigned.\n\n\xa0\xa0\xa0\xa0 Janie Simms Hipp, of "
    "Arkansas, to be General Counsel of the\nDepartment of Agriculture, vice Stephen Alexander "
    "Vaden.\n\n\\###"
)
EDITORS_NOTE = (
    "another character and\xa0interpret\xa0it\xa0as evidence of collusion.”\n\n*Editor’s Note: "
    "John Solomon is on leave as Editor in Chief of Just the\nNews while working as the "
    "chairman of the White House Government\nTransparency Task Force. He wrote this story for "
    "the White House\nWebsite, which is allowing any media to publish it.*"
)


# ---- statements in prose --------------------------------------------------------------------


def test_statements_in_prose_have_no_turns() -> None:
    for record in WHITEHOUSE.values():
        assert find_turns(record["text"], record["title"], []) == (), record["title"]
    assert find_turns(NOMINATIONS, "Nominations Sent to the Senate", []) == ()
    assert find_turns(EDITORS_NOTE, None, []) == ()


# ---- White House transcripts ----------------------------------------------------------------


def test_the_president_is_the_titles_president_and_q_is_nobody() -> None:
    text = MARINE_ONE["text"]
    turns = find_turns(text, MARINE_ONE["title"], [])

    assert turn_speakers(turns) == [
        ("Q", None),
        ("THE PRESIDENT", "Biden"),
        ("Q", None),
        ("THE PRESIDENT", "Biden"),
        ("Q", None),
        ("THE PRESIDENT", "Biden"),
    ]
    assert text[turns[1].start : turns[1].end].startswith("THE PRESIDENT:\xa0 I haven’t yet")
    assert text[turns[0].start : turns[0].end] == (
        "Q\xa0\xa0\xa0 Have you invited President Xi and Putin to the climate summit?"
    )
    assert all(a.end <= b.start for a, b in pairwise(turns))


def test_wide_spaced_transcripts_end_at_end() -> None:
    text = AIR_FORCE_ONE["text"]
    turns = find_turns(text, AIR_FORCE_ONE["title"], [])

    assert {t.speaker for t in turns} == {"Trump", None}
    assert {t.label for t in turns if t.speaker is None} == {"Q"}
    assert text[turns[-1].start : turns[-1].end] == "THE PRESIDENT:\xa0 I will."


def test_a_press_secretary_label_takes_her_name_from_the_title() -> None:
    turns = find_turns(BRIEFING["text"], BRIEFING["title"], [])

    assert turn_speakers(turns)[:3] == [
        ("MS. JEAN-PIERRE", "Karine Jean-Pierre"),
        ("Q", None),
        ("MS. JEAN-PIERRE", "Karine Jean-Pierre"),
    ]


def test_labels_resolve_to_the_titles_people() -> None:
    turns = find_turns(LUNCHEON["text"], LUNCHEON["title"], [])

    assert dict(turn_speakers(turns)) == {
        "VICE PRESIDENT HARRIS": "Harris",
        "SECRETARY BLINKEN": "Blinken",
        "THE VICE PRESIDENT": "Harris",
        "PRESIDENT RUTO": "William Ruto",
        "AUDIENCE": None,
    }


def test_statement_speakers_resolve_a_label_to_their_spelling() -> None:
    turns = find_turns(LUNCHEON["text"], LUNCHEON["title"], ["William Samoei Ruto"])

    assert {t.speaker for t in turns if t.label == "PRESIDENT RUTO"} == {"William Samoei Ruto"}


# ---- committee transcripts ------------------------------------------------------------------


def test_the_chair_keeps_the_name_given_once() -> None:
    record = QMSUM["qmsum-val-00"]
    turns = find_turns(record["text"], record["title"], [])

    assert [t.speaker for t in turns] == [
        "Anthony Rota",
        "Paul Manly",
        "Anthony Rota",  # "The Chair", named in the first turn's label
        "Pierre Poilievre",
        "Anthony Rota",
        "Andrew Scheer",
        "Justin Trudeau",
        "Andrew Scheer",
        "Justin Trudeau",
        "Andrew Scheer",
        "Justin Trudeau",
        "Andrew Scheer",
    ]
    passage = record["text"].index("Right Hon. Justin Trudeau (Prime Minister)")
    result = attribute_record(record, [(passage, passage + 300)])
    assert result.passage_speakers == (("Justin Trudeau",),)


def test_a_reporters_question_is_nobodys_own_words() -> None:
    text = (
        "THE PRESIDENT:  We need Greenland for national security.\n\n"
        "Q  What is your vision for the potential annexation of Greenland?\n\n"
        "THE PRESIDENT:  Well, I think it will be worked out."
    )
    speakers = ["Donald J. Trump"]
    assert voice_at(text, 5, speakers) == "Donald J. Trump"
    assert voice_at(text, text.index("What is your vision"), speakers) is None
    assert voice_at(text, text.index("Well, I think"), speakers) == "Donald J. Trump"
    assert voice_at("No labels in a speech here.", 3, ["William Ruto"]) == "William Ruto"
