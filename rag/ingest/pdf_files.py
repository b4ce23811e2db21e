"""PDF -> one document: text in reading order with paragraphs, and where each page begins.

Read with pypdfium2 (Google's PDFium; Apache-2.0/BSD-3). It was measured against pypdf,
pdfplumber and PyMuPDF (benchmarks/extractors.py): as fast as PyMuPDF (~3 ms a page,
pdfplumber ~200), and it reports each line with its box and marks hyphens it broke
lines at, which is what paragraphs, running headers and hyphenation need. PyMuPDF is AGPL.

From the lines of each page: running headers and footers (a line repeated at the top or
bottom of most pages, digits aside; a page number alone) are dropped; lines are joined into
paragraphs at vertical gaps, indents and bullets; a word hyphenated at a line end is joined
(the hyphen kept only when the document writes that word with a hyphen elsewhere). A
PDF without a text layer (a scan) is refused: there is no OCR here.
"""

from __future__ import annotations

import itertools
import logging
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePath

from rag.errors import IngestError
from rag.ingest.documents import Document, long_date

log = logging.getLogger(__name__)

MAX_PAGES = 2_000
"""Pages read from one PDF at most; a longer one is refused rather than read for minutes."""
_EDGE_LINES = 2  # lines at the top and at the bottom of a page that may be header/footer
_MARGIN_BAND = 0.08  # the top and bottom 8% of a page, where running headers and footers sit
_RUNNING_SHARE = 0.6  # a header/footer is on at least this share of the pages (and 2 pages)
_SOFT_HYPHENS = ("\x02", "\ufffe", "\u00ad")  # PDFium's marks for a hyphen it broke a line at
_LINE_HYPHENS = (*_SOFT_HYPHENS, "-", "‐")
_PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE
)
_BULLET = re.compile(r"^[•◦▪‣●■□–-]\s")
_SENTENCE_END = re.compile(r"[.!?:;\"”’)\]]$")
_WORD_TAIL = re.compile(r"(\w+)$")
_WORD_HEAD = re.compile(r"^(\w+)")
_COMPOUND_TAIL = re.compile(r"\w-\w+$")
_PASSWORD_HINT = "remove the password (e.g. print to PDF) and ingest the copy"


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    left: float
    bottom: float
    right: float
    top: float

    @property
    def height(self) -> float:
        return self.top - self.bottom


def read_pdf(data: bytes, path: PurePath) -> Document:
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise IngestError(
                f"{path}: the PDF is password-protected", hint=_PASSWORD_HINT
            ) from exc
        raise IngestError(
            f"{path}: not a readable PDF ({exc})",
            hint="check the file is a complete PDF (a broken download is often cut short)",
        ) from exc
    try:
        if len(pdf) > MAX_PAGES:
            raise IngestError(
                f"{path}: the PDF has {len(pdf):,} pages; at most {MAX_PAGES:,} are read",
                hint="split the PDF into smaller files",
            )
        pages = [_page_lines(pdf, i) for i in range(len(pdf))]
        heights = [pdf[i].get_height() for i in range(len(pdf))]
        info = pdf.get_metadata_dict(skip_empty=True)
    finally:
        pdf.close()
    if not any(pages):
        raise IngestError(
            f"{path}: the PDF has no text layer (a scan?); there is no OCR here",
            hint="run OCR on it first (e.g. ocrmypdf), or ingest its text as .txt",
        )
    pages = _drop_running_lines(pages, heights)
    title = " ".join(info.get("Title", "").split()) or None
    text, starts = _assemble(pages, title)
    if not text.strip():
        raise IngestError(f"{path}: the PDF holds no text besides headers and footers")
    first_page = "\n".join(line.text for line in pages[0][:12]) if pages else ""
    return Document(
        text=text,
        title=title,
        date=long_date(first_page) or _pdf_date(info.get("CreationDate", "")),
        author=info.get("Author") or None,
        source_url=_url(info.get("Subject", "")),
        page_starts=tuple(starts),
        extra={"pages": len(pages)},
    )


def _page_lines(pdf: object, index: int) -> list[Line]:
    page = pdf[index]  # type: ignore[index]
    textpage = page.get_textpage()
    try:
        lines: list[Line] = []
        for i in range(textpage.count_rects()):
            left, bottom, right, top = textpage.get_rect(i)
            text = textpage.get_text_bounded(left, bottom, right, top)
            text = text.replace("\r", " ").replace("\n", " ").strip(" ")
            if not text.strip():
                continue
            box = Line(text, left, bottom, right, top)
            last = lines[-1] if lines else None
            if last and _same_line(last, box):
                # Another run on the same line (a header's left and right parts, a word in
                # another font): one line.
                lines[-1] = Line(
                    f"{last.text} {text}",
                    last.left,
                    min(last.bottom, bottom),
                    right,
                    max(last.top, top),
                )
            else:
                lines.append(box)
        return lines
    finally:
        textpage.close()
        page.close()


def _same_line(last: Line, box: Line) -> bool:
    """Whether `box` continues `last`'s line: to its right, their heights mostly shared."""
    shared = min(last.top, box.top) - max(last.bottom, box.bottom)
    return box.left >= last.right - 1 and shared >= 0.5 * max(min(last.height, box.height), 0.1)


def _pattern(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _drop_running_lines(pages: list[list[Line]], heights: list[float]) -> list[list[Line]]:
    """Without running headers and footers: lines at the top or bottom of a page that are
    repeated on most pages (digits aside), bare page numbers, and lines set apart in the
    page's outer margin band (what a one-page release has instead of repetition)."""
    candidates: Counter[str] = Counter()
    for lines in pages:
        candidates.update({_pattern(line.text) for line in _edges(lines)})
    needed = max(2, round(_RUNNING_SHARE * len(pages)))
    running = {p for p, n in candidates.items() if n >= needed}
    kept: list[list[Line]] = []
    for lines, height in zip(pages, heights, strict=True):
        edge = {id(line) for line in _edges(lines)}
        apart = {id(line) for line in _set_apart(lines, height)}
        kept.append(
            [
                line
                for line in lines
                if id(line) not in edge
                or not (
                    _pattern(line.text) in running
                    or _PAGE_NUMBER.match(line.text.strip())
                    or id(line) in apart
                )
            ]
        )
    return kept


def _set_apart(lines: list[Line], page_height: float) -> list[Line]:
    """Lines in the outer band of the page, farther from the text than lines are apart."""
    ordered = sorted(lines, key=lambda line: -line.top)
    band = _MARGIN_BAND * page_height
    found: list[Line] = []
    for outer, inner in ((ordered[:1], ordered[1:2]), (ordered[-1:], ordered[-2:-1])):
        if not outer or not inner:
            continue
        line, neighbour = outer[0], inner[0]
        in_band = line.bottom >= page_height - band if line is ordered[0] else line.top <= band
        gap = (line.bottom - neighbour.top) if line is ordered[0] else (neighbour.bottom - line.top)
        if in_band and gap > 2 * max(line.height, neighbour.height):
            found.append(line)
    return found


def _edges(lines: list[Line]) -> list[Line]:
    by_height = sorted(lines, key=lambda line: -line.top)
    return by_height[:_EDGE_LINES] + by_height[-_EDGE_LINES:]


def _assemble(pages: list[list[Line]], title: str | None) -> tuple[str, list[int]]:
    """Paragraphs separated by blank lines; the offset where each page's text begins."""
    paragraphs: list[list[str]] = []
    starts: list[int] = []
    split_points: list[tuple[int, int]] = []  # (paragraph, line index) where a page begins
    title_lines = _title_span(pages[0], title) if pages else range(0)
    pitch = _usual_gap(pages)  # over the whole document: a short last page has few lines
    for number, lines in enumerate(pages):
        if number == 0:
            lines = [line for i, line in enumerate(lines) if i not in title_lines]
        for i, line in enumerate(lines):
            previous = lines[i - 1] if i else None
            new_paragraph = not paragraphs or _starts_paragraph(previous, line, pitch)
            if i == 0 and paragraphs:
                # A page's first line continues the last paragraph unless that one ended.
                new_paragraph = bool(_SENTENCE_END.search(paragraphs[-1][-1].rstrip("\x02")))
            if new_paragraph:
                paragraphs.append([])
            if i == 0:
                split_points.append((len(paragraphs) - 1, len(paragraphs[-1])))
            paragraphs[-1].append(line.text)
    words = _hyphenated_words(paragraphs)
    text_parts: list[str] = []
    at = 0
    for index, paragraph in enumerate(paragraphs):
        if text_parts:
            text_parts.append("\n\n")
            at += 2
        breaks = [line for p, line in split_points if p == index]
        joined, offsets = _join_lines(paragraph, words)
        for line_index in breaks:
            starts.append(at + offsets[line_index])
        text_parts.append(joined)
        at += len(joined)
    return "".join(text_parts), starts


def _title_span(lines: list[Line], title: str | None) -> range:
    """The first page's lines that spell the title (it is metadata, not text), if any."""
    target = "".join((title or "").split()).lower()
    for first in range(min(len(lines), 8)) if target else ():
        seen = ""
        for last in range(first, min(len(lines), first + 6)):
            seen += "".join(lines[last].text.split()).lower()
            if seen == target:
                return range(first, last + 1)
            if not target.startswith(seen):
                break
    return range(0)


def _usual_gap(pages: list[list[Line]]) -> float:
    """The most common space between a line and the next: what is not a paragraph break."""
    gaps = [
        a.bottom - b.top
        for lines in pages
        for a, b in itertools.pairwise(lines)
        if 0 <= a.bottom - b.top < 3 * max(a.height, 1)
    ]
    return statistics.median(gaps) if gaps else 0.0


def _starts_paragraph(previous: Line | None, line: Line, usual_gap: float) -> bool:
    if previous is None:
        return True
    height = max(statistics.median([previous.height, line.height]), 1.0)
    gap = previous.bottom - line.top
    if gap < -height:  # moved up: a new column (or a box beside the text)
        return bool(_SENTENCE_END.search(previous.text.rstrip("\x02")))
    if gap > usual_gap + 0.4 * height:
        return True
    if _BULLET.match(line.text):
        return True
    indented = line.left - previous.left > 0.8 * height
    return indented and bool(_SENTENCE_END.search(previous.text))


def _hyphenated_words(paragraphs: list[list[str]]) -> set[str]:
    """Words the document writes with a hyphen inside a line ("long-term")."""
    return {
        w.lower() for lines in paragraphs for line in lines for w in re.findall(r"\w+-\w+", line)
    }


def _join_lines(lines: list[str], hyphenated: set[str]) -> tuple[str, list[int]]:
    """One paragraph's lines as one string, and where each line starts in it.

    A line ending in a hyphen before a lower-case word is a word broken at the line end:
    joined, without the hyphen unless the document hyphenates that word elsewhere or the
    line ends inside a compound ("whole-of-" / "government"). Before
    a capital or a digit ("U.S.-" / "Kenya") the hyphen is kept and no space added.
    """
    out = ""
    offsets: list[int] = []
    for line in lines:
        line = line.strip()
        if out and out[-1] in _LINE_HYPHENS and line[:1].isalnum() and out[-2:-1].isalnum():
            head = _WORD_HEAD.match(line)
            before = _WORD_TAIL.search(out[:-1])
            word = f"{before.group(1) if before else ''}-{head.group(1) if head else ''}"
            compound = _COMPOUND_TAIL.search(out[:-1]) is not None  # "whole-of-" / "government"
            broken = line[0].islower() and not compound and word.lower() not in hyphenated
            out = out[:-1] + ("" if broken else "-")
        elif out:
            if out[-1] in _SOFT_HYPHENS:
                out = out[:-1] + "-"
            out += " "
        offsets.append(len(out))
        out += line
    for soft in _SOFT_HYPHENS:
        out = out.replace(soft, "-" if soft != "\u00ad" else "")
    return out, offsets


def _pdf_date(value: str) -> str | None:
    """A PDF date (D:20240418093000+00'00') as an ISO date."""
    match = re.match(r"D:(\d{4})(\d{2})(\d{2})", value)
    return f"{match.group(1)}-{match.group(2)}-{match.group(3)}" if match else None


def _url(value: str) -> str | None:
    value = value.strip()
    return value if re.match(r"https?://\S+$", value) else None
