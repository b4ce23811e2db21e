"""rag/answering/citations.py: a citation passes only if its quote is really in the source."""

from __future__ import annotations

import pytest

from rag.answering.citations import MIN_QUOTE_CHARS, locate, verify
from rag.types import Draft, ProposedCitation, ScoredPassage, Statement, StoredStatement
from tests.unit.builders import line_passages, stored

HAITI = (
    "In a statement, President Ruto said the talks centered on ongoing international efforts "
    "to stabilize Haiti, where Kenya is leading the Multinational Security Support (MSS) mission."
)
ALLIES = "The United States remains one of Kenya’s key allies"


@pytest.fixture
def passages(seed: Statement) -> list[ScoredPassage]:
    """The seed statement, one passage per paragraph (P0..P7)."""
    return line_passages(seed)


@pytest.fixture
def statements(seed: Statement) -> dict[str, StoredStatement]:
    return {seed.id: stored(seed)}


def _draft(text: str, *citations: tuple[int, str, str]) -> Draft:
    return Draft(
        text=text,
        citations=tuple(ProposedCitation(m, p, q) for m, p, q in citations),
        answerable=True,
        answerer="test",
    )


# locate


def test_locate_finds_an_exact_quote(seed: Statement) -> None:
    quote = "stabilize Haiti, where Kenya is leading"
    start = seed.text.index(quote)
    assert locate(quote, seed.text) == (start, start + len(quote))


def test_locate_ignores_line_breaks_and_space_runs(
    fixture_statements: tuple[Statement, ...],
) -> None:
    zelenskyy = next(s for s in fixture_statements if "zelenskyy-of-ukraine" in s.id).text

    span = locate("President   Volodymyr Zelenskyy of Ukraine in Vilnius", zelenskyy)

    assert span is not None
    assert zelenskyy[span[0] : span[1]] == "President Volodymyr Zelenskyy of Ukraine in\nVilnius"


def test_locate_treats_no_break_spaces_as_spaces() -> None:
    text = "The fact is: my plan is\xa0 working.  \n  \nI vetoed it."
    span = locate("my plan is working", text)
    assert span is not None and text[span[0] : span[1]] == "my plan is\xa0 working"


def test_locate_matches_straight_and_curly_quote_marks(seed: Statement) -> None:
    span = locate("The United States remains one of Kenya's key allies", seed.text)
    assert span is not None and seed.text[span[0] : span[1]] == ALLIES


def test_locate_drops_surrounding_quote_marks_of_the_quote(seed: Statement) -> None:
    span = locate('"We concurred on the imperative and support for a resolution"', seed.text)
    assert span is not None
    assert (
        seed.text[span[0] : span[1]]
        == "We concurred on the imperative and support for a resolution"
    )


def test_locate_matches_dashes(fixture_statements: tuple[Statement, ...]) -> None:
    kenya = next(s for s in fixture_statements if s.id == "KEN_78_2023").text
    original = "goodwill — and there are many — as"
    assert original in kenya

    span = locate("goodwill - and there are many - as", kenya)

    assert span is not None and kenya[span[0] : span[1]] == original


@pytest.mark.parametrize("quote", ["stabilize Somalia", "", " “.” ", "Haiti where Kenya"])
def test_locate_returns_none_when_absent(seed: Statement, quote: str) -> None:
    assert locate(quote, seed.text) is None


# verify: what passes


def test_an_exact_quote_is_accepted_with_offsets_into_the_statement(
    seed: Statement, passages: list[ScoredPassage], statements: dict[str, StoredStatement]
) -> None:
    p1 = passages[1].passage
    verified = verify(_draft("Ruto spoke of Haiti [1].", (1, p1.id, HAITI)), passages, statements)

    (citation,) = verified.citations
    assert verified.rejected == ()
    assert verified.text == "Ruto spoke of Haiti [1]."
    assert citation.quote == HAITI == seed.text[citation.start : citation.end]
    assert (citation.marker, citation.statement_id, citation.passage_id) == (1, seed.id, p1.id)
    assert (citation.title, citation.speaker, citation.date, citation.source_url) == (
        seed.title,
        "William Ruto",
        None,
        None,
    )


def test_a_loosely_typed_quote_is_returned_as_the_original_text(
    seed: Statement, passages: list[ScoredPassage], statements: dict[str, StoredStatement]
) -> None:
    p6 = passages[6].passage
    loose = "The United States remains\none of Kenya's  key allies"

    verified = verify(_draft("Allies [1].", (1, p6.id, loose)), passages, statements)

    (citation,) = verified.citations
    assert citation.quote == ALLIES == seed.text[citation.start : citation.end]


# verify: what is rejected


def test_a_passage_not_retrieved_is_rejected(
    seed: Statement, passages: list[ScoredPassage], statements: dict[str, StoredStatement]
) -> None:
    retrieved = [passages[0], passages[2]]
    draft = _draft("Haiti [1].", (1, passages[1].passage.id, HAITI))

    verified = verify(draft, retrieved, statements)

    assert verified.citations == ()
    assert [r.reason for r in verified.rejected] == ["passage_not_retrieved"]


def test_a_misquote_with_one_word_changed_is_rejected(
    passages: list[ScoredPassage], statements: dict[str, StoredStatement]
) -> None:
    misquote = HAITI.replace("stabilize Haiti", "stabilize Somalia")
    verified = verify(
        _draft("Haiti [1].", (1, passages[1].passage.id, misquote)), passages, statements
    )

    (rejected,) = verified.rejected
    assert (rejected.marker, rejected.passage_id, rejected.quote, rejected.reason) == (
        1,
        passages[1].passage.id,
        misquote,
        "quote_not_in_passage",
    )


def test_a_quote_from_another_passage_of_the_same_statement_is_rejected(
    passages: list[ScoredPassage], statements: dict[str, StoredStatement]
) -> None:
    verified = verify(
        _draft("Haiti [1].", (1, passages[0].passage.id, HAITI)), passages, statements
    )
    assert [r.reason for r in verified.rejected] == ["quote_not_in_passage"]


@pytest.mark.parametrize("quote", ["Haiti", "“Haiti.”", "x" * (MIN_QUOTE_CHARS - 1)])
def test_a_quote_too_short_to_check_is_rejected(
    passages: list[ScoredPassage], statements: dict[str, StoredStatement], quote: str
) -> None:
    verified = verify(
        _draft("Haiti [1].", (1, passages[1].passage.id, quote)), passages, statements
    )
    assert [r.reason for r in verified.rejected] == ["quote_too_short"]


def test_a_quote_where_the_stored_text_differs_is_rejected(
    seed: Statement, passages: list[ScoredPassage]
) -> None:
    """The passage says one thing; the stored statement at those offsets another."""
    changed = {seed.id: stored(seed, text="Updated: " + seed.text)}
    verified = verify(_draft("Haiti [1].", (1, passages[1].passage.id, HAITI)), passages, changed)

    assert [r.reason for r in verified.rejected] == ["offsets_mismatch"]


def test_a_quote_from_a_statement_no_longer_stored_is_rejected(
    passages: list[ScoredPassage],
) -> None:
    verified = verify(_draft("Haiti [1].", (1, passages[1].passage.id, HAITI)), passages, {})
    assert [r.reason for r in verified.rejected] == ["offsets_mismatch"]


# verify: markers


def test_markers_are_renumbered_and_markers_of_rejected_citations_removed(
    passages: list[ScoredPassage], statements: dict[str, StoredStatement]
) -> None:
    p1, p6 = passages[1].passage.id, passages[6].passage.id
    draft = _draft(
        "Ruto spoke of Somalia [1]. He spoke of Haiti [2]. Kenya has allies [3].",
        (1, p1, "efforts to stabilize Somalia"),
        (2, p1, HAITI),
        (3, p6, ALLIES),
    )

    verified = verify(draft, passages, statements)

    assert verified.text == "Ruto spoke of Somalia. He spoke of Haiti [1]. Kenya has allies [2]."
    assert [(c.marker, c.passage_id) for c in verified.citations] == [(1, p1), (2, p6)]
    assert [(r.marker, r.reason) for r in verified.rejected] == [(1, "quote_not_in_passage")]


def test_markers_without_a_citation_are_removed(
    passages: list[ScoredPassage], statements: dict[str, StoredStatement]
) -> None:
    draft = _draft("Haiti [1]. Something else [7].", (1, passages[1].passage.id, HAITI))
    assert verify(draft, passages, statements).text == "Haiti [1]. Something else."


def test_a_marker_used_twice_keeps_one_number(
    passages: list[ScoredPassage], statements: dict[str, StoredStatement]
) -> None:
    draft = _draft("Haiti [2]. Haiti again [2].", (2, passages[1].passage.id, HAITI))
    assert verify(draft, passages, statements).text == "Haiti [1]. Haiti again [1]."


def test_removing_the_first_of_adjacent_markers_keeps_the_space(
    passages: list[ScoredPassage], statements: dict[str, StoredStatement]
) -> None:
    p1 = passages[1].passage.id
    draft = _draft("Ruto spoke of Haiti [1][2].", (1, p1, "stabilize Somalia now"), (2, p1, HAITI))
    assert verify(draft, passages, statements).text == "Ruto spoke of Haiti [1]."


def test_nothing_cited_leaves_the_text_without_markers() -> None:
    verified = verify(
        _draft(
            "The statements don't say [1].",
        ),
        [],
        {},
    )
    assert (verified.text, verified.citations, verified.rejected) == (
        "The statements don't say.",
        (),
        (),
    )
