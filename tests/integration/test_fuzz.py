"""Schemathesis against the live OpenAPI schema of the app under uvicorn on 127.0.0.1
(the run itself: tests/support/fuzz.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.ingest import load_paths
from rag.interfaces.api.app import create_app
from tests.conftest import EXAMPLES, MakeService
from tests.support.fuzz import SETTINGS, fuzz
from tests.support.keys import with_keys
from tests.support.servers import running_app

pytestmark = [pytest.mark.slow, pytest.mark.integration]


@pytest.fixture
def base(make_service: MakeService) -> Iterator[str]:
    service = make_service(**with_keys(**SETTINGS))
    service.ingest(load_paths([EXAMPLES]))
    with running_app(create_app(service)) as url:
        yield url


def test_generated_requests_get_no_5xx_and_schema_conforming_answers(
    base: str, tmp_path: Path
) -> None:
    run = fuzz(base, tmp_path)
    print(run.summary)
    assert run.passed, run.output[-20_000:]
