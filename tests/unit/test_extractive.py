"""rag/answering/extractive.py: verbatim sentences on the question's topic, or a refusal."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from rag.answering import NOT_IN_STATEMENTS, Question
from rag.answering.citations import verify
from rag.answering.extractive import ExtractiveAnswerer
from rag.types import Draft, ScoredPassage, Statement
from tests.unit.builders import line_passages, passage, stored


@pytest.fixture
def passages(seed: Statement) -> list[ScoredPassage]:
    return line_passages(seed)


@pytest.fixture
def ruto_statements(fixture_statements: tuple[Statement, ...]) -> list[Statement]:
    """The seed, the two White House readouts of calls with Ruto, and his UN speech."""
    wanted = ("ruto-rubio-call", "william-ruto-of-kenya", "KEN_78_2023")
    found = [s for s in fixture_statements if s.id.endswith(wanted)]
    assert len(found) == 4
    return found


def _quotes_are_verbatim(draft: Draft, passages: list[ScoredPassage]) -> None:
    by_id = {p.passage.id: p.passage for p in passages}
    for citation in draft.citations:
        assert citation.quote in by_id[citation.passage_id].text


def test_answers_an_on_topic_question_with_verbatim_sentences(
    seed: Statement, passages: list[ScoredPassage]
) -> None:
    draft = ExtractiveAnswerer().answer(Question("What did Ruto say about Haiti?"), passages)

    assert draft.answerable
    assert draft.answerer == "extractive"
    assert draft.citations
    _quotes_are_verbatim(draft, passages)
    assert all("Haiti" in c.quote for c in draft.citations)
    assert draft.citations[0].quote.startswith("In a statement, President Ruto said the talks")
    assert draft.text.splitlines()[0] == "From 1 statement:"
    for citation in draft.citations:
        assert f"{citation.quote}” [{citation.marker}]" in draft.text
    assert [c.marker for c in draft.citations] == list(range(1, len(draft.citations) + 1))


def test_its_citations_all_pass_verification(
    seed: Statement, passages: list[ScoredPassage]
) -> None:
    draft = ExtractiveAnswerer().answer(Question("What did Ruto say about the DRC?"), passages)

    verified = verify(draft, passages, {seed.id: stored(seed)})

    assert verified.rejected == ()
    assert len(verified.citations) == len(draft.citations) >= 1
    assert "Democratic Republic of Congo (DRC)" in verified.citations[0].quote


def test_declines_when_no_passage_mentions_the_topic(passages: list[ScoredPassage]) -> None:
    draft = ExtractiveAnswerer().answer(
        Question("What did Ruto say about cryptocurrency?"), passages
    )

    assert not draft.answerable
    assert draft.text.startswith("The statements don't say")
    assert "cryptocurrency" in draft.text
    assert draft.citations == ()


def test_different_spellings_of_the_topic_match(passages: list[ScoredPassage]) -> None:
    draft = ExtractiveAnswerer().answer(
        Question("What did Ruto say about stabilisation?"), passages
    )

    assert draft.answerable
    assert all("stabili" in c.quote for c in draft.citations)


def test_the_speakers_name_is_not_the_topic(passages: list[ScoredPassage]) -> None:
    """Every passage is by William Ruto, so only 'Haiti' decides."""
    draft = ExtractiveAnswerer().answer(
        Question("What did William Ruto say about Haiti?"), passages
    )
    assert draft.answerable and all("Haiti" in c.quote for c in draft.citations)


def test_at_most_two_sentences_come_from_one_statement(passages: list[ScoredPassage]) -> None:
    """Four sentences of the seed mention Haiti; at most two are quoted."""
    draft = ExtractiveAnswerer().answer(Question("What did Ruto say about Haiti?"), passages)
    assert 1 <= len(draft.citations) <= 2


def test_the_sentence_that_answers_beats_its_neighbours(passages: list[ScoredPassage]) -> None:
    """Issue 21's first example: the sentence with the agreement, not the one after it."""
    question = Question(
        "What did Ruto and Rubio agree about a UN support office for the MSS mission?",
        topic="agree UN support office MSS mission",
    )

    draft = ExtractiveAnswerer().answer(question, passages)

    quotes = [c.quote for c in draft.citations]
    assert any("We concurred on the imperative" in q for q in quotes), quotes
    assert not any(q.startswith("According to him") for q in quotes)
    assert not any("Democratic Republic" in q for q in quotes)


def test_only_statements_that_answer_are_cited(ruto_statements: list[Statement]) -> None:
    """Four statements mention Haiti; a question about the UN support office is answered
    by the one statement that speaks of it."""
    passages = [p for s in ruto_statements for p in line_passages(s)]
    statement_of = {p.passage.id: p.passage.statement_id for p in passages}

    draft = ExtractiveAnswerer().answer(
        Question("What was said about a UN support office?", topic="UN support office"), passages
    )

    assert {statement_of[c.passage_id] for c in draft.citations} == {"ruto-rubio-call"}
    assert draft.text.splitlines()[0] == "From 1 statement:"


def test_statements_that_answer_as_well_are_quoted_too_grouped(
    ruto_statements: list[Statement],
) -> None:
    passages = [p for s in ruto_statements for p in line_passages(s)]
    statement_of = {p.passage.id: p.passage.statement_id for p in passages}

    draft = ExtractiveAnswerer().answer(Question("What was said about Haiti?"), passages)

    cited = [statement_of[c.passage_id] for c in draft.citations]
    _quotes_are_verbatim(draft, passages)
    assert len(cited) <= 3 and max(Counter(cited).values()) <= 2
    assert cited == sorted(cited, key=cited.index)  # each statement's quotes together
    assert draft.text.splitlines()[0] == f"From {len(set(cited))} statement" + (
        "s:" if len(set(cited)) > 1 else ":"
    )


def test_a_question_for_a_number_gets_the_sentence_with_it(
    ruto_statements: list[Statement],
) -> None:
    passages = [p for s in ruto_statements for p in line_passages(s)]

    draft = ExtractiveAnswerer().answer(
        Question("How much in concessional loans did Kenya call for?", topic="concessional loans"),
        passages,
    )

    assert draft.answerable
    assert "$500 billion" in draft.citations[0].quote, draft.text
    assert len(draft.citations) <= 2


def test_what_two_leaders_discussed_is_the_readout_in_order(
    fixture_statements: tuple[Statement, ...],
) -> None:
    readout = next(s for s in fixture_statements if s.id.endswith("william-ruto-of-kenya"))
    passages = [ScoredPassage(passage(readout, 0, len(readout.text)), 0.6)]

    draft = ExtractiveAnswerer().answer(
        Question("What did Biden and Ruto discuss?", topic="", speakers=("Joe Biden",)),
        passages,
    )

    starts = [readout.text.index(c.quote[:40]) for c in draft.citations]
    assert len(starts) >= 2 and starts == sorted(starts)


@pytest.mark.parametrize("limit", [1, 3])
def test_max_sentences_is_respected(ruto_statements: list[Statement], limit: int) -> None:
    passages = [p for s in ruto_statements for p in line_passages(s)]
    draft = ExtractiveAnswerer(max_sentences=limit).answer(
        Question("What was said about Haiti?"), passages
    )
    assert 1 <= len(draft.citations) <= limit


def test_hard_wrapped_quotes_are_exact_and_the_text_is_one_line_each(
    fixture_statements: tuple[Statement, ...],
) -> None:
    zelenskyy = next(s for s in fixture_statements if "zelenskyy-of-ukraine" in s.id)
    passages = line_passages(zelenskyy)

    draft = ExtractiveAnswerer().answer(
        Question("What did Biden say about the counteroffensive?"), passages
    )

    assert draft.answerable
    _quotes_are_verbatim(draft, passages)
    assert len(draft.text.splitlines()) == 1 + len(draft.citations)


def test_no_passages_is_a_refusal() -> None:
    draft = ExtractiveAnswerer().answer(Question("What did Ruto say about Haiti?"), [])

    assert not draft.answerable
    assert draft.text.startswith(NOT_IN_STATEMENTS)
    assert draft.citations == ()


def test_passages_without_full_sentences_are_a_refusal(seed: Statement) -> None:
    start = seed.text.index("The President noted")
    short = ScoredPassage(passage(seed, start, start + len("The President")), 0.9)

    draft = ExtractiveAnswerer().answer(Question("What did the President note?"), [short])

    assert not draft.answerable and draft.text.startswith(NOT_IN_STATEMENTS)


# Own words: in a transcript, only the asked-about speaker's turns are theirs. Shortened from
# QMSum committee meeting train 00 (tests/fixtures/qmsum-sample.ndjson's corpus).
TRANSCRIPT = Statement(
    id="committee-meeting",
    text=(
        "Lynne Neagle AM: We've got some questions now on early help and enhanced support "
        "from Janet.\n"
        "Carol Shillabeer: I was delighted to see the focus on early help and enhanced support "
        "yesterday, because we know it is not just about the NHS."
    ),
)


def test_in_a_transcript_own_words_are_the_speakers_turns_only() -> None:
    [scored] = [
        ScoredPassage(
            replace(
                passage(TRANSCRIPT, 0, len(TRANSCRIPT.text)),
                speakers=("Lynne Neagle", "Carol Shillabeer"),
            ),
            0.6,
        )
    ]
    question = Question(
        "What did Carol Shillabeer say about early help and enhanced support?",
        topic="early help and enhanced support",
        speakers=("Carol Shillabeer",),
    )

    draft = ExtractiveAnswerer().answer(question, [scored])

    lines = [line for line in draft.text.splitlines() if line.startswith("- ")]
    assert any(
        line.startswith("- Carol Shillabeer, in their own words: “I was delighted")
        for line in lines
    )
    assert all(
        line.startswith("- Reported: ") for line in lines if "questions now on early help" in line
    )
