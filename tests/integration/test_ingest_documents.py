"""Published documents end to end: `rag ingest` of a mixed folder (with its progress bar and
summary line), uploads over HTTP, and citations into a PDF that name the right page.

Fixtures: tests/fixtures/documents (see PROVENANCE there). A citation's page is checked
against the PDF's own page texts (expected.json, written when the PDF was made), not
against what the reader computed.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import termios
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from rag.service import Service
from tests.conftest import EXAMPLES, FIXTURES
from tests.integration.test_api import assert_error, client_for, total
from tests.integration.test_cli import RAG, SUMMARY, Home
from tests.integration.test_uploads import files, finished
from tests.support.keys import ADMIN, with_keys
from tests.support.rag_serve import rag_env

pytestmark = [pytest.mark.slow, pytest.mark.integration]

DOCUMENTS = FIXTURES / "documents"
EXPECTED: dict[str, Any] = json.loads((DOCUMENTS / "expected.json").read_text("utf-8"))
MIXED = (
    "readout-biden-ruto-call.html",
    "statement-sullivan-unsc-haiti.html",
    "press-release-sullivan-helicopter.pdf",
    "readout-finer-haiti-two-column.pdf",
    "remarks-joint-press-conference.pdf",
    "readout-sullivan-juma.docx",
    "briefing-room-feed.xml",
    "statements-atom.xml",
)
PDF_IDS = {Path(name).stem: name for name in MIXED if name.endswith(".pdf")}
# Asked as a reader would; the answer is on page 7 of the press conference transcript.
NORTH_RIFT = "What did Ruto say about insecurity in the North Rift?"
NORTH_RIFT_PAGE = 7
BAD = {
    "corrupt.pdf": "not a readable PDF",
    "password.pdf": "the PDF is password-protected",
    "scanned.pdf": "the PDF has no text layer",
    "no-main-text.html": "no main text found in the web page",
    "empty-feed.xml": "the feed has no entries",
}


def expected_page(statement_id: str, quote: str) -> int:
    """The page of the PDF whose own text holds the quote's beginning."""
    head = re.sub(r"\s+", "", quote)[:40].replace("-", "")
    pages = EXPECTED[PDF_IDS[statement_id]]["page_texts"]
    found = [number for number, text in enumerate(pages, start=1) if head in text]
    assert found, (statement_id, quote)
    return found[0]


def assert_pdf_pages(citations: list[dict[str, Any]]) -> int:
    """Every citation into a PDF names the page its quote is on; how many there were."""
    checked = 0
    for c in citations:
        if c["statement_id"] in PDF_IDS:
            assert c["page"] == expected_page(c["statement_id"], c["quote"]), c
            checked += 1
        else:
            assert c["page"] is None, c
    return checked


def mixed_folder(root: Path) -> Path:
    folder = root / "published"
    folder.mkdir()
    for name in MIXED:
        shutil.copy(DOCUMENTS / name, folder / name)
    seed = (EXAMPLES / "ruto-rubio-call.md").read_text("utf-8")
    (folder / "ruto-rubio-call.txt").write_text(seed, "utf-8")
    records = (FIXTURES / "whitehouse-sample.jsonl").read_text("utf-8").splitlines()[:2]
    (folder / "readouts.jsonl").write_text("\n".join(records) + "\n", "utf-8")
    return folder


def statements_in(folder: Path) -> int:
    in_files = sum(len(EXPECTED[name]["statements"]) for name in MIXED)
    return in_files + 1 + 2  # the .txt and the two .jsonl lines


def run_on_a_terminal(home: Home, *args: str | Path) -> tuple[int, str, str]:
    """`rag ARGS` with stderr on a pseudo-terminal (so the progress bar is drawn)."""
    env = rag_env(home.path, {})
    controller, terminal = pty.openpty()
    # A terminal of 24 rows by 100 columns (a new pseudo-terminal has none, and tqdm draws
    # no bar on a terminal without rows).
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen(
        [str(RAG), *map(str, args)],
        cwd=home.path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=terminal,
        text=True,
    )
    os.close(terminal)
    drawn = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 300)
        assert ready, "rag ingest printed nothing for 5 minutes"
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        drawn += chunk
    stdout, _ = process.communicate(timeout=300)
    os.close(controller)
    return process.returncode, stdout, drawn.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Home, str, str]]:
    """A store holding the mixed folder, ingested by one `rag ingest` on a terminal."""
    home = Home(tmp_path_factory.mktemp("documents-cli"))
    folder = mixed_folder(home.path)
    code, stdout, progress = run_on_a_terminal(home, "ingest", folder)
    assert code == 0, progress
    yield home, stdout, progress


def test_a_mixed_folder_is_ingested_in_one_command(cli: tuple[Home, str, str]) -> None:
    home, stdout, progress = cli
    summary = SUMMARY.match(stdout.strip())
    assert summary, stdout
    wanted = statements_in(home.path / "published")
    assert int(summary["statements"]) == int(summary["added"]) == wanted
    assert f"{wanted}/{wanted}" in progress and "stmt" in progress  # the bar, drawn to the end
    shown = json.loads(home.rag("show", "remarks-joint-press-conference", "--json").stdout)
    assert shown["metadata"]["format"] == "pdf" and shown["metadata"]["pages"] == 9


def test_a_cli_answer_cites_the_pdf_page(cli: tuple[Home, str, str]) -> None:
    home, _, _ = cli
    done = home.rag("ask", NORTH_RIFT, "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["answerable"], answer["answer"]
    assert assert_pdf_pages(answer["citations"]) >= 1
    pages = {c["page"] for c in answer["citations"] if c["statement_id"] in PDF_IDS}
    assert NORTH_RIFT_PAGE in pages

    rendered = home.rag("ask", NORTH_RIFT).stdout
    assert f"remarks-joint-press-conference, page {NORTH_RIFT_PAGE}, characters" in rendered

    found = json.loads(home.rag("search", NORTH_RIFT, "--json").stdout)["passages"]
    top = next(p for p in found if p["statement_id"] == "remarks-joint-press-conference")
    assert top["page"] == page_of_passage(top)


def page_of_passage(passage: dict[str, Any]) -> int:
    return expected_page(passage["statement_id"], passage["text"])


@pytest.mark.parametrize(("name", "message"), BAD.items(), ids=BAD.keys())
def test_a_bad_document_fails_the_cli_ingest_and_stores_nothing(
    tmp_path: Path, name: str, message: str
) -> None:
    home = Home(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(DOCUMENTS / "readout-biden-ruto-call.html", folder)
    shutil.copy(DOCUMENTS / "bad" / name, folder)

    done = home.rag("ingest", folder)

    assert done.returncode != 0
    assert f"{folder / name}: {message}" in done.stderr
    assert not (tmp_path / "data").exists() or "0 statements" in home.rag("stats").stdout


@pytest.fixture
def uploads(make_service: Callable[..., Service]) -> Iterator[httpx.Client]:
    with client_for(make_service(**with_keys(upload_max_bytes=2_000_000)), ADMIN) as client:
        yield client


def test_uploaded_documents_are_stored_and_cite_their_pages(uploads: httpx.Client) -> None:
    named = [(name, (DOCUMENTS / name).read_bytes()) for name in MIXED]

    response = uploads.post("/v1/uploads", files=files(*named))

    assert response.status_code == 202, response.text
    job = finished(uploads, response.json()["job_id"])
    assert job["state"] == "done", job
    assert total(uploads) == sum(len(EXPECTED[name]["statements"]) for name in MIXED)
    stored = uploads.get("/v1/statements/readout-sullivan-juma").json()
    assert stored["metadata"]["file"] == "readout-sullivan-juma.docx"
    assert len(stored["metadata"]["sha256"]) == 64

    asked = uploads.post("/v1/ask", json={"question": NORTH_RIFT})
    assert asked.status_code == 200, asked.text
    citations = asked.json()["citations"]
    assert assert_pdf_pages(citations) >= 1
    assert NORTH_RIFT_PAGE in {c["page"] for c in citations}


@pytest.mark.parametrize(("name", "message"), BAD.items(), ids=BAD.keys())
def test_a_bad_document_upload_is_a_422_and_stores_nothing(
    uploads: httpx.Client, name: str, message: str
) -> None:
    good = (
        "readout-biden-ruto-call.html",
        (DOCUMENTS / "readout-biden-ruto-call.html").read_bytes(),
    )
    bad = (name, (DOCUMENTS / "bad" / name).read_bytes())

    response = uploads.post("/v1/uploads", files=files(good, bad))

    body = assert_error(response, 422, "invalid_input")
    assert body["message"].startswith(f"{name}: {message}"), body
    assert total(uploads) == 0
