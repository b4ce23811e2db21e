"""Uploads over real HTTP: files become a background ingest job; bad files store nothing."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from rag.service import Service
from tests.integration.test_api import (
    HARRIS_READOUT,
    RUTO_READOUT,
    SEED,
    SEED_ID,
    ZELENSKYY_READOUT,
    assert_error,
    client_for,
    fixture_records,
    total,
)
from tests.support.keys import ADMIN, with_keys

pytestmark = [pytest.mark.slow, pytest.mark.integration]

LIMIT = 100_000
Files = list[tuple[str, tuple[str, bytes, str]]]


def jsonl(*records: dict[str, Any]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def files(*named: tuple[str, bytes]) -> Files:
    return [("files", (name, data, "application/octet-stream")) for name, data in named]


def finished(client: httpx.Client, job_id: str, timeout: float = 60) -> dict[str, Any]:
    """Poll a job until it is done or failed."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f"/v1/uploads/{job_id}")
        assert response.status_code == 200, response.text
        job: dict[str, Any] = response.json()
        if job["state"] in ("done", "failed"):
            return job
        assert job["state"] in ("queued", "running")
        assert 0 <= job["statements_done"] <= job["statements_total"]
        assert time.monotonic() < deadline, f"the job is still {job['state']}"
        time.sleep(0.05)


@pytest.fixture
def uploads(make_service: Callable[..., Service]) -> Iterator[httpx.Client]:
    """The app on an empty store, with a small upload limit; the client sends the admin key."""
    with client_for(make_service(**with_keys(upload_max_bytes=LIMIT)), ADMIN) as client:
        yield client


def test_an_upload_stores_its_statements_in_a_job(uploads: httpx.Client) -> None:
    readouts = jsonl(*fixture_records(RUTO_READOUT, HARRIS_READOUT))
    zelenskyy = json.dumps(fixture_records(ZELENSKYY_READOUT)).encode()
    sent = files(
        ("readouts.jsonl", readouts),
        ("ruto-rubio-call.md", SEED.read_bytes()),
        ("zelenskyy.json.gz", gzip.compress(zelenskyy)),
    )

    response = uploads.post("/v1/uploads", files=sent)

    assert response.status_code == 202, response.text
    started = response.json()
    assert started["files"] == ["readouts.jsonl", "ruto-rubio-call.md", "zelenskyy.json.gz"]
    assert started["statements_total"] == 4
    job = finished(uploads, started["job_id"])
    assert job["state"] == "done", job
    assert job["error"] is None
    assert job["statements_done"] == 4
    report = job["report"]
    assert (report["statements"], report["added"], report["updated"], report["unchanged"]) == (
        4,
        4,
        0,
        0,
    )
    assert report["passages"] > 0
    assert total(uploads) == 4
    for statement_id in (RUTO_READOUT, HARRIS_READOUT, ZELENSKYY_READOUT, SEED_ID):
        assert uploads.get(f"/v1/statements/{statement_id}").status_code == 200, statement_id
    stored = uploads.get(f"/v1/statements/{RUTO_READOUT}").json()
    assert stored["text"] == fixture_records(RUTO_READOUT)[0]["text"]

    again = uploads.post("/v1/uploads", files=sent)
    assert again.status_code == 202, again.text
    assert finished(uploads, again.json()["job_id"])["report"]["unchanged"] == 4


def test_a_text_file_without_an_id_is_named_after_the_file(uploads: httpx.Client) -> None:
    response = uploads.post(
        "/v1/uploads", files=files(("folder/kenya-note.txt", b"Kenya will lead the mission."))
    )
    assert response.status_code == 202, response.text
    assert finished(uploads, response.json()["job_id"])["state"] == "done"
    assert uploads.get("/v1/statements/kenya-note").json()["text"] == "Kenya will lead the mission."


BAD_FILES = {
    "unsupported-type": ("budget.xlsx", b"PK\x03\x04", "budget.xlsx: unsupported file type"),
    "broken-pdf": ("scan.pdf", b"%PDF-1.7 binary", "scan.pdf: not a readable PDF"),
    "not-utf8": ("latin1.txt", "Café au lait".encode("latin-1"), "latin1.txt: not UTF-8"),
    "binary": ("image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.md: looks like a binary"),
    "malformed-line": (
        "bad.jsonl",
        jsonl(*fixture_records(ZELENSKYY_READOUT)) + b'{"id": "broken", "text": "unfinished\n',
        "bad.jsonl:2: invalid JSON",
    ),
    "record-without-text": ("empty.jsonl", b'{"id": "no-text"}\n', "empty.jsonl:1: record"),
    "broken-gzip": ("readouts.jsonl.gz", b"not gzip at all", "readouts.jsonl.gz: cannot read"),
}


@pytest.mark.parametrize("bad", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_is_named_and_nothing_is_stored(
    uploads: httpx.Client, bad: tuple[str, bytes, str]
) -> None:
    name, data, message = bad
    [kept] = fixture_records(RUTO_READOUT)
    assert uploads.post("/v1/statements", json={"statements": [kept]}).status_code == 200
    good = ("harris.jsonl", jsonl(*fixture_records(HARRIS_READOUT)))

    response = uploads.post("/v1/uploads", files=files(good, (name, data)))

    body = assert_error(response, 422, "invalid_input")
    assert body["message"].startswith(message), body
    assert total(uploads) == 1
    assert uploads.get(f"/v1/statements/{HARRIS_READOUT}").status_code == 404


def test_the_same_id_with_other_text_in_two_files_is_refused(uploads: httpx.Client) -> None:
    [record] = fixture_records(HARRIS_READOUT)
    changed = dict(record, text="Other text under the same id.")
    response = uploads.post(
        "/v1/uploads", files=files(("a.jsonl", jsonl(record)), ("b.jsonl", jsonl(changed)))
    )
    body = assert_error(response, 422, "invalid_input")
    assert "b.jsonl:1" in body["message"] and "a.jsonl:1" in body["message"]
    assert total(uploads) == 0


def test_an_upload_over_the_limit_is_a_413(uploads: httpx.Client) -> None:
    big = jsonl(*fixture_records(HARRIS_READOUT)) * (LIMIT // 1000)
    assert len(big) > LIMIT

    response = uploads.post("/v1/uploads", files=files(("big.jsonl", big)))

    body = assert_error(response, 413, "too_large")
    assert f"{LIMIT:,}" in body["message"]
    assert "RAG_UPLOAD_MAX_BYTES" in body["hint"]
    assert total(uploads) == 0


def test_an_upload_without_files_is_a_422(uploads: httpx.Client) -> None:
    response = uploads.post("/v1/uploads", data={"note": "no files here"})
    assert_error(response, 422, "invalid_input", field="files")


def test_an_unknown_job_is_a_404(uploads: httpx.Client) -> None:
    assert_error(uploads.get("/v1/uploads/no-such-job"), 404, "not_found")


def test_the_upload_routes_are_documented(uploads: httpx.Client) -> None:
    paths = uploads.get("/openapi.json").json()["paths"]
    assert "multipart/form-data" in paths["/v1/uploads"]["post"]["requestBody"]["content"]
    assert "get" in paths["/v1/uploads/{job_id}"]
    assert "/" not in paths and "/ingest" not in paths
