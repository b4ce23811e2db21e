"""Issue 21's examples over HTTP (POST /v1/ask): answers that say what was asked, cite only
what answers it, and decline what the statements don't cover.

The store is tests/fixtures/issue21-store.ndjson.gz (evals/build_issue21_fixture.py): the
statements the examples need, the ones that share their words (the joke from the 2022
Correspondents' Dinner, NASA's Webb telescope, another leader on Bitcoin, another on the
Olympic Games) and 200 short White House statements drawn at random, embedded with the real
model.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from rag.answering.asking import DEGRADED_NOTE, FALLBACK_NOTE
from rag.embedding.embedder import SentenceTransformerEmbedder
from rag.ingest import load_paths
from rag.interfaces.api.app import create_app
from rag.settings import load_settings
from rag.wiring import build_service
from tests.support.servers import running_app

pytestmark = [pytest.mark.slow, pytest.mark.integration]

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "issue21-store.ndjson.gz"
SEED = "ruto-rubio-call"
OCTOBER_CALL = (
    "statements-releases/2023-10/"
    "2023-10-03-readout-of-president-bidens-call-with-president-william-ruto-of-kenya"
)
MORTGAGES = (
    "briefings-statements/2025-03/"
    "2025-03-12-winning-inflation-eases-as-job-creation-soars-and-border-security-pays-off"
)


@pytest.fixture(scope="module")
def base(
    tmp_path_factory: pytest.TempPathFactory, cache_dir: Path, embedder: SentenceTransformerEmbedder
) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("issue21")
    corpus = folder / "issue21.jsonl.gz"
    shutil.copy(FIXTURE, corpus)
    settings = load_settings(data_dir=folder / "data", cache_dir=cache_dir, _env_file=None)
    service = build_service(settings, embedder=embedder)
    service.ingest(load_paths([corpus]))
    with running_app(create_app(service)) as url:
        yield url


def ask(base: str, question: str) -> dict[str, Any]:
    response = httpx.post(f"{base}/v1/ask", json={"question": question}, timeout=60)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def cited(body: dict[str, Any]) -> set[str]:
    return {c["statement_id"] for c in body["citations"]}


def test_the_sentence_that_says_what_they_agreed_is_quoted(base: str) -> None:
    body = ask(base, "What did Ruto and Rubio agree about a UN support office for the MSS mission?")

    assert body["answerable"]
    assert "We concurred on the imperative and support for a resolution" in body["answer"]
    assert "According to him" not in body["answer"]
    assert "Democratic Republic" not in body["answer"]
    assert cited(body) == {SEED}


def test_the_readout_of_their_call_says_what_they_discussed(base: str) -> None:
    body = ask(base, "What did Biden and Ruto discuss on their phone call in October 2023?")

    assert body["answerable"]
    assert "Africa Climate Summit" in body["answer"] and "Haiti" in body["answer"]
    assert cited(body) == {OCTOBER_CALL}


@pytest.mark.parametrize(
    ("question", "not_found"),
    [
        ("What did Ruto say about the Olympic Games?", "Olympic Games"),
        ("What has President Ruto said about Bitcoin?", "Bitcoin"),
        ("What did the White House say about NASA's Europa Clipper mission?", "Europa Clipper"),
    ],
)
def test_what_no_statement_covers_is_declined_saying_what_was_not_found(
    base: str, question: str, not_found: str
) -> None:
    body = ask(base, question)

    assert not body["answerable"]
    assert body["citations"] == []
    assert body["answer"].startswith("The statements don't say.")
    assert not_found in body["answer"]


def test_the_american_revolution_is_answered_from_statements_about_it(base: str) -> None:
    body = ask(base, "What did the White House say about the American Revolution?")

    assert body["answerable"]
    assert "approval rating" not in body["answer"]
    assert all("Revolution" in c["quote"] for c in body["citations"]), body["answer"]


def test_a_quote_holding_a_link_is_given_as_it_is_without_a_fallback(base: str) -> None:
    body = ask(base, "What did the White House say about mortgage rates in March 2025?")

    assert body["answerable"] and body["fallback"] is None
    assert FALLBACK_NOTE not in body["answer"] and DEGRADED_NOTE not in body["answer"]
    assert MORTGAGES in cited(body)
    assert any("](https://" in c["quote"] for c in body["citations"])
    count = len(cited(body))
    heading = "From 1 statement:" if count == 1 else f"From {count} statements:"
    assert body["answer"].startswith(heading)
