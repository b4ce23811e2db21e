"""RSS or Atom feed file -> one document per entry: its title, link, date, author and text.

feedparser reads the feed. An entry's text is its full content when the feed carries it
(content:encoded, Atom content), else its summary. A saved feed only: nothing is fetched.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import PurePath
from typing import Any

from rag.errors import IngestError
from rag.ingest.documents import Document, paragraphs_text

log = logging.getLogger(__name__)

_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "dd", "dt")


def read_feed(data: bytes, path: PurePath) -> list[Document]:
    import feedparser

    feed = feedparser.parse(data)
    if not feed.entries:
        if feed.bozo and not feed.get("feed"):
            raise IngestError(
                f"{path}: not a readable RSS or Atom feed ({feed.bozo_exception})",
                hint="check the file is the feed's XML as saved from its URL",
            )
        raise IngestError(f"{path}: the feed has no entries", hint="save the feed again later")
    documents = []
    for number, entry in enumerate(feed.entries, start=1):
        text = _entry_text(entry)
        if not text:
            log.info("%s: entry %d (%s) has no text; skipped", path, number, entry.get("title"))
            continue
        author = " ".join(str(entry.get("author", "")).split()) or None
        documents.append(
            Document(
                text=text,
                title=" ".join(str(entry.get("title", "")).split()) or None,
                date=_date(entry),
                author=author,
                speaker=author,
                source_url=entry.get("link") or None,
                id=entry.get("id") or entry.get("link") or None,
                extra={"feed_entry": number, "full_content": bool(entry.get("content"))},
            )
        )
    if not documents:
        raise IngestError(f"{path}: no entry of the feed has any text")
    return documents


def _entry_text(entry: Any) -> str:
    contents = entry.get("content") or []
    for content in contents:
        text = html_text(str(content.get("value", "")))
        if text:
            return text
    return html_text(str(entry.get("summary", "")))


def html_text(fragment: str) -> str:
    """An HTML fragment's text, a paragraph per block element (plain text passes through)."""
    import lxml.html

    if "<" not in fragment:
        return paragraphs_text(fragment.split("\n\n"))
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return ""
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    blocks = [
        el for el in root.iter(*_BLOCKS) if not any(a.tag in _BLOCKS for a in el.iterancestors())
    ]
    if not blocks:
        return paragraphs_text([root.text_content()])
    return paragraphs_text([el.text_content() for el in blocks])


def _date(entry: Any) -> str | None:
    """The entry's date as the feed writes it (its own time zone, not UTC)."""
    from email.utils import parsedate_to_datetime

    for key in ("published", "updated", "created"):
        raw = str(entry.get(key) or "").strip()
        if not raw:
            continue
        try:
            return dt.datetime.fromisoformat(raw.replace("Z", "+00:00")).date().isoformat()
        except ValueError:
            pass
        try:
            return parsedate_to_datetime(raw).date().isoformat()
        except (TypeError, ValueError):
            pass
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return dt.date(value.tm_year, value.tm_mon, value.tm_mday).isoformat()
    return None
