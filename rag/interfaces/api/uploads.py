"""Upload routes: files from the ingest page become a background ingest job.

Thin: reading and validation live in rag.ingest.uploads; the job runs on its worker thread.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from rag.ingest import SUPPORTED
from rag.ingest.uploads import Job, Jobs, UploadedFile, check_size, read_uploads
from rag.interfaces.api.errors import HTTPError
from rag.interfaces.api.security import ADMIN
from rag.interfaces.fields import MAX_JOB_ID_CHARS
from rag.interfaces.output import ErrorOut, IngestOut
from rag.service import Service

router = APIRouter(
    tags=["statements"],
    dependencies=ADMIN,
    responses={code: {"model": ErrorOut} for code in (400, 401, 403, 404, 413, 422, 429)},
)

_MULTIPART: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": f"Statement files: {SUPPORTED}.",
                        }
                    },
                }
            }
        },
    }
}


class UploadJobOut(BaseModel):
    job_id: str
    state: str = Field(description="queued, running, done or failed.")
    files: list[str]
    statements_total: int
    statements_done: int = Field(description="Statements stored or found unchanged so far.")
    report: IngestOut | None = Field(description="The counts, once the job is done.")
    error: str | None = Field(description="Why the job failed.")
    jobs_ahead: int | None = Field(
        description="While queued: the uploads that run before this one starts."
    )

    @classmethod
    def of(cls, job: Job) -> UploadJobOut:
        return cls(
            job_id=job.id,
            state=job.state,
            files=list(job.files),
            statements_total=job.total,
            statements_done=job.done,
            report=IngestOut.of(job.report) if job.report else None,
            error=job.error,
            jobs_ahead=job.ahead,
        )


def _jobs(request: Request) -> Jobs:
    jobs: Jobs = request.app.state.uploads
    return jobs


@router.post("/v1/uploads", status_code=202, response_model=UploadJobOut, openapi_extra=_MULTIPART)
async def upload(request: Request) -> UploadJobOut:
    """Validate uploaded statement files, then ingest them in the background.

    A bad file is rejected with its name and line, and nothing is stored. Poll the job.
    """
    service: Service = request.app.state.service
    declared = request.headers.get("content-length", "")
    if declared.isdigit():  # before reading a body that is too big
        check_size(int(declared), service.settings.upload_max_bytes)
    max_files = service.settings.upload_max_files
    try:
        async with request.form(max_files=max_files) as form:
            files = [
                UploadedFile(part.filename or "upload", await part.read())
                for part in form.getlist("files")
                if isinstance(part, UploadFile)
            ]
    except StarletteHTTPException as exc:
        if isinstance(exc, HTTPError):  # the body's size, checked while it was read
            raise
        raise HTTPError(
            400,
            ErrorOut(
                error="invalid_upload",
                message=f"the upload cannot be read: {exc.detail}",
                field="files",
                hint=f"send at most {max_files} files (RAG_UPLOAD_MAX_FILES sets the limit) "
                "as multipart/form-data, each in a part named 'files'",
            ),
        ) from exc
    limits = service.settings.upload_read_limits
    statements = await run_in_threadpool(read_uploads, files, limits)
    return UploadJobOut.of(_jobs(request).submit([f.name for f in files], statements))


@router.get("/v1/uploads/{job_id}", response_model=UploadJobOut)
def upload_job(
    job_id: Annotated[str, PathParam(max_length=MAX_JOB_ID_CHARS)], request: Request
) -> UploadJobOut:
    """An upload's progress: statements done of total, and the counts when done."""
    return UploadJobOut.of(_jobs(request).get(job_id))
