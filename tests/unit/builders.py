"""Hand-built domain objects for unit tests: passages with exact offsets, stored statements."""

from __future__ import annotations

import hashlib

from rag.types import Passage, ScoredPassage, Statement, StatementInfo, StoredStatement


def passage(statement: Statement, start: int, end: int, index: int = 0) -> Passage:
    return Passage(
        id=f"{statement.id}#{index}",
        statement_id=statement.id,
        index=index,
        start=start,
        end=end,
        text=statement.text[start:end],
        title=statement.title,
        speaker=statement.speaker,
        date=statement.date,
        source_url=statement.source_url,
    )


def line_passages(statement: Statement, score: float = 0.5) -> list[ScoredPassage]:
    """One passage per non-blank line (paragraph) of the statement, at its exact offsets."""
    passages: list[ScoredPassage] = []
    offset = 0
    for line in statement.text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = offset + line.index(stripped)
            passages.append(
                ScoredPassage(
                    passage(statement, start, start + len(stripped), len(passages)), score
                )
            )
        offset += len(line) + 1
    return passages


def stored(statement: Statement, text: str | None = None) -> StoredStatement:
    """The statement as the store would return it; `text` overrides the stored text."""
    info = StatementInfo(
        id=statement.id,
        title=statement.title,
        speaker=statement.speaker,
        date=statement.date,
        source_url=statement.source_url,
        content_hash=hashlib.sha256(statement.text.encode()).hexdigest(),
        passage_count=1,
        metadata=dict(statement.metadata),
    )
    return StoredStatement(info=info, text=statement.text if text is None else text)
