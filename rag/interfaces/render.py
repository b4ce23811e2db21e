"""Plain-text renderings for the terminal: answers with numbered sources, passages, quotes.

Pure functions returning strings, so the CLI only prints and tests can read them.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from rag.types import Answer, QuoteRecord, SearchResult, StatementInfo

WIDTH = 92


def one_line(text: str) -> str:
    return " ".join(text.split())


def source_line(speakers: Sequence[str], date: str | None, title: str | None, sid: str) -> str:
    who = ", ".join(speakers[:3]) + (" …" if len(speakers) > 3 else "")
    return " · ".join(x for x in (who, date, title or sid) if x)


def _quoted(text: str, limit: int, indent: str) -> str:
    quote = textwrap.shorten(one_line(text), limit, placeholder=" …")
    return textwrap.indent(textwrap.fill(f"“{quote}”", WIDTH), indent)


def _place(page: int | None, start: int, end: int) -> str:
    """Where in the statement: "page 3, characters 120-245" (the page only for a PDF's)."""
    return f"page {page}, characters {start}-{end}" if page else f"characters {start}-{end}"


def answer(a: Answer) -> str:
    lines = [a.text]
    if a.citations:
        lines.append("\nSources")
        for c in a.citations:
            support = f" · support {c.support:.2f}" if c.support is not None else ""
            lines.append(
                f"[{c.marker}] {source_line(c.speakers, c.date, c.title, c.statement_id)}{support}"
            )
            lines.append(f"    {c.statement_id}, {_place(c.page, c.start, c.end)}")
            if c.source_url:
                lines.append(f"    {c.source_url}")
            lines.append(_quoted(c.quote, 300, "    "))
    republished = [s for s in a.sources if s.also_published_at]
    for s in republished:
        copies = ", ".join(r.statement_id for r in s.also_published_at)
        lines.append(f"\n{s.statement_id} was also published as: {copies}")
    if a.degraded:
        lines.append(f"\n(degraded: {a.degraded_reason}; this is the {a.fallback} answer)")
    elif a.fallback:
        lines.append(f"\n(the LLM's answer failed the checks; this is the {a.fallback} answer)")
    unsupported = [c for c in a.checks if not c.supported]
    if unsupported:
        lines.append(f"\n({len(unsupported)} unsupported sentence(s) removed)")
    if a.rejected_citations:
        lines.append(
            f"\n({len(a.rejected_citations)} citation(s) failed verification and were dropped)"
        )
    return "\n".join(lines)


def search(result: SearchResult) -> str:
    if not result.passages:
        return "No passages found."
    lines = []
    for i, sp in enumerate(result.passages, start=1):
        p = sp.passage
        date = p.date.text if p.date else None
        lines.append(
            f"{i}. [{sp.score:.3f}] {source_line(p.speakers, date, p.title, p.statement_id)}"
        )
        lines.append(f"   {p.statement_id}, {_place(p.page, p.start, p.end)}")
        lines.append(
            textwrap.indent(textwrap.fill(textwrap.shorten(one_line(p.text), 400), WIDTH), "   ")
        )
    return "\n".join(lines)


def quotes(found: Sequence[QuoteRecord]) -> str:
    if not found:
        return "No quotations found."
    lines = []
    for q in found:
        who = q.speaker or "(speaker not stated)"
        lines.append(f"{who} · {q.date or 'undated'} · {q.title or q.statement_id}")
        lines.append(f"    {q.statement_id}, characters {q.start}-{q.end}")
        lines.append(_quoted(q.text, 400, "    "))
    return "\n".join(lines)


def statement_header(info: StatementInfo) -> str:
    return source_line(info.speakers, info.date.text if info.date else None, info.title, info.id)
