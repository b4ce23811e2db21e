"""rag/answering/quotations.py: quoted words must be the passage's own, said by whom it says."""

from __future__ import annotations

from rag.answering.quotations import NOT_VERBATIM, check_quotations, quoted_spans
from rag.people import find_quotes
from rag.types import Passage, QuoteRecord

RUTO = (
    "“The United States remains one of Kenya’s key allies, and our talks reaffirmed a shared "
    "vision for peace,” President Ruto said after the call with Secretary Rubio."
)
TRANSCRIPT = (
    "Q    We’re nine days away from the August 31st deadline.  Will you extend it?\n\n"
    "THE PRESIDENT:  Our hope is we will not have to extend."
)


def passage(text: str, title: str, speaker: str | None) -> tuple[Passage, list[QuoteRecord]]:
    p = Passage(
        "s#0", "s", 0, 0, len(text), text, title, speaker, speakers=(speaker,) if speaker else ()
    )
    quotes = [
        QuoteRecord("s", q.start, q.end, q.text, q.speaker, q.cue, None, title, None)
        for q in find_quotes(text, title, speaker)
    ]
    return p, quotes


def check(sentence: str, text: str, title: str = "Statement", speaker: str | None = None) -> str:
    p, quotes = passage(text, title, speaker)
    return check_quotations(sentence, [p], quotes)


def test_quoted_spans_and_whom_the_sentence_credits() -> None:
    spans = quoted_spans("Biden quoted President Truman: “if there is anything inevitable” [1].")
    assert [(s.text, s.speaker) for s in spans] == [
        ("if there is anything inevitable", "President Truman")
    ]
    spans = quoted_spans('"Our talks reaffirmed a shared vision," Ruto said [1].')
    assert [s.speaker for s in spans] == ["Ruto"]
    assert quoted_spans("Ruto's call covered Kenya's role [1].") == []


def test_exact_words_in_any_quote_style_pass() -> None:
    assert check('Ruto said "our talks reaffirmed a shared vision for peace" [1].', RUTO) == ""
    assert check("Ruto said ‘our talks reaffirmed a shared   vision’ [1].", RUTO) == ""


def test_words_not_in_the_passage_fail() -> None:
    reason = check('Ruto said the talks were "a new chapter for peace" [1].', RUTO)
    assert reason.startswith(NOT_VERBATIM)
    # the passage's own words, reordered, are not a quotation
    assert check('Ruto said "a shared vision reaffirmed our talks" [1].', RUTO).startswith(
        NOT_VERBATIM
    )


def test_words_given_to_the_wrong_speaker_fail() -> None:
    reason = check("Rubio said, “The United States remains one of Kenya’s key allies” [1].", RUTO)
    assert "Rubio" in reason and "Ruto" in reason
    assert (
        check("Ruto said, “The United States remains one of Kenya’s key allies” [1].", RUTO) == ""
    )


def test_a_reporters_question_is_nobodys_quotation() -> None:
    title = "Remarks by President Biden on Afghanistan"
    reason = check(
        "Biden noted, “We’re nine days away from the August 31st deadline” [1].",
        TRANSCRIPT,
        title,
        "Joe Biden",
    )
    assert reason == "gives Biden words that are a reporter's in the cited passage"
    assert (
        check(
            'Biden said "our hope is we will not have to extend" [1].',
            TRANSCRIPT,
            title,
            "Joe Biden",
        )
        == ""
    )
