"""An answer as a chat message: its text with the [n] markers, then the sources it cites.

Chat tools show only the message, so the sources go in it: one line per cited statement,
with the markers that cite it, its title, speakers, date and URL (Markdown, as chat UIs
render it). The structured answer travels beside the message, not in it.
"""

from __future__ import annotations

from rag.types import Answer, Citation, Source

SOURCES_HEADING = "**Sources**"
MAX_SPEAKERS = 3


def chat_reply(answer: Answer) -> str:
    """The message a chat shows for `answer`."""
    if not answer.citations:
        return answer.text
    lines = [answer.text, "", SOURCES_HEADING, ""]
    lines += [_source_line(s, answer.citations) for s in answer.sources]
    return "\n".join(lines)


def _source_line(source: Source, citations: tuple[Citation, ...]) -> str:
    markers = "".join(f"[{c.marker}]" for c in citations if c.statement_id == source.statement_id)
    speakers = ", ".join(source.speakers[:MAX_SPEAKERS])
    if len(source.speakers) > MAX_SPEAKERS:
        speakers += " …"
    title = f"*{source.title}*" if source.title else source.statement_id
    parts = [title, speakers, source.date, source.source_url]
    return f"- {markers} " + " — ".join(p for p in parts if p)
