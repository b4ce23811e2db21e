"""An answer as Slack messages in Block Kit: the answer text with [n] markers (each a link to
the quote it stands for), a Sources section (per statement: title linked to its source URL,
speakers, date, and each quote with a link to the web page's highlighted citation when a
public base URL is set), notes (degraded, fallback), and 👍/👎 buttons.

Statement text is data: `&`, `<` and `>` are escaped (Slack's mrkdwn rule), so a statement
cannot mention a channel (`<!channel>`), a person or forge a link. Slack's limits: 3,000
characters in a section's text and 50 blocks in a message; a longer answer is cut between
sentences (rag.interfaces.chat_text) and, past 50 blocks, continued in further messages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rag.interfaces.chat_text import (
    answer_notes,
    format_markers,
    pieces,
    quote_url,
    safe_url,
    shorten,
)
from rag.types import Answer, Citation, Source

SECTION_LIMIT = 3000
MAX_BLOCKS = 50
TEXT_LIMIT = 12_000
"""The message's `text` (notifications, search, feedback); Slack takes up to 40,000."""
QUOTE_LIMIT = 600
FEEDBACK_UP, FEEDBACK_DOWN = "feedback_up", "feedback_down"
MAX_SPEAKERS = 3

Block = dict[str, Any]


@dataclass(frozen=True, slots=True)
class SlackMessage:
    text: str
    blocks: tuple[Block, ...]


def escape(text: str) -> str:
    """Slack's mrkdwn escaping: the three characters it gives meaning to."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


def _context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": shorten(mrkdwn, 3000)}]}


def _link(url: str | None, label: str) -> str:
    return f"<{url}|{label}>" if url else label


def citation_links(answer: Answer, base_url: str | None) -> dict[int, str]:
    """Where each marker leads: the highlighted quote on the web page, else the source."""
    links: dict[int, str] = {}
    for c in answer.citations:
        url = quote_url(base_url, c) or safe_url(c.source_url)
        if url:
            links[c.marker] = url
    return links


def answer_text(text: str, links: Mapping[int, str]) -> str:
    return format_markers(text, escape, lambda n: _link(links.get(n), f"[{n}]"))


def status(text: str, context: str | None = None) -> SlackMessage:
    """A one-line message: "Searching…", or what went wrong."""
    blocks = [_section(escape(text))]
    if context:
        blocks.append(_context(escape(context)))
    return SlackMessage(escape(shorten(text, TEXT_LIMIT)), tuple(blocks))


def answer_messages(
    answer: Answer,
    *,
    base_url: str | None = None,
    asked: str | None = None,
    feedback: str | None = None,
) -> list[SlackMessage]:
    """The messages showing `answer`, in order: the first replaces "Searching…".

    `asked` is a line shown above the answer ("<@U1> asked: ..."), already in mrkdwn;
    `feedback` is the value the 👍/👎 buttons carry (no buttons when None)."""
    links = citation_links(answer, base_url)
    blocks: list[Block] = []
    if asked:
        blocks.append(_context(asked))
    for piece in pieces(answer.text, SECTION_LIMIT, lambda t: len(answer_text(t, links))):
        blocks.append(_section(answer_text(piece, links)))
    notes = answer_notes(answer)
    if notes:
        blocks.append(_context(escape(notes)))
    if answer.citations:
        blocks.append({"type": "divider"})
        blocks.append(_section("*Sources*"))
        for source in answer.sources:
            cited = [c for c in answer.citations if c.statement_id == source.statement_id]
            blocks.extend(_section(text) for text in _source_sections(source, cited, base_url))
    tail: list[Block] = [_feedback_buttons(feedback)] if feedback is not None else []
    return _messages(blocks, tail, escape(answer.text[:TEXT_LIMIT]))


def _source_sections(source: Source, cited: Sequence[Citation], base_url: str | None) -> list[str]:
    """One section's text per source, more if its quotes pass the section limit."""
    title = escape(source.title or source.statement_id)
    speakers = ", ".join(source.speakers[:MAX_SPEAKERS]) + (
        " …" if len(source.speakers) > MAX_SPEAKERS else ""
    )
    head = " · ".join(
        part
        for part in (
            f"*{_link(safe_url(source.source_url), title)}*",
            escape(speakers),
            source.date or "undated",
        )
        if part
    )
    lines = [head]
    for c in cited:
        quote = escape(shorten(c.quote, QUOTE_LIMIT))
        web = quote_url(base_url, c)
        lines.append(
            f"*[{c.marker}]* “{quote}”" + (f"  {_link(web, 'open the quote')}" if web else "")
        )
    sections: list[str] = []
    current = ""
    for line in lines:
        joined = f"{current}\n{line}" if current else line
        if current and len(joined) > SECTION_LIMIT:
            sections.append(current)
            joined = line
        current = joined
    sections.append(current)
    return sections


def _feedback_buttons(value: str) -> Block:
    return {
        "type": "actions",
        "block_id": "feedback",
        "elements": [
            {
                "type": "button",
                "action_id": FEEDBACK_UP,
                "text": {"type": "plain_text", "text": "👍 Helpful", "emoji": True},
                "value": value,
            },
            {
                "type": "button",
                "action_id": FEEDBACK_DOWN,
                "text": {"type": "plain_text", "text": "👎 Wrong or unhelpful", "emoji": True},
                "value": value,
            },
        ],
    }


def _messages(blocks: list[Block], tail: list[Block], text: str) -> list[SlackMessage]:
    """The blocks in messages of at most MAX_BLOCKS; the tail (buttons) in the last one."""
    room = MAX_BLOCKS - len(tail)
    chunks = [blocks[i : i + room] for i in range(0, len(blocks), room)] or [[]]
    messages = [
        SlackMessage(text if i == 0 else "(continued)", tuple(c)) for i, c in enumerate(chunks)
    ]
    last = messages[-1]
    messages[-1] = SlackMessage(last.text, (*last.blocks, *tail))
    return messages
