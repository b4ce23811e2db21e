"""Uploaded files -> statements -> an ingest job that runs in the background.

Files are read and validated when they arrive (a bad one is rejected with its name
and line before anything is stored); the ingest itself, which can take minutes,
runs as a job on one worker thread, so jobs are done in order and never race
each other for the store. Jobs live in memory: a restart forgets them, never the
statements they stored.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from rag.errors import InputError, NotFoundError, RagError, TooLargeError
from rag.ingest import load_upload, unique_statements
from rag.ingest.reading import ByteBudget, ReadLimits
from rag.types import IngestReport, Statement

log = logging.getLogger(__name__)

JobState = Literal["queued", "running", "done", "failed"]
Ingest = Callable[[Sequence[Statement], Callable[[int], None]], IngestReport]
KEPT_JOBS = 200
"""Finished jobs remembered for polling; the oldest are forgotten first."""
MAX_NAME_CHARS = 255
"""A file name's length on common file systems."""


@dataclass(frozen=True, slots=True)
class UploadedFile:
    name: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Job:
    """A snapshot of one upload's progress; `Jobs.get` returns the latest."""

    id: str
    files: tuple[str, ...]
    total: int
    state: JobState = "queued"
    done: int = 0
    report: IngestReport | None = None
    error: str | None = None
    created: float = field(default_factory=time.time)
    ahead: int | None = None
    """While queued: the jobs that run before this one starts (the running one included)."""


def read_uploads(files: Sequence[UploadedFile], limits: ReadLimits) -> list[Statement]:
    """All statements in the files, validated; duplicate ids across files are an error.

    The files share one budget of decompressed bytes (`limits.max_bytes`); every error
    names the file (and line) and has `files` as its field."""
    if not files:
        raise InputError("no files were uploaded", field="files", hint="choose one or more files")
    budget = ByteBudget(limits)
    try:
        for f in files:
            if len(f.name) > MAX_NAME_CHARS:
                raise InputError(
                    f"a file name is {len(f.name):,} characters; the limit is {MAX_NAME_CHARS}",
                    hint="rename the file",
                )
        return unique_statements(s for f in files for s in load_upload(f.name, f.data, budget))
    except InputError as exc:
        raise type(exc)(exc.message, field="files", hint=exc.hint) from exc


def check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise TooLargeError(
            f"the upload is {size:,} bytes; the limit is {max_bytes:,}",
            field="files",
            hint="upload fewer or smaller files (gzip them), or raise RAG_UPLOAD_MAX_BYTES",
        )


class Jobs:
    """Upload jobs, run one at a time on a worker thread started with the first job."""

    def __init__(self, ingest: Ingest) -> None:
        self._ingest = ingest
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._queue: queue.Queue[tuple[str, Sequence[Statement]]] = queue.Queue()
        self._worker: threading.Thread | None = None

    def submit(self, files: Sequence[str], statements: Sequence[Statement]) -> Job:
        job = Job(id=uuid.uuid4().hex, files=tuple(files), total=len(statements))
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
            job = replace(job, ahead=self._ahead_of(job.id))
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="uploads", daemon=True)
                self._worker.start()
        self._queue.put((job.id, statements))
        return job

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None and job.state == "queued":
                job = replace(job, ahead=self._ahead_of(job_id))
        if job is None:
            raise NotFoundError(
                "no upload job with that id",
                field="job_id",
                hint="jobs are kept in memory; a restarted server has forgotten them",
            )
        return job

    def _ahead_of(self, job_id: str) -> int:
        """Unfinished jobs submitted before `job_id` (jobs run in the order submitted)."""
        ahead = 0
        for other_id, other in self._jobs.items():
            if other_id == job_id:
                break
            ahead += other.state in ("queued", "running")
        return ahead

    def _update(self, job_id: str, change: Callable[[Job], Job]) -> None:
        with self._lock:
            self._jobs[job_id] = change(self._jobs[job_id])

    def _work(self) -> None:
        while True:
            job_id, statements = self._queue.get()
            self._run(job_id, statements)

    def _run(self, job_id: str, statements: Sequence[Statement]) -> None:
        self._update(job_id, lambda j: replace(j, state="running"))
        done = 0

        def progress(n: int) -> None:
            nonlocal done
            done += n
            self._update(job_id, lambda j: replace(j, done=done))

        try:
            report = self._ingest(statements, progress)
        except RagError as exc:
            log.error("upload %s failed: %s", job_id, exc)
            self._fail(job_id, str(exc))
        except Exception:  # a job must report its failure, not kill the worker
            log.exception("upload %s failed", job_id)
            self._fail(job_id, "an unexpected error occurred; it has been logged")
        else:
            total = len(statements)
            self._update(job_id, lambda j: replace(j, state="done", done=total, report=report))

    def _fail(self, job_id: str, error: str) -> None:
        self._update(job_id, lambda j: replace(j, state="failed", error=error))

    def _forget_old(self) -> None:
        finished = [i for i, j in self._jobs.items() if j.state in ("done", "failed")]
        for job_id in finished[: max(0, len(self._jobs) - KEPT_JOBS)]:
            del self._jobs[job_id]
