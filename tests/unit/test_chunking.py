"""rag/ingest/chunking.py: sentences and passages with exact offsets, on real statements."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from rag.ingest.chunking import ChunkConfig, chunk_spans, chunk_statement
from rag.text.sentences import Span, split_sentences
from rag.text.tokens import Tokenizer
from rag.types import DateSpan, Statement

# Passage sizes the property tests run at: the default, and small ones that cut often.
CONFIGS = [ChunkConfig(), ChunkConfig(64, 16), ChunkConfig(32, 8)]
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]»*]*$")


def _texts(spans: list[Span], text: str) -> list[str]:
    return [text[s.start : s.end] for s in spans]


def _tokens(tokenizer: Tokenizer, text: str) -> int:
    return len(tokenizer.encode_ordinary(text))


# Sentences


def test_seed_statement_is_split_into_its_sentences(seed: Statement) -> None:
    sentences = _texts(split_sentences(seed.text), seed.text)

    assert len(sentences) == 13
    assert sentences[0].startswith("President William Ruto has disclosed that he held")
    assert sentences[2] == (
        "Kenyan police officers are at the forefront of the deployment, tasked with restoring "
        "order in the Caribbean nation, which has faced years of gang violence and political "
        "instability."
    )
    # A quotation followed by its attribution stays one sentence.
    assert sentences[4].startswith("“We concurred on the imperative")
    assert sentences[4].endswith("to aid efforts to stabilise and secure Haiti,” Ruto stated.")
    assert all(_SENTENCE_END.search(s) for s in sentences)


def test_hard_wrapped_lines_do_not_end_sentences(fixture_statements: tuple[Statement, ...]) -> None:
    zelenskyy = next(s for s in fixture_statements if "zelenskyy-of-ukraine" in s.id)
    sentences = _texts(split_sentences(zelenskyy.text), zelenskyy.text)

    assert sentences[0] == (
        "President Joe Biden met with President Volodymyr Zelenskyy of Ukraine in\n"
        "Vilnius on July 12, 2023."
    )
    assert sentences[1].startswith("President Biden emphasized the enduring U.S.\ncommitment")
    assert sentences[1].endswith("integration into\nthe Euro-Atlantic community.")


def test_sentences_end_only_at_punctuation_or_paragraph_breaks(
    fixture_statements: tuple[Statement, ...],
) -> None:
    """Across all fixtures: a cut without end punctuation is at a blank line or a list item."""
    wrong = []
    for statement in fixture_statements:
        text = statement.text
        spans = split_sentences(text)
        for before, after in pairwise(spans):
            gap = text[before.end : after.start]
            if (
                _SENTENCE_END.search(text[before.start : before.end])
                or re.search(r"\n\s*\n", gap)
                or re.match(r"[-*•]\s|#|\d+\.\s", text[after.start :])
            ):
                continue
            wrong.append((statement.id, text[before.start : before.end][-40:]))
    assert wrong == []


@pytest.mark.parametrize(
    "sentences",
    [
        ["Mr. Sullivan conveyed the support of the United States.", "The meeting ended."],
        ["They met in Gaza.", "Dr. Gordon heard about their ordeal.", "He thanked them."],
        ["It marks 40 years of service as the U.S. Protecting Power in Iran.", "Both agreed."],
        ["President Joseph R. Biden, Jr. met today with President Ruto.", "They spoke of Haiti."],
        ["Mrs. Harris spoke at 10 a.m. Tuesday.", "It went well."],
    ],
    ids=["Mr", "Dr", "U.S.", "initial", "Mrs-a.m."],
)
def test_abbreviations_and_initials_do_not_end_sentences(sentences: list[str]) -> None:
    text = " ".join(sentences)
    assert _texts(split_sentences(text), text) == sentences


def test_no_fixture_sentence_ends_at_a_title_or_an_initial(
    fixture_statements: tuple[Statement, ...],
) -> None:
    title_or_initial = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Jr)|U\.S|(?:^|\s)[A-Z])\.$")
    wrong = [
        (statement.id, sentence[-40:])
        for statement in fixture_statements
        for sentence in _texts(split_sentences(statement.text), statement.text)
        if title_or_initial.search(sentence)
    ]
    assert wrong == []


def test_dotted_initialisms_do_not_end_sentences() -> None:
    """From the fixture statement on the veto of H.J. Res. 39."""
    text = "I vetoed H.J. Res. 39 because we cannot afford new uncertainty. We can do more."
    assert _texts(split_sentences(text), text)[0] == (
        "I vetoed H.J. Res. 39 because we cannot afford new uncertainty."
    )


def test_question_and_exclamation_marks_end_sentences() -> None:
    text = "Will it hold? We think so! “It must,” he said. Yes."
    assert _texts(split_sentences(text), text) == [
        "Will it hold?",
        "We think so!",
        "“It must,” he said.",
        "Yes.",
    ]


@pytest.mark.parametrize("text", ["", " ", "\n\n\t  \n"])
def test_blank_text_has_no_sentences_or_passages(text: str, tokenizer: Tokenizer) -> None:
    assert split_sentences(text) == []
    assert chunk_spans(text, tokenizer, ChunkConfig()) == []


def test_sentence_spans_are_trimmed_and_ordered(fixture_statements: tuple[Statement, ...]) -> None:
    for statement in fixture_statements:
        spans = split_sentences(statement.text)
        for span in spans:
            sentence = statement.text[span.start : span.end]
            assert sentence and sentence == sentence.strip(), (statement.id, sentence)
        for before, after in pairwise(spans):
            assert before.end <= after.start, statement.id


# Passages, as properties over every fixture statement


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.max_tokens}-{c.overlap_tokens}")
def test_passages_are_exact_trimmed_ordered_slices(
    config: ChunkConfig, fixture_statements: tuple[Statement, ...], tokenizer: Tokenizer
) -> None:
    for statement in fixture_statements:
        passages = chunk_statement(statement, "0123456789abcdef", tokenizer, config)
        assert passages, statement.id
        for i, p in enumerate(passages):
            assert statement.text[p.start : p.end] == p.text
            assert p.text == p.text.strip()
            assert p.index == i
        for before, after in pairwise(passages):
            assert before.start < after.start and before.end < after.end, statement.id


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.max_tokens}-{c.overlap_tokens}")
def test_passages_cover_all_text(
    config: ChunkConfig, fixture_statements: tuple[Statement, ...], tokenizer: Tokenizer
) -> None:
    for statement in fixture_statements:
        covered = [False] * len(statement.text)
        for span in chunk_spans(statement.text, tokenizer, config):
            covered[span.start : span.end] = [True] * (span.end - span.start)
        missed = "".join(
            ch for ch, hit in zip(statement.text, covered, strict=True) if not hit
        ).strip()
        assert missed == "", statement.id


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.max_tokens}-{c.overlap_tokens}")
def test_overlap_repeats_whole_sentences_within_overlap_tokens(
    config: ChunkConfig, fixture_statements: tuple[Statement, ...], tokenizer: Tokenizer
) -> None:
    overlaps = 0
    for statement in fixture_statements:
        text = statement.text
        sentence_starts = {s.start for s in split_sentences(text)}
        spans = chunk_spans(text, tokenizer, config)
        for before, after in pairwise(spans):
            if after.start >= before.end:
                continue
            overlaps += 1
            assert after.start in sentence_starts, statement.id
            repeated = split_sentences(text[after.start : before.end])
            cost = sum(_tokens(tokenizer, text[after.start :][s.start : s.end]) for s in repeated)
            assert cost <= config.overlap_tokens, statement.id
    assert overlaps > 0, "no passage overlapped; the property was not exercised"


def test_no_overlap_when_overlap_tokens_is_zero(
    fixture_statements: tuple[Statement, ...], tokenizer: Tokenizer
) -> None:
    for statement in fixture_statements:
        spans = chunk_spans(statement.text, tokenizer, ChunkConfig(48, 0))
        for before, after in pairwise(spans):
            assert after.start >= before.end, statement.id


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.max_tokens}-{c.overlap_tokens}")
def test_passages_are_within_max_tokens(
    config: ChunkConfig, fixture_statements: tuple[Statement, ...], tokenizer: Tokenizer
) -> None:
    over = [
        (statement.id, _tokens(tokenizer, statement.text[s.start : s.end]))
        for statement in fixture_statements
        for s in chunk_spans(statement.text, tokenizer, config)
        if _tokens(tokenizer, statement.text[s.start : s.end]) > config.max_tokens
    ]
    assert over == []


def test_whitespace_between_sentences_counts_against_max_tokens(tokenizer: Tokenizer) -> None:
    """Shape of the hard-wrapped UN speeches: sentences separated by '  \\n  \\n'."""
    text = "The leaders met today.  \n  \nThey discussed Haiti."
    # 5 + 4 tokens for the two sentences; the whole text is 10.
    for span in chunk_spans(text, tokenizer, ChunkConfig(max_tokens=9, overlap_tokens=0)):
        assert _tokens(tokenizer, text[span.start : span.end]) <= 9


def test_sentences_are_packed_greedily_up_to_max_tokens(tokenizer: Tokenizer) -> None:
    sentences = [
        "The cat sat on the mat.",  # 7 tokens
        "The dog ran to the park.",  # 7
        "We met the team today.",  # 6
        "They signed the deal.",  # 5
        "It was a good day.",  # 6
    ]
    text = " ".join(sentences)

    spans = chunk_spans(text, tokenizer, ChunkConfig(max_tokens=20, overlap_tokens=0))

    assert _texts(spans, text) == [" ".join(sentences[:3]), " ".join(sentences[3:])]


def test_overlap_repeats_the_last_sentence(tokenizer: Tokenizer) -> None:
    sentences = ["The cat sat on the mat.", "The dog ran to the park.", "We met the team today."]
    text = " ".join(sentences * 2)

    passages = _texts(chunk_spans(text, tokenizer, ChunkConfig(20, 7)), text)

    assert passages[0] == " ".join(sentences)
    assert passages[1].startswith(sentences[2])


def test_a_sentence_longer_than_max_tokens_is_cut_at_word_boundaries(
    tokenizer: Tokenizer,
) -> None:
    words = ("one two three four five six seven eight nine ten " * 20).split()
    text = "Intro here. " + " ".join(words) + ". Then the end."
    config = ChunkConfig(max_tokens=32, overlap_tokens=0)

    spans = chunk_spans(text, tokenizer, config)

    long_pieces = [s for s in spans if "one two" in text[s.start : s.end]]
    assert len(long_pieces) >= len(words) // 32
    for span in spans:
        assert _tokens(tokenizer, text[span.start : span.end]) <= config.max_tokens
        assert span.start == 0 or text[span.start - 1].isspace()
        assert span.end == len(text) or text[span.end].isspace()
    assert " ".join(text[s.start : s.end] for s in spans).split() == text.split()


def test_pieces_of_a_long_sentence_are_within_max_tokens(tokenizer: Tokenizer) -> None:
    text = " ".join(["Kenya"] * 40) + "."
    for span in chunk_spans(text, tokenizer, ChunkConfig(max_tokens=32, overlap_tokens=0)):
        assert _tokens(tokenizer, text[span.start : span.end]) <= 32


def test_chunk_statement_copies_metadata_and_names_passages(tokenizer: Tokenizer) -> None:
    statement = Statement(
        id="ruto/2025-call",
        text="First sentence is here. Second sentence is here. Third sentence is here.",
        title="A call",
        speaker="William Ruto",
        date=DateSpan.parse("2025-01-08"),
        source_url="https://example.org/call",
    )

    passages = chunk_statement(statement, "abcdef0123456789", tokenizer, ChunkConfig(6, 0))

    assert [p.id for p in passages] == [
        "ruto/2025-call#abcdef012345:0",
        "ruto/2025-call#abcdef012345:1",
        "ruto/2025-call#abcdef012345:2",
    ]
    assert {(p.statement_id, p.title, p.speaker, p.date, p.source_url) for p in passages} == {
        ("ruto/2025-call", "A call", "William Ruto", statement.date, "https://example.org/call")
    }


def test_whitespace_only_statement_has_no_passages(tokenizer: Tokenizer) -> None:
    statement = Statement(id="blank", text=" \n\t ")
    assert chunk_statement(statement, "0" * 64, tokenizer, ChunkConfig()) == []
