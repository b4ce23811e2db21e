"""Schemathesis against the live OpenAPI schema of the app under uvicorn on 127.0.0.1.

Generated requests (valid and invalid, from examples, schema coverage and fuzzing) go to every
operation with the admin key, on a throwaway store, so writes are exercised too. No response may
be a 5xx, and each must match the schema: status codes, content types, headers and bodies;
undeclared methods get a 405 with Allow; without a key, routes refuse (reads are closed here).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.ingest import load_paths
from rag.interfaces.api.app import create_app
from tests.conftest import EXAMPLES, MakeService
from tests.support.keys import ADMIN_KEY, with_keys
from tests.support.servers import running_app

pytestmark = [pytest.mark.slow, pytest.mark.integration]

ST = Path(sys.executable).parent / "st"
EXAMPLES_PER_OPERATION = 15
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "unsupported_method",
    "ignored_auth",
)


@pytest.fixture
def base(make_service: MakeService) -> Iterator[str]:
    service = make_service(**with_keys(open_read=False, rate_limit_per_minute=1_000_000))
    service.ingest(load_paths([EXAMPLES]))
    with running_app(create_app(service)) as url:
        yield url


def test_generated_requests_get_no_5xx_and_schema_conforming_answers(
    base: str, tmp_path: Path
) -> None:
    done = subprocess.run(
        [
            str(ST),
            "run",
            f"{base}/openapi.json",
            "--header",
            f"Authorization: Bearer {ADMIN_KEY}",
            "--checks",
            ",".join(CHECKS),
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-examples",
            str(EXAMPLES_PER_OPERATION),
            "--seed",
            "7",
            "--workers",
            "1",  # hypothesis's lambda descriptions are not thread-safe (SystemError in ast)
            "--request-timeout",
            "120",
            "--no-shrink",
        ],
        cwd=tmp_path,  # its report directory and no configuration file from the repository
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = done.stdout[done.stdout.find("SUMMARY") :]
    print(summary)
    assert done.returncode == 0, done.stdout[-20_000:]
