"""rag/attribution.py: who speaks in a statement, a passage, a transcript turn, on real text."""

from __future__ import annotations

import json
import time
from itertools import pairwise

import pytest

from rag.attribution import (
    Attribution,
    Turn,
    attribute,
    attributed_speakers,
    clean_name,
    find_turns,
    title_speakers,
)
from rag.chunking import split_sentences
from rag.types import Statement
from tests.unit.conftest import FIXTURES

Record = dict[str, str]


def _records(name: str) -> dict[str, Record]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return {record["id"]: record for record in map(json.loads, lines)}


REMARKS = _records("remarks-sample.ndjson")
QMSUM = _records("qmsum-sample.ndjson")
WHITEHOUSE = _records("whitehouse-sample.jsonl")
MELANIA = next(iter(_records("statements-sample.ndjson").values()))

MARINE_ONE = REMARKS[
    "speeches-remarks/2021-03/2021-03-26-remarks-by-president-biden-before-marine-one-departure"
]
AIR_FORCE_ONE = REMARKS[
    "remarks/2025-01/2025-01-24-remarks-by-president-trump-before-air-force-one-departure"
]
BRIEFING = REMARKS[
    "speeches-remarks/2023-06/2023-06-07-press-briefing-by-press-secretary-karine-jean-pierre-38"
]
LUNCHEON = REMARKS[
    "speeches-remarks/2024-05/2024-05-24-remarks-by-vice-president-harris-and-president-william-"
    "ruto-of-the-republic-of-kenya-at-a-state-luncheon"
]
PRESS_CONFERENCE = REMARKS[
    "speeches-remarks/2024-05/2024-05-23-remarks-by-president-biden-and-president-william-ruto-of-"
    "the-republic-of-kenya-in-joint-press-conference"
]
BIDEN_RUTO_CALL = WHITEHOUSE[
    "statements-releases/2023-10/"
    "2023-10-03-readout-of-president-bidens-call-with-president-william-ruto-of-kenya"
]

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


def sentences(text: str) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in split_sentences(text)]


def span_of(text: str, words: str) -> tuple[int, int]:
    """The sentence containing `words`."""
    at = text.index(words)
    return next((s, e) for s, e in sentences(text) if s <= at < e)


def attribute_record(record: Record, spans: list[tuple[int, int]] | None = None) -> Attribution:
    text = record["text"]
    return attribute(text, record.get("title"), record.get("speaker"), spans or sentences(text))


def turn_speakers(turns: tuple[Turn, ...]) -> list[tuple[str, str | None]]:
    return [(t.label, t.speaker) for t in turns]


# ---- clean_name -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        # UN General Debate speaker fields
        ("Mr. William Ruto", "William Ruto"),
        ("William Samoei Ruto", "William Samoei Ruto"),
        ("Mr. Teodoro L. Locsin, Jr.", "Teodoro L. Locsin Jr."),
        ("Joseph R. Biden, Jr", "Joseph R. Biden Jr."),
        ("Dr. Lotay Tshering, MBBS, MD", "Lotay Tshering"),
        ("Mr. Scott Morrison, MP", "Scott Morrison"),
        ("His Highness Sheikh Tamim bin Hamad Al-Thani", "Tamim bin Hamad Al-Thani"),
        ("Emir Sheikh Tamim bin\nHamad Al-Thani", "Tamim bin Hamad Al-Thani"),
        ("Lula da Silva", "Lula da Silva"),
        # QMSum committee speakers
        ("Lynne Neagle AM", "Lynne Neagle"),
        ("The Chair (Hon. Anthony Rota (NipissingTimiskaming, Lib.))", "Anthony Rota"),
        ("The Acting Chair (Mr. Bruce Stanton)", "Bruce Stanton"),
        ("Right Hon. Justin Trudeau", "Justin Trudeau"),
        ("Right Hon. Justin Trudeau (Prime Minister)", "Justin Trudeau"),
        ("Mr. Andrew Scheer (Regina—Qu'Appelle, CPC)", "Andrew Scheer"),
        ("Hon. Bill Blair (Minister of Public Safety and Emergency Preparedness)", "Bill Blair"),
        ("Mr. Chris d'Entremont", "Chris d'Entremont"),
        ("Dr David Blaney", "David Blaney"),
        # titles and White House transcript labels
        ("President William Ruto of Kenya", "William Ruto"),
        ("PRESIDENT RUTO", "Ruto"),
        ("MS. JEAN-PIERRE", "Jean-Pierre"),
        ("SECRETARY GENERAL RUTTE", "Rutte"),
        ("PRESIDENT VON DER LEYEN", "von der Leyen"),
        ("MS. MCGILL JOHNSON", "McGill Johnson"),
        ("JOSEPH R. BIDEN JR.", "Joseph R. Biden Jr."),
    ],
)
def test_clean_name_keeps_the_name_and_drops_the_rest(raw: str, name: str) -> None:
    assert clean_name(raw) == name


@pytest.mark.parametrize(
    ("raw", "name"), [("The Chair", "The Chair"), ("THE PRESIDENT", "The President")]
)
def test_a_role_alone_stays_as_written(raw: str, name: str) -> None:
    assert clean_name(raw) == name


# ---- titles ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "names"),
    [
        (
            "Readout of President Biden’s Call with President William Ruto of Kenya",
            ("Biden", "William Ruto"),
        ),
        (
            "Readout of President Biden’s Meeting with President Guy Parmelin and Foreign Minister "
            "Ignazio Cassis of Switzerland",
            ("Biden", "Guy Parmelin", "Ignazio Cassis"),
        ),
        (
            "Readout of President Joseph R. Biden, Jr. Call with Prime Minister Kyriakos "
            "Mitsotakis of Greece",
            ("Joseph R. Biden Jr.", "Kyriakos Mitsotakis"),
        ),
        (
            "Readout of President Biden’s Call with Amir Sheikh Tamim Bin Hamad Al-Thani of Qatar",
            ("Biden", "Tamim Bin Hamad Al-Thani"),
        ),
        (
            "Joint Readout of the Meeting Between President Joseph R. Biden, Jr. and Prime "
            "Minister Mario Draghi",
            ("Joseph R. Biden Jr.", "Mario Draghi"),
        ),
        (
            "Readout from NSC Spokesperson Emily Horne on National Security Advisor Jake "
            "Sullivan’s Call with Israeli National Security Advisor Meir Ben-Shabbat Regarding "
            "the Situation in Jerusalem",
            ("Emily Horne", "Jake Sullivan", "Meir Ben-Shabbat"),
        ),
        (
            "Readout of National Security Advisor Jake Sullivan’s Meeting with Frans Timmermans, "
            "Executive Vice President of the European Commission",
            ("Jake Sullivan", "Frans Timmermans"),
        ),
        ("Readout of President Biden’s Call with Allies and Partners", ("Biden",)),
        (
            "Readout: Trilateral Meeting of Prime Minister Boris Johnson of the United Kingdom, "
            "President Joe Biden, and Prime Minister Scott Morrison of Australia",
            ("Boris Johnson", "Joe Biden", "Scott Morrison"),
        ),
        (
            "Readout of National Security Advisor to the Vice President Phil Gordon’s Meeting "
            "with Muslim, Arab, and Palestinian American Community Leaders",
            ("Phil Gordon",),
        ),
        ("Statement by Press Secretary to the Vice President Kirsten Allen", ("Kirsten Allen",)),
        (
            "Statement by National Security Advisor Jake Sullivan on Iran’s Missile and Drone "
            "Attacks in Northern Iraq",
            ("Jake Sullivan",),
        ),
        (
            "Statement from President Joe Biden on the 60th Anniversary of the Equal Pay Act",
            ("Joe Biden",),
        ),
        (
            "Statement by White House Press Secretary Karine Jean-Pierre on the Bilateral Meeting "
            "Between President Joe Biden and President Alberto Fernández of Argentina",
            ("Karine Jean-Pierre",),
        ),
        (
            "Statement by Deputy National Security Advisor for Cyber and Emerging Technology Anne "
            "Neuberger on Reporting Kaseya Compromises",
            ("Anne Neuberger",),
        ),
        (
            "Statement from White House COVID-\u206019 Response Coordinator Jeff Zients on First "
            "Case of the Omicron COVID-\u206019 Variant in the United States",
            ("Jeff Zients",),
        ),
        (
            "Statement of President Joe Biden and First Lady Jill Biden on Diwali",
            ("Joe Biden", "Jill Biden"),
        ),
        (
            "Remarks by President Biden and President William Ruto of the Republic of Kenya in "
            "Joint Press Conference",
            ("Biden", "William Ruto"),
        ),
        (
            "Remarks by President Biden, Lt. Gov. Austin Davis, Sen. John Fetterman, Rep. "
            "Madeleine Dean, and Felicia Spriggs-Wilkerson at a Campaign Event | Harrisburg, PA",
            (
                "Biden",
                "Austin Davis",
                "John Fetterman",
                "Madeleine Dean",
                "Felicia Spriggs-Wilkerson",
            ),
        ),
        (
            "Remarks as Prepared for Delivery by First Lady Jill Biden at Rhode Island College",
            ("Jill Biden",),
        ),
        (
            "Press Briefing by Press Secretary Karine Jean-Pierre and NSC Coordinator for "
            "Strategic Communications John Kirby",
            ("Karine Jean-Pierre", "John Kirby"),
        ),
        (
            "President Joseph R. Biden, Jr. Approves Kansas Disaster Declaration",
            ("Joseph R. Biden Jr.",),
        ),
        (
            "Joint Statement by President Biden and President von der Leyen on European Energy "
            "Security",
            ("Biden", "von der Leyen"),
        ),
        (
            "Joint Statement on F-16s for Ukraine from U.S. President Joseph R. Biden, Dutch Prime "
            "Minister Dick Schoof, and Danish Prime Minister Mette Frederiksen",
            ("Joseph R. Biden", "Dick Schoof", "Mette Frederiksen"),
        ),
        (
            "President Ruto on his call with US Secretary of State Marco Rubio",
            ("Ruto", "Marco Rubio"),
        ),
    ],
)
def test_title_speakers_name_authors_and_both_parties(title: str, names: tuple[str, ...]) -> None:
    assert title_speakers(title) == names


@pytest.mark.parametrize(
    "title",
    [
        None,
        "Statement by the President",
        "Joint Statement from India and the United States",
        "Readout of White House Roundtable with Civil Rights Leaders on Equitable Implementation "
        "of the Bipartisan Infrastructure Law",
        "Background Press Call by Senior Administration Officials on Afghan Arrival Processing",
        "FACT SHEET: U.S. Support to Small Island Developing States",
        "Press Release: Nominations Sent to the Senate",
    ],
)
def test_titles_without_a_clear_name_give_none(title: str | None) -> None:
    assert title_speakers(title) == ()


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


def test_statements_in_prose_have_no_turns() -> None:
    for record in WHITEHOUSE.values():
        assert find_turns(record["text"], record["title"], []) == (), record["title"]
    assert find_turns(NOMINATIONS, "Nominations Sent to the Senate", []) == ()
    assert find_turns(EDITORS_NOTE, None, []) == ()


def test_every_fixture_statement_gets_a_speaker(fixture_statements: tuple[Statement, ...]) -> None:
    missing = [
        s.id
        for s in fixture_statements
        if not attribute(s.text, s.title, s.speaker, []).statement_speakers
        and "11 House Democrats" not in (s.title or "")  # a readout that names nobody
    ]
    assert missing == []


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


def test_transcript_passages_get_only_the_speakers_of_their_turns() -> None:
    text = MARINE_ONE["text"]
    question = text.index("Have you invited")
    answer = text.index("I haven’t yet")
    spans = [(question, question + 20), (question, answer + 5), (answer, answer + 5), (0, 10)]

    result = attribute_record(MARINE_ONE, spans)

    assert result.statement_speakers == ("Biden",)
    # A question alone has no speaker; the preamble ("South Lawn") is the statement's.
    assert result.passage_speakers == ((), ("Biden",), ("Biden",), ("Biden",))


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


# ---- cost -----------------------------------------------------------------------------------


def test_attribution_is_fast_enough_for_ingest(fixture_statements: tuple[Statement, ...]) -> None:
    """Every statement is attributed at ingest; the longest fixture (a UN speech) well under
    50 ms even on a slow CI machine (typical statements take 1-3 ms)."""
    texts = [(s.text, s.title, s.speaker, sentences(s.text)) for s in fixture_statements]
    for text, title, speaker, spans in texts:
        began = time.perf_counter()
        attribute(text, title, speaker, spans)
        assert time.perf_counter() - began < 0.05


def test_fixtures_are_where_provenance_says() -> None:
    provenance = (FIXTURES / "PROVENANCE").read_text(encoding="utf-8")
    for name in ("remarks-sample.ndjson", "qmsum-sample.ndjson", "statements-sample.ndjson"):
        assert name in provenance and (FIXTURES / name).is_file()
