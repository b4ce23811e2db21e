"""Web page -> one document: the main text, without navigation, banners, share buttons or
footer, and the page's title, publication date, author and canonical URL.

trafilatura does the extraction (its metadata uses htmldate for the date). It was measured
against readability-lxml and jusText on statements rendered into two page templates
(benchmarks/extractors.py): it recovered the most of the statement text with the least
boilerplate, and it is the only one of the three that reads the metadata.
"""

from __future__ import annotations

import logging
import re
from pathlib import PurePath

from rag.errors import IngestError
from rag.ingest.documents import Document, paragraphs_text

log = logging.getLogger(__name__)

_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—·:]\s+")
MIN_MAIN_TEXT_CHARS = 80
"""Less main text than this is a page without a statement (an index, a cookie wall)."""


def read_html(data: bytes, path: PurePath) -> Document:
    import trafilatura
    from trafilatura.settings import Document as Extracted

    try:
        extracted = trafilatura.bare_extraction(
            data,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            favor_precision=True,
            date_extraction_params={"original_date": True, "extensive_search": True},
        )
    except (ValueError, TypeError) as exc:  # lxml cannot parse it at all
        raise IngestError(f"{path}: not a readable web page ({exc})") from exc
    if not isinstance(extracted, Extracted):
        extracted = Extracted()
    text = extracted.text
    if not text or len(text.strip()) < MIN_MAIN_TEXT_CHARS:
        raise IngestError(
            f"{path}: no main text found in the web page (only navigation, banners or links)",
            hint="save the page of the statement itself, or paste its text into a .txt file",
        )
    title = _headline(data, " ".join((extracted.title or "").split()) or None)
    lines = [line for line in text.split("\n") if line.strip()]
    if title and lines and " ".join(lines[0].split()) == title:
        lines = lines[1:]  # the headline repeated as the first line: it is the title
    author = " ".join((extracted.author or "").split()) or None
    return Document(
        text=paragraphs_text(lines),
        title=title,
        date=extracted.date or None,
        author=author,
        speaker=author,
        source_url=extracted.url or None,
        extra={"site": extracted.sitename} if extracted.sitename else {},
    )


def _headline(data: bytes, found: str | None) -> str | None:
    """The page's headline. trafilatura sometimes takes the site's part of a <title> such as
    "Readout of ... - Press Releases"; the longest part is the headline then."""
    import lxml.html

    try:
        raw = lxml.html.fromstring(data).findtext(".//title") or ""
    except (ValueError, lxml.etree.ParserError):
        return found
    parts = [" ".join(p.split()) for p in _TITLE_SEPARATORS.split(raw) if p.strip()]
    longest = max(parts, key=len, default=None)
    if found and longest and found in parts and len(found) < len(longest):
        return longest
    return found or longest
