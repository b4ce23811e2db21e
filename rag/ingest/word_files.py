"""Word (.docx) -> one document: its paragraphs and tables in order, and its core
properties (title, author, created date). Headers and footers are not text of the statement.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from rag.errors import IngestError
from rag.ingest.documents import Document, paragraphs_text

MAX_UNZIPPED_BYTES = 200_000_000
"""A .docx is a zip: the most its parts may unpack to (a zip bomb is refused before reading)."""


def read_docx(data: bytes, path: PurePath) -> Document:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _check_unzipped_size(data, path)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(
            f"{path}: not a readable Word (.docx) file ({exc})",
            hint="save it again as .docx (Word 2007 or later); .doc files are not read",
        ) from exc
    props = document.core_properties
    title = " ".join((props.title or "").split()) or None
    blocks = [_block_text(block) for block in document.iter_inner_content()]
    blocks = [b for b in blocks if b.strip()]
    if title and blocks and " ".join(blocks[0].split()) == title:
        blocks = blocks[1:]
    text = paragraphs_text(blocks)
    if not text:
        raise IngestError(f"{path}: the Word file has no text")
    created = props.created.date().isoformat() if props.created else None
    return Document(
        text=text,
        title=title,
        date=created,
        author=" ".join((props.author or "").split()) or None,
        extra={k: v for k, v in (("subject", props.subject), ("keywords", props.keywords)) if v},
    )


def _block_text(block: object) -> str:
    rows = getattr(block, "rows", None)
    if rows is None:
        return str(getattr(block, "text", ""))
    return "\n".join(" | ".join(cell.text.strip() for cell in row.cells) for row in rows)


def _check_unzipped_size(data: bytes, path: PurePath) -> None:
    """Refuse a .docx whose parts unpack to more than MAX_UNZIPPED_BYTES. zipfile reads no
    part past its declared size, so the declared sizes bound what python-docx unpacks."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise IngestError(
            f"{path}: not a readable Word (.docx) file ({exc})",
            hint="save it again as .docx (Word 2007 or later); .doc files are not read",
        ) from exc
    if size > MAX_UNZIPPED_BYTES:
        raise IngestError(
            f"{path}: the Word file unpacks to {size:,} bytes; at most {MAX_UNZIPPED_BYTES:,}",
            hint="split the document, or save its text as .txt",
        )
