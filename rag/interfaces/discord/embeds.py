"""An answer as Discord messages with embeds: the answer text (its [n] markers linking to the
quotes) in embed descriptions, the citations as fields (title, quote, speakers, date, links
to the source and to the web page's highlighted quote), notes in the footer.

Statement text is data: Discord's markdown characters are escaped with a backslash, so a
statement cannot bold, hide (spoilers) or forge a masked link, and messages allow no
mentions. Discord's limits: 4,096 characters in a description, 25 fields of 256/1,024, 10
embeds and 6,000 characters of embeds in a message, 2,000 in a message's content. A longer
answer is cut between sentences (rag.interfaces.chat_text) and continued in more messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rag.interfaces.chat_text import (
    answer_notes,
    format_markers,
    pieces,
    quote_url,
    safe_url,
    shorten,
)
from rag.types import Answer, Citation

DESCRIPTION_LIMIT = 4096
TITLE_LIMIT = 256
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
MAX_FIELDS = 25
MAX_EMBEDS = 10
MESSAGE_EMBED_CHARS = 6000
CONTENT_LIMIT = 2000
FOOTER_LIMIT = 2048
ANSWERED, DECLINED = 0x2E7D32, 0x757575
NO_MENTIONS: dict[str, Any] = {"parse": []}
MAX_SPEAKERS = 3

Embed = dict[str, Any]
Message = dict[str, Any]

_MARKDOWN = re.compile(r"([\\*_~`|>#\[\]()<])")


def escape(text: str) -> str:
    """Discord markdown made literal: a backslash before each character it gives meaning to."""
    return _MARKDOWN.sub(r"\\\1", text)


def answer_text(text: str, links: Mapping[int, str]) -> str:
    return format_markers(
        text, escape, lambda n: f"[\\[{n}\\]]({links[n]})" if n in links else f"\\[{n}\\]"
    )


def message(content: str) -> Message:
    """A plain message: what went wrong, or a refusal."""
    return {"content": shorten(content, CONTENT_LIMIT), "allowed_mentions": NO_MENTIONS}


def answer_messages(answer: Answer, question: str, base_url: str | None = None) -> list[Message]:
    """The follow-up messages showing `answer`, in order."""
    links = {
        c.marker: url
        for c in answer.citations
        if (url := quote_url(base_url, c) or safe_url(c.source_url))
    }
    color = ANSWERED if answer.answerable else DECLINED
    texts = pieces(answer.text, DESCRIPTION_LIMIT, lambda t: len(answer_text(t, links)))
    embeds: list[Embed] = [
        {"description": answer_text(text, links), "color": color} for text in texts
    ] or [{"description": "", "color": color}]
    embeds[0]["title"] = escape(shorten(question, TITLE_LIMIT // 2))
    fields = [_field(c, base_url) for c in answer.citations]
    while fields:
        last = embeds[-1]
        if (
            len(last.get("fields", [])) >= MAX_FIELDS
            or embed_size(last) + _field_size(fields[0]) > MESSAGE_EMBED_CHARS
        ):
            last = {"title": "Sources (continued)", "color": color}
            embeds.append(last)
        last.setdefault("fields", []).append(fields.pop(0))
    notes = answer_notes(answer)
    if notes:
        embeds[-1]["footer"] = {"text": shorten(notes, FOOTER_LIMIT)}
    return [{"embeds": group, "allowed_mentions": NO_MENTIONS} for group in _groups(embeds)]


def _field(c: Citation, base_url: str | None) -> dict[str, Any]:
    name = shorten(f"[{c.marker}] {c.title or c.statement_id}", FIELD_NAME_LIMIT)
    who = c.speakers or c.statement_speakers or ((c.speaker,) if c.speaker else ())
    speakers = ", ".join(who[:MAX_SPEAKERS]) + (" …" if len(who) > MAX_SPEAKERS else "")
    facts = " · ".join(escape(p) for p in (speakers, c.date or "undated") if p)
    links = [
        f"[{label}]({url})"
        for label, url in (
            ("source", safe_url(c.source_url)),
            ("open the quote", quote_url(base_url, c)),
        )
        if url
    ]
    tail = "\n" + " · ".join([facts, *links])
    room = FIELD_VALUE_LIMIT - len(tail) - 2
    quote = shorten(c.quote, room)
    while len(escape(quote)) > room:  # escaping lengthened it
        quote = shorten(quote, len(quote) - (len(escape(quote)) - room))
    return {"name": name, "value": f"“{escape(quote)}”{tail}", "inline": False}


def _field_size(field: dict[str, Any]) -> int:
    return len(field["name"]) + len(field["value"])


def embed_size(embed: Embed) -> int:
    """Characters Discord counts towards a message's 6,000."""
    return (
        len(embed.get("title", ""))
        + len(embed.get("description", ""))
        + sum(_field_size(f) for f in embed.get("fields", []))
        + len(embed.get("footer", {}).get("text", ""))
    )


def _groups(embeds: list[Embed]) -> list[list[Embed]]:
    groups: list[list[Embed]] = [[]]
    for embed in embeds:
        current = groups[-1]
        if current and (
            len(current) >= MAX_EMBEDS
            or sum(embed_size(e) for e in current) + embed_size(embed) > MESSAGE_EMBED_CHARS
        ):
            groups.append(current := [])
        current.append(embed)
    return groups
