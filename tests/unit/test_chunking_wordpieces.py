"""rag/ingest/chunking.py with the model's tokenizer: no passage is longer than the embedding
model reads (256 word pieces, the title | speaker | date header and [CLS]/[SEP] included),
so the encoder never truncates one. On real statements: the fixtures (slices of
../shared/data) at sizes where word pieces bind, and a slice of the full corpora when they
are beside the checkout (CI has them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.embedding.embedder import bundled_model_path, embedding_text
from rag.embedding.wordpieces import WordPieces
from rag.ingest import load_paths
from rag.ingest.chunking import ChunkConfig, chunk_statement
from rag.text.tokens import Tokenizer
from rag.types import Statement

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
CORPORA = (
    "whitehouse/statements.jsonl.gz",
    "whitehouse/remarks.jsonl.gz",
    "ungdc/speeches_2015_2024.jsonl.gz",
)
SHARED = next(
    (
        p
        for p in (REPO.parent / "shared" / "data", REPO.parents[1] / "shared" / "data")
        if p.is_dir()
    ),
    None,
)


@pytest.fixture(scope="module")
def wordpieces() -> WordPieces:
    return WordPieces(Path(bundled_model_path()))


def longest(
    statements: list[Statement],
    tokenizer: Tokenizer,
    config: ChunkConfig,
    wordpieces: WordPieces,
    checked: bool,
) -> tuple[int, int]:
    """(most word pieces of one passage as embedded, passages over the limit)."""
    counts = [
        wordpieces.count(embedding_text(p))
        for s in statements
        for p in chunk_statement(s, "0" * 64, tokenizer, config, wordpieces if checked else None)
    ]
    return max(counts), sum(c > wordpieces.limit for c in counts)


def test_passages_fit_the_model_where_tiktoken_alone_lets_them_overflow(
    tokenizer: Tokenizer, wordpieces: WordPieces
) -> None:
    statements = load_paths([FIXTURES / "whitehouse-sample.jsonl", FIXTURES / "ungdc-sample.jsonl"])
    loose = ChunkConfig(240, 30)  # more tiktoken tokens than the model reads, with the header
    _, over = longest(statements, tokenizer, loose, wordpieces, checked=False)
    assert over > 0

    most, over = longest(statements, tokenizer, loose, wordpieces, checked=True)

    assert over == 0 and most <= wordpieces.limit


def test_cut_further_passages_keep_exact_offsets(
    tokenizer: Tokenizer, wordpieces: WordPieces
) -> None:
    (speech,) = load_paths([FIXTURES / "ungdc-sample.jsonl"])[:1]
    passages = chunk_statement(speech, "0" * 64, tokenizer, ChunkConfig(240, 30), wordpieces)
    assert all(speech.text[p.start : p.end] == p.text for p in passages)
    assert passages[0].start == 0 and passages[-1].end == len(speech.text.rstrip())


def test_a_giant_word_is_cut_to_fit_too(tokenizer: Tokenizer, wordpieces: WordPieces) -> None:
    words = " ".join(f"x{n}y{n}z" * 3 for n in range(400))  # word pieces galore, few spaces
    giant = Statement(id="giant", text=f"Opening words. {words.replace(' ', '')} Closing words.")
    passages = chunk_statement(giant, "0" * 64, tokenizer, ChunkConfig(), wordpieces)
    assert max(wordpieces.count(embedding_text(p)) for p in passages) <= wordpieces.limit


@pytest.mark.slow
@pytest.mark.skipif(SHARED is None, reason="../shared/data is not beside this checkout")
def test_no_passage_of_the_real_corpora_overflows_the_model(
    tokenizer: Tokenizer, wordpieces: WordPieces
) -> None:
    assert SHARED is not None
    statements = load_paths([SHARED / c for c in CORPORA])[::60]  # ~190 of 11,600
    _, over = longest(statements, tokenizer, ChunkConfig(), wordpieces, checked=False)
    assert over > 0  # the default 180 tiktoken tokens overflow now and then

    most, over = longest(statements, tokenizer, ChunkConfig(), wordpieces, checked=True)

    assert over == 0 and most <= wordpieces.limit
