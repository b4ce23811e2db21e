"""Timelines: how a position evolved, one cited line per statement, in date order.

"What has Ruto said about Haiti over time?" is best answered by putting the
relevant statements side by side by date, each with the line that shows where it
stood. The line is chosen by the extractive answerer (the person's own words
first), so it is a verbatim, verifiable quote like every other citation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rag.answering import Question, statements
from rag.answering.extractive import ExtractiveAnswerer
from rag.people import first_person, same_person
from rag.types import Citation, Draft, ProposedCitation, ScoredPassage, TimelineEntry

MAX_ENTRIES = 12


@dataclass(frozen=True, slots=True)
class Line:
    statement_id: str
    date_key: str
    passage: ScoredPassage
    quote: str


def pick_lines(
    question: Question, passages: Sequence[ScoredPassage], limit: int = MAX_ENTRIES
) -> list[Line]:
    """The best line of each statement (by retrieval rank), for the `limit` best statements."""
    by_statement: dict[str, list[ScoredPassage]] = {}
    for scored in passages:
        by_statement.setdefault(scored.passage.statement_id, []).append(scored)
    one_line = ExtractiveAnswerer(max_sentences=1, per_statement=1)
    lines: list[Line] = []
    for sid, own in list(by_statement.items())[:limit]:
        draft = one_line.answer(question, own)
        if not draft.citations:
            continue
        cited = draft.citations[0]
        chosen = next(p for p in own if p.passage.id == cited.passage_id)
        date = chosen.passage.date
        lines.append(Line(sid, date.first.isoformat() if date else "9999", chosen, cited.quote))
    return sorted(lines, key=lambda line: (line.date_key, line.statement_id))


def as_draft(lines: Sequence[Line], answerer: str) -> Draft:
    """The lines as an answer: one dated, cited line per statement, oldest first."""
    citations = tuple(
        ProposedCitation(marker=i, passage_id=line.passage.passage.id, quote=line.quote)
        for i, line in enumerate(lines, start=1)
    )
    rows = []
    for i, line in enumerate(lines, start=1):
        date = line.passage.passage.date
        when = date.text if date else "undated"
        rows.append(f"- {when}: “{' '.join(line.quote.split())}” [{i}]")
    lead = f"Over time ({statements(len(lines))}, oldest first):"
    return Draft("\n".join([lead, *rows]), citations, bool(citations), answerer)


def entries(
    citations: Sequence[Citation], question: Question, passages: Sequence[ScoredPassage]
) -> tuple[TimelineEntry, ...]:
    """Verified citations of a timeline draft as entries (one per statement, in order)."""
    own = {
        (q.statement_id, q.start, q.end)
        for q in question.quotes
        if q.speaker and (not question.speakers or same_person(q.speaker, question.speakers))
    }
    speeches = {
        (p.statement_id, p.start, p.end)
        for p in (s.passage for s in passages)
        if first_person(p.text)
        and any(
            not question.speakers or same_person(n, question.speakers)
            for n in (*p.speakers, p.speaker)
            if n
        )
    }
    own |= speeches
    return tuple(
        TimelineEntry(
            date=c.date,
            statement_id=c.statement_id,
            title=c.title,
            speakers=c.statement_speakers or c.speakers,
            citation=c,
            verbatim=any(
                sid == c.statement_id and start <= c.start and c.end <= end
                for sid, start, end in own
            ),
        )
        for c in citations
    )
