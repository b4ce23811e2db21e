"""Uploaded files -> statements, and the job queue that ingests them one at a time."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Sequence

import pytest

from rag.errors import IngestError, InputError, StoreError, TooLargeError
from rag.ingest import load_upload
from rag.ingest.reading import ReadLimits
from rag.ingest.uploads import Job, Jobs, UploadedFile, read_uploads
from rag.types import IngestReport, Statement

RECORD = b'{"id": "kenya-haiti", "text": "Kenya will lead the mission.", "date": "2023-10-02"}\n'


def wait(jobs: Jobs, job_id: str, state: str) -> Job:
    deadline = time.monotonic() + 5
    while (job := jobs.get(job_id)).state != state:
        assert time.monotonic() < deadline, f"job is {job.state}, not {state}"
        time.sleep(0.01)
    return job


def test_an_upload_is_read_like_a_file_of_its_name() -> None:
    [statement] = load_upload("some/folder/notes.md", b"---\nspeaker: Ruto\n---\nWe are ready.")
    assert (statement.id, statement.speaker, statement.text) == ("notes", "Ruto", "We are ready.")
    assert statement.origin == "notes.md"
    [record] = load_upload("readouts.jsonl.gz", gzip.compress(RECORD))
    assert (record.id, record.origin) == ("kenya-haiti", "readouts.jsonl.gz:1")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("budget.xlsx", b"PK\x03\x04", "budget.xlsx: unsupported file type"),
        ("C:\\Users\\me\\notes.txt", b"caf\xe9", "notes.txt: not UTF-8"),
        ("lines.jsonl", RECORD + b"{oops\n", "lines.jsonl:2: invalid JSON"),
    ],
)
def test_a_bad_upload_names_the_file(name: str, data: bytes, message: str) -> None:
    with pytest.raises(IngestError, match=f"^{message}"):
        load_upload(name, data)


def limits(max_bytes: int, max_statement_chars: int = 1000) -> ReadLimits:
    return ReadLimits(max_bytes, max_statement_chars, "RAG_UPLOAD_MAX_BYTES", "an upload")


def test_reading_uploads_checks_there_are_files_and_their_size() -> None:
    with pytest.raises(InputError, match="no files"):
        read_uploads([], limits(1000))
    with pytest.raises(TooLargeError, match="the limit is 10 bytes") as caught:
        read_uploads([UploadedFile("a.jsonl", RECORD)], limits(10))
    assert caught.value.field == "files"
    assert caught.value.hint is not None and "RAG_UPLOAD_MAX_BYTES" in caught.value.hint
    repeated = [UploadedFile("a.jsonl", RECORD), UploadedFile("b.jsonl", RECORD)]
    assert [s.id for s in read_uploads(repeated, limits(1000))] == ["kenya-haiti"]


def test_the_limit_counts_decompressed_bytes_of_all_files_together() -> None:
    bomb = gzip.compress(RECORD * 10_000)  # 860 KB inflated, 3 KB sent
    assert len(bomb) < 100_000 < len(RECORD) * 10_000
    with pytest.raises(TooLargeError) as caught:
        read_uploads([UploadedFile("bomb.jsonl.gz", bomb)], limits(100_000))
    assert caught.value.message.startswith(
        "bomb.jsonl.gz: more than 100,000 bytes once decompressed"
    )
    two = [
        UploadedFile("a.jsonl", RECORD * 6),
        UploadedFile("b.jsonl.gz", gzip.compress(RECORD * 6)),
    ]
    with pytest.raises(TooLargeError, match=r"^b\.jsonl\.gz: "):
        read_uploads(two, limits(len(RECORD) * 11))
    assert len(read_uploads(two, limits(len(RECORD) * 12))) == 1


def test_a_statement_over_the_text_limit_is_named_with_its_line() -> None:
    long = b'{"id": "long", "text": "' + b"Kenya. " * 200 + b'"}\n'
    with pytest.raises(TooLargeError) as caught:
        read_uploads([UploadedFile("notes.jsonl", RECORD + long)], limits(100_000, 1000))
    assert caught.value.message.startswith("notes.jsonl:2: the text of 'long' is 1,400 characters")
    assert caught.value.field == "files"
    assert caught.value.hint is not None and "RAG_MAX_STATEMENT_CHARS" in caught.value.hint


def test_a_file_name_longer_than_a_file_system_allows_is_refused() -> None:
    with pytest.raises(InputError, match="file name is 300 characters") as caught:
        read_uploads([UploadedFile("n" * 294 + ".jsonl", RECORD)], limits(1000))
    assert caught.value.field == "files"


def test_jobs_run_one_at_a_time_and_report_progress() -> None:
    release = threading.Event()
    seen: list[int] = []

    def ingest(statements: Sequence[Statement], progress: Callable[[int], None]) -> IngestReport:
        release.wait(5)
        for _ in statements:
            progress(1)
        seen.append(len(statements))
        return IngestReport(added=len(statements), passages=3)

    jobs = Jobs(ingest)
    statements = load_upload("a.jsonl", RECORD)
    first = jobs.submit(["a.jsonl"], statements)
    second = jobs.submit(["b.jsonl"], [*statements, *statements])
    assert (first.state, first.total, second.total) == ("queued", 1, 2)
    assert (first.ahead, second.ahead) == (0, 1)
    wait(jobs, first.id, "running")
    assert jobs.get(second.id).state == "queued"
    assert jobs.get(second.id).ahead == 1
    assert jobs.get(first.id).ahead is None  # running: no longer in the queue
    release.set()
    done = wait(jobs, second.id, "done")
    assert (done.done, done.report) == (2, IngestReport(added=2, passages=3))
    assert wait(jobs, first.id, "done").report == IngestReport(added=1, passages=3)
    assert seen == [1, 2]


def test_a_failing_job_says_why_and_the_next_still_runs() -> None:
    calls: list[int] = []

    def ingest(statements: Sequence[Statement], progress: Callable[[int], None]) -> IngestReport:
        calls.append(len(statements))
        if len(calls) == 1:
            raise StoreError("the store is unreachable", hint="start Chroma")
        return IngestReport(unchanged=len(statements))

    jobs = Jobs(ingest)
    statements = load_upload("a.jsonl", RECORD)
    failed = jobs.submit(["a.jsonl"], statements)
    later = jobs.submit(["a.jsonl"], statements)
    assert wait(jobs, failed.id, "failed").error == "the store is unreachable (start Chroma)"
    assert wait(jobs, later.id, "done").report == IngestReport(unchanged=1)


def test_an_unknown_job_is_not_found() -> None:
    with pytest.raises(InputError, match="no upload job"):
        Jobs(lambda statements, progress: IngestReport()).get("nope")
