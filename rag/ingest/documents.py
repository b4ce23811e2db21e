"""What a reader of a published document (web page, PDF, Word file, feed entry) gives back.

Readers turn bytes into `Document`s; rag.ingest.formats turns each into a validated
Statement, adding the file's name and hash. Also the small text helpers they share.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from rag.text.vocabulary import MONTHS
from rag.types import Scalar

_MONTHS = {name: n for n, names in enumerate(MONTHS, start=1) for name in names}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_LONG_DATE = re.compile(
    rf"\b(?:(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}}),?\s+(?P<y1>\d{{4}})"
    rf"|(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTH})\.?,?\s+(?P<y2>\d{{4}})"
    rf"|(?P<iso>\d{{4}}-\d{{2}}-\d{{2}}))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Document:
    """One statement as a document gives it: the text a reader sees, and what it says about it."""

    text: str
    title: str | None = None
    date: str | None = None
    """ISO date (or datetime) of publication, when the document gives one."""
    author: str | None = None
    speaker: str | None = None
    source_url: str | None = None
    page_starts: tuple[int, ...] = ()
    """Offsets into `text` where each page begins (PDF); empty for documents without pages."""
    id: str | None = None
    """An id the document carries (a feed entry's guid); else the file's."""
    extra: dict[str, Scalar] = field(default_factory=dict)


def long_date(text: str) -> str | None:
    """The first date written out in `text` ("March 29, 2024", "29 March 2024", ISO)."""
    for match in _LONG_DATE.finditer(text):
        if match.group("iso"):
            try:
                return dt.date.fromisoformat(match.group("iso")).isoformat()
            except ValueError:
                continue
        month = (match.group("m1") or match.group("m2")).lower()
        day = int(match.group("d1") or match.group("d2"))
        year = int(match.group("y1") or match.group("y2"))
        try:
            return dt.date(year, _MONTHS[month], day).isoformat()
        except ValueError:
            continue
    return None


def paragraphs_text(blocks: list[str]) -> str:
    """Blocks of text as paragraphs: whitespace inside each collapsed, blank lines between."""
    return "\n\n".join(b for b in (" ".join(block.split()) for block in blocks) if b)
