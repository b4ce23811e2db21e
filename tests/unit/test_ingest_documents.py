"""The readers of published documents on real statements as a press office publishes them.

Fixtures: tests/fixtures/documents (built by build.py there from White House statements;
expected.json holds each statement's text as the page shows it, and each PDF page's text).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from rag.errors import IngestError
from rag.ingest import load_paths, load_upload
from rag.types import Statement, page_at
from tests.support.published import recovery

DOCUMENTS = Path(__file__).resolve().parent.parent / "fixtures" / "documents"
EXPECTED: dict[str, Any] = json.loads((DOCUMENTS / "expected.json").read_text("utf-8"))
PDFS = [name for name in EXPECTED if name.endswith(".pdf")]
RECOVERED_AT_LEAST = 0.99


@pytest.fixture(scope="module")
def read() -> dict[str, list[Statement]]:
    return {name: load_paths([DOCUMENTS / name]) for name in EXPECTED}


@pytest.mark.parametrize("name", EXPECTED)
def test_the_statement_text_is_recovered(read: dict[str, list[Statement]], name: str) -> None:
    statements = read[name]
    expected = EXPECTED[name]["statements"]
    assert len(statements) == len(expected)
    for statement, wanted in zip(statements, expected, strict=True):
        recovered, leaked = recovery(wanted["text"], statement.text)
        assert recovered >= RECOVERED_AT_LEAST, (name, recovered)
        # What else got in: a PDF's letterhead and bullets; nothing from a page's template.
        assert leaked <= (0.08 if name.endswith(".pdf") else 0.01), (name, leaked)


@pytest.mark.parametrize("name", EXPECTED)
def test_the_document_metadata_is_read(read: dict[str, list[Statement]], name: str) -> None:
    data = (DOCUMENTS / name).read_bytes()
    for statement, wanted in zip(read[name], EXPECTED[name]["statements"], strict=True):
        assert statement.title == wanted["title"]
        assert statement.date is not None and statement.date.text == wanted["date"]
        if not name.endswith(".docx"):  # a Word file has no place for its web address
            assert statement.source_url == wanted["source_url"]
        assert statement.metadata["file"] == name
        assert statement.metadata["sha256"] == hashlib.sha256(data).hexdigest()
        if name.endswith(".html"):
            assert statement.speaker == wanted["author"]  # the page's author, where it names one
        if name.endswith(".docx"):
            assert statement.metadata["author"] == wanted["author"]


def test_web_page_boilerplate_stays_out() -> None:
    [statement] = load_paths([DOCUMENTS / "statement-biden-mss-deployment.html"])
    for boilerplate in ("cookies", "Share on", "Subscribe", "Pennsylvania Ave", "Related",
                        "Briefing Room", "Copy link"):  # fmt: skip
        assert boilerplate not in statement.text


def test_feed_entries_are_statements_with_their_links() -> None:
    full = load_paths([DOCUMENTS / "briefing-room-feed.xml"])
    summaries = load_paths([DOCUMENTS / "statements-atom.xml"])
    assert [s.metadata["full_content"] for s in full] == [True] * 4
    assert [s.metadata["full_content"] for s in summaries] == [False] * 3
    # An entry's id is its guid (its link here), so a newer copy of the feed updates it.
    links = [s["source_url"] for s in EXPECTED["briefing-room-feed.xml"]["statements"]]
    assert [s.id for s in full] == links


@pytest.mark.parametrize("name", PDFS)
def test_every_pdf_paragraph_is_on_its_page(read: dict[str, list[Statement]], name: str) -> None:
    [statement] = read[name]
    [wanted] = EXPECTED[name]["statements"]
    assert len(statement.page_starts) == len(EXPECTED[name]["page_texts"])
    at = 0
    for paragraph, page in zip(
        wanted["text"].split("\n\n"), wanted["paragraph_pages"], strict=True
    ):
        offset = statement.text.find(paragraph[:60], at)
        assert offset >= 0, paragraph[:60]
        assert page_at(statement.page_starts, offset) == page, paragraph[:60]
        at = offset


def test_pdf_running_headers_footers_and_hyphens() -> None:
    [transcript] = load_paths([DOCUMENTS / "remarks-joint-press-conference.pdf"])
    [columns] = load_paths([DOCUMENTS / "readout-finer-haiti-two-column.pdf"])
    for text in (transcript.text, columns.text):
        assert "Page " not in text
        assert "whitehouse.gov" not in text
        assert "· Office of the Press Secretary" not in text  # the running header
    # Words the justified columns hyphenated at line ends are whole again ...
    for word in ("infrastructure", "reaffirmed", "citizen", "providing", "political"):
        assert word in columns.text
    # ... and a word the statement writes with a hyphen keeps it.
    assert "over the long-term to advance" in columns.text
    # The left column is read before the right one.
    assert columns.text.index("Civil rights leaders") < columns.text.index(
        "roundtable participants"
    )


def test_a_pdf_paragraph_runs_on_over_a_page_break() -> None:
    [transcript] = load_paths([DOCUMENTS / "remarks-joint-press-conference.pdf"])
    third_page = transcript.page_starts[2]
    # Ruto's sentence runs from the foot of page 2 to the top of page 3: one paragraph, and
    # page 3 begins inside it.
    assert "the warm welcome we have received on arrival" in transcript.text
    assert transcript.text[third_page - 1] == " "
    assert transcript.text[third_page:].startswith("have received on arrival")
    assert "\n\n\n" not in transcript.text


BAD = {
    "corrupt.pdf": "not a readable PDF",
    "password.pdf": "the PDF is password-protected",
    "scanned.pdf": "the PDF has no text layer",
    "no-main-text.html": "no main text found in the web page",
    "empty-feed.xml": "the feed has no entries",
}


@pytest.mark.parametrize(("name", "message"), BAD.items(), ids=BAD.keys())
def test_a_bad_document_is_refused_naming_it(name: str, message: str) -> None:
    path = DOCUMENTS / "bad" / name
    with pytest.raises(IngestError, match=f"^{path}: {message}"):
        load_paths([path])
    with pytest.raises(IngestError, match=f"^{name}: {message}"):
        load_upload(name, path.read_bytes())


def test_the_format_is_sniffed_when_the_name_does_not_say() -> None:
    pdf = (DOCUMENTS / "press-release-sullivan-helicopter.pdf").read_bytes()
    page = (DOCUMENTS / "readout-biden-ruto-call.html").read_bytes()
    [from_pdf] = load_upload("download", pdf)
    [from_page] = load_upload("saved-page.xml", page)  # an .xml that is a web page
    [gzipped] = load_upload("readout.html.gz", gzip.compress(page))
    assert from_pdf.metadata["format"] == "pdf" and from_pdf.id == "download"
    assert from_page.metadata["format"] == "html"
    assert gzipped.text == from_page.text and gzipped.id == "readout"


def test_a_mixed_folder_is_read_in_one_go(tmp_path: Path) -> None:
    for name in ("readout-biden-ruto-call.html", "remarks-joint-press-conference.pdf",
                 "readout-sullivan-juma.docx", "statements-atom.xml"):  # fmt: skip
        (tmp_path / name).write_bytes((DOCUMENTS / name).read_bytes())
    (tmp_path / "note.txt").write_text("Kenya will lead the mission.", "utf-8")
    (tmp_path / "README").write_text("not a statement", "utf-8")
    formats = sorted(str(s.metadata.get("format", "text")) for s in load_paths([tmp_path]))
    assert formats == ["docx", "feed", "feed", "feed", "html", "pdf", "text"]


def test_a_document_over_its_limits_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.ingest import pdf_files, word_files

    monkeypatch.setattr(pdf_files, "MAX_PAGES", 5)
    monkeypatch.setattr(word_files, "MAX_UNZIPPED_BYTES", 10_000)
    transcript = DOCUMENTS / "remarks-joint-press-conference.pdf"
    with pytest.raises(IngestError, match=r"the PDF has 9 pages; at most 5 are read"):
        load_paths([transcript])
    with pytest.raises(IngestError, match=r"^readout\.docx: the Word file unpacks to [\d,]+ bytes"):
        load_upload("readout.docx", (DOCUMENTS / "readout-sullivan-juma.docx").read_bytes())
