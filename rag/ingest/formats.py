"""The one reader registry: which formats are read, how a file's format is told (its suffix,
checked against its first bytes; sniffed when the suffix says nothing), and how a reader's
documents become validated Statements, with the file's name and hash in their metadata.

Every reader takes the file's bytes (already decompressed and size-checked by the caller),
so the same limits apply to `rag ingest`, `POST /v1/uploads` and the upload page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import Any

from rag.errors import IngestError
from rag.ingest.documents import Document
from rag.ingest.records import statement_from_record
from rag.ingest.text_files import read_records, read_text_file
from rag.types import DateSpan, Statement

Read = Callable[[bytes, PurePath, str], list[Statement]]


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    suffixes: tuple[str, ...]
    read: Read
    description: str


def _documents(name: str, reader: Callable[[bytes, PurePath], Document | list[Document]]) -> Read:
    def read(data: bytes, path: PurePath, default_id: str) -> list[Statement]:
        got = reader(data, path)
        documents = got if isinstance(got, list) else [got]
        digest = hashlib.sha256(data).hexdigest()
        many = len(documents) > 1 or name == "feed"
        return [
            statement_from_document(
                document,
                origin=f"{path}[entry {n}]" if many else str(path),
                default_id=f"{default_id}:{n}" if many else default_id,
                file=path.name,
                sha256=digest,
                kind=name,
            )
            for n, document in enumerate(documents, start=1)
        ]

    return read


def _html(data: bytes, path: PurePath) -> Document:
    from rag.ingest.web_pages import read_html

    return read_html(data, path)


def _pdf(data: bytes, path: PurePath) -> Document:
    from rag.ingest.pdf_files import read_pdf

    return read_pdf(data, path)


def _docx(data: bytes, path: PurePath) -> Document:
    from rag.ingest.word_files import read_docx

    return read_docx(data, path)


def _feed(data: bytes, path: PurePath) -> list[Document]:
    from rag.ingest.feeds import read_feed

    return read_feed(data, path)


FORMATS = (
    Format("text", (".txt", ".md"), read_text_file, "one statement; optional YAML front matter"),
    Format("records", (".jsonl", ".json"), read_records, "JSON records"),
    Format("html", (".html", ".htm", ".xhtml"), _documents("html", _html), "a web page"),
    Format("pdf", (".pdf",), _documents("pdf", _pdf), "a PDF with a text layer"),
    Format("docx", (".docx",), _documents("docx", _docx), "a Word file"),
    Format("feed", (".xml", ".rss", ".atom"), _documents("feed", _feed), "an RSS or Atom feed"),
)
_BY_NAME = {f.name: f for f in FORMATS}
SUPPORTED = ", ".join(s + gz for f in FORMATS for s in f.suffixes for gz in ("", ".gz"))
SUFFIXES = tuple(s for f in FORMATS for s in f.suffixes)


def suffix_of(path: PurePath) -> str:
    """The suffix that names the format: the last one, after a .gz is taken off."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def by_suffix(path: PurePath) -> Format | None:
    suffix = suffix_of(path)
    return next((f for f in FORMATS if suffix in f.suffixes), None)


def sniff(head: bytes) -> Format | None:
    """The format the first bytes of a file show, when they show one."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1024].lower()
    if start.startswith(b"%pdf-"):
        return _BY_NAME["pdf"]
    if start.startswith(b"pk\x03\x04") and b"word/" in head.lower():
        return _BY_NAME["docx"]
    if b"<rss" in start or b"<feed" in start or b"<rdf:rdf" in start:
        return _BY_NAME["feed"]
    if b"<!doctype html" in start or b"<html" in start:
        return _BY_NAME["html"]
    return None


def format_of(path: PurePath, head: bytes) -> Format | None:
    """The file's format: its suffix's, checked against its content; else what it looks like."""
    named = by_suffix(path)
    seen = sniff(head)
    if named is None:
        return seen
    if named.name == "feed" and seen is not None and seen.name == "html":
        return seen  # an .xml that is XHTML
    if named.name in ("pdf", "docx") and (seen is None or seen.name != named.name):
        what = "PDF" if named.name == "pdf" else "Word (.docx) file"
        raise IngestError(
            f"{path}: not a {what} (its first bytes say otherwise)",
            hint=f"check the file: a {suffix_of(path)} file that is something else, "
            "or a broken download",
        )
    return named


def read_document(data: bytes, path: PurePath, default_id: str) -> list[Statement]:
    """The statements in one file's bytes (decompressed), read by its format's reader."""
    found = format_of(path, data[:4096])
    if found is None:
        raise IngestError(f"{path}: unsupported file type", hint=f"use {SUPPORTED}")
    return found.read(data, path, default_id)


def statement_from_document(
    document: Document, origin: str, default_id: str, file: str, sha256: str, kind: str
) -> Statement:
    """Validate a reader's document as a statement (the same checks as a JSON record's)."""
    record: dict[str, Any] = {
        **document.extra,
        "id": document.id or default_id,
        "text": document.text,
        "title": document.title,
        "speaker": document.speaker,
        "date": _valid_date(document.date),
        "source_url": document.source_url,
        "author": document.author,
        "format": kind,
        "file": file,
        "sha256": sha256,
    }
    statement = statement_from_record(record, origin, default_id)
    return (
        replace(statement, page_starts=document.page_starts) if document.page_starts else statement
    )


def _valid_date(value: str | None) -> str | None:
    """A date a document gives, or None when it is not one (a document is not refused for it)."""
    if not value:
        return None
    try:
        return DateSpan.parse(value).text
    except ValueError:
        return None
