"""Which library extracts statements from web pages and PDFs best: the measurement behind
rag/ingest/web_pages.py (trafilatura) and rag/ingest/pdf_files.py (pypdfium2).

    .venv/bin/pip install -e '.[fixtures,extractors]'
    .venv/bin/python benchmarks/extractors.py [--statements 60] [--seed 18]

Draws statements at random from ../shared/data (White House statements and remarks), renders
each the way a press office publishes it (tests/support/published.py: two page templates; a
one-page release, a two-column hyphenated layout and a long transcript as PDFs), extracts the
text with each library, and compares it with the statement as the page shows it:

- recovered: share of the statement's characters found in the extraction, in order (text out
  of reading order counts as missing), whitespace aside; min over statements too;
- leaked: share of the extraction that is not the statement (navigation, banners, headers);
- metadata (web pages): title, date, author and canonical URL found as the page gives them;
- ms: extraction time per page (web) or per PDF page, median.

"rag" rows are this package's readers (the library plus what rag/ingest adds: paragraphs,
running headers and footers, hyphenation, title). Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rag.ingest.formats import read_document  # noqa: E402
from tests.support import published  # noqa: E402
from tests.support.published import Source, recovery  # noqa: E402

DATA = next(
    (d for d in (REPO.parent / "shared/data", REPO.parents[1] / "shared/data") if d.is_dir()),
    REPO.parent / "shared/data",
)


@dataclass
class Tally:
    recovered: list[float] = field(default_factory=list)
    leaked: list[float] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)
    metadata: dict[str, list[bool]] = field(default_factory=dict)

    def add(self, reference: str, text: str, seconds: float, pages: int = 1) -> None:
        got, extra = recovery(reference, text)
        self.recovered.append(got)
        self.leaked.append(extra)
        self.ms.append(1000 * seconds / max(pages, 1))

    def meta(self, name: str, ok: bool) -> None:
        self.metadata.setdefault(name, []).append(ok)

    def row(self, name: str, meta_names: tuple[str, ...] = ()) -> str:
        cells = [
            name,
            f"{statistics.mean(self.recovered):.4f}",
            f"{min(self.recovered):.4f}",
            f"{sum(r >= 0.99 for r in self.recovered)}/{len(self.recovered)}",
            f"{statistics.mean(self.leaked):.4f}",
            f"{statistics.median(self.ms):.1f}",
        ]
        for m in meta_names:
            found = self.metadata.get(m)
            cells.append(f"{sum(found)}/{len(found)}" if found else "-")
        return "| " + " | ".join(cells) + " |"


def draw(data: Path, n: int, seed: int) -> list[Source]:
    """`n` statements at random, a quarter of them remarks (long transcripts)."""
    rng = random.Random(seed)
    chosen: list[Source] = []
    for corpus, share in (("statements", 0.75), ("remarks", 0.25)):
        with gzip.open(data / "whitehouse" / f"{corpus}.jsonl.gz", "rt", encoding="utf-8") as f:
            records = [json.loads(line) for line in f]
        usable = [r for r in records if 400 <= len(r["text"]) <= 40_000]
        for record in rng.sample(usable, round(n * share)):
            s = published.source(record, author=None)
            if s.paragraphs:
                chosen.append(s)
    return chosen


# ---- web pages ---------------------------------------------------------------------------


def _trafilatura(html: str) -> tuple[str, dict[str, Any]]:
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, favor_precision=True)
    if doc is None:
        return "", {}
    meta = {"title": doc.title, "date": doc.date, "author": doc.author, "url": doc.url}
    return doc.text or "", meta


def _readability(html: str) -> tuple[str, dict[str, Any]]:
    import lxml.html
    from readability import Document

    doc = Document(html)
    root = lxml.html.fromstring(doc.summary(html_partial=True))
    blocks = [el.text_content() for el in root.iter("p", "li", "h1", "h2", "h3", "h4")]
    return "\n\n".join(blocks), {"title": doc.short_title()}


def _justext(html: str) -> tuple[str, dict[str, Any]]:
    import justext

    paragraphs = justext.justext(html.encode(), justext.get_stoplist("English"))
    return "\n\n".join(p.text for p in paragraphs if not p.is_boilerplate), {}


def _rag_html(html: str) -> tuple[str, dict[str, Any]]:
    [s] = read_document(html.encode(), PurePath("page.html"), "page")
    meta = {
        "title": s.title,
        "date": s.date.text if s.date else None,
        "author": s.speaker,
        "url": s.source_url,
    }
    return s.text, meta


HTML_EXTRACTORS: dict[str, Callable[[str], tuple[str, dict[str, Any]]]] = {
    "trafilatura 2 (+htmldate)": _trafilatura,
    "readability-lxml": _readability,
    "jusText": _justext,
    "rag (trafilatura + title/paragraphs)": _rag_html,
}
META = ("title", "date", "author", "url")


def _same(found: str | None, title: str) -> bool:
    """Titles equal, but for invisible word joiners (U+2060) some extractors drop."""
    return (found or "").replace("\u2060", "") == title.replace("\u2060", "")


def measure_html(sources: list[Source]) -> None:
    tallies = {name: Tally() for name in HTML_EXTRACTORS}
    with_author = {s.id for s in sources[::2]}  # half the pages name an author
    for i, s in enumerate(sources):
        s = published.Source(
            **{**s.__dict__, "author": "Karine Jean-Pierre" if s.id in with_author else None}
        )
        related = tuple((o.title, o.url) for o in sources[i + 1 : i + 4])
        s = published.Source(**{**s.__dict__, "related": related})
        for template in ("press-office", "ministry"):
            page = published.page_html(s, template)
            for name, extract in HTML_EXTRACTORS.items():
                started = time.perf_counter()
                try:
                    text, meta = extract(page)
                except Exception as exc:
                    print(f"  {name} failed on {s.id}: {exc}", file=sys.stderr)
                    text, meta = "", {}
                tallies[name].add(s.plain, text, time.perf_counter() - started)
                t = tallies[name]
                if "title" in meta:
                    t.meta("title", _same(meta.get("title"), s.title))
                if "date" in meta:
                    t.meta("date", meta.get("date") == s.date.isoformat())
                if "author" in meta and s.author:
                    t.meta("author", meta.get("author") == s.author)
                if "url" in meta:
                    t.meta("url", meta.get("url") == s.url)
    print(f"\n### Web pages: {len(sources)} statements x 2 templates = {2 * len(sources)} pages\n")
    print(
        "| extractor | recovered (mean) | min | pages >= 0.99 | leaked | ms/page "
        "| title | date | author | canonical URL |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, t in tallies.items():
        print(t.row(name, META))


# ---- PDFs --------------------------------------------------------------------------------


def _pypdf(data: bytes) -> tuple[str, int]:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(p.extract_text() for p in reader.pages), len(reader.pages)


def _pdfplumber(data: bytes) -> tuple[str, int]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(p.extract_text() or "" for p in pdf.pages), len(pdf.pages)


def _pymupdf(data: bytes) -> tuple[str, int]:
    import pymupdf

    with pymupdf.open(stream=data, filetype="pdf") as pdf:
        return "\n".join(p.get_text() for p in pdf), len(pdf)


def _pdfium(data: bytes) -> tuple[str, int]:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    return "\n".join(p.get_textpage().get_text_range() for p in pdf), len(pdf)


def _rag_pdf(data: bytes) -> tuple[str, int]:
    [s] = read_document(data, PurePath("release.pdf"), "release")
    return s.text, int(s.metadata["pages"])


PDF_EXTRACTORS: dict[str, Callable[[bytes], tuple[str, int]]] = {
    "pypdf (BSD-3, pure Python)": _pypdf,
    "pdfplumber (MIT; pdfminer.six)": _pdfplumber,
    "PyMuPDF (AGPL-3.0)": _pymupdf,
    "pypdfium2 (Apache-2.0/BSD-3), raw": _pdfium,
    "rag (pypdfium2 + paragraphs, headers, hyphens)": _rag_pdf,
}


def measure_pdf(sources: list[Source]) -> None:
    layouts: tuple[published.PdfLayout, ...] = ("release", "two-column", "transcript")
    tallies = {(name, layout): Tally() for name in PDF_EXTRACTORS for layout in layouts}
    for i, s in enumerate(sources):
        layout = layouts[i % 3]
        data = published.pdf(s, layout)
        for name, extract in PDF_EXTRACTORS.items():
            started = time.perf_counter()
            text, pages = extract(data)
            tallies[name, layout].add(s.plain, text, time.perf_counter() - started, pages)
    print(f"\n### PDFs: {len(sources)} statements, a third in each layout\n")
    print("| extractor | layout | recovered (mean) | min | >= 0.99 | leaked | ms/page |")
    print("|---|---|---|---|---|---|---|")
    for (name, layout), t in tallies.items():
        print(t.row(f"{name} | {layout}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--statements", type=int, default=60)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    sources = draw(args.data, args.statements, args.seed)
    print(f"{len(sources)} statements drawn (seed {args.seed}) from {args.data}/whitehouse")
    measure_html(sources)
    measure_pdf(sources)


if __name__ == "__main__":
    main()
