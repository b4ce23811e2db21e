"""RAG_SEARCH_BACKEND=chroma against a real `chroma run`: dense search and the speaker, date
and statement filters run in Chroma's own query, and find what the in-memory index finds;
rows no committed record names are never returned; the service answers from it."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from rag.embedding.embedder import SentenceTransformerEmbedder
from rag.ingest import load_paths
from rag.service import Service
from rag.settings import load_settings
from rag.types import Filters, Query
from rag.wiring import build_service
from tests.conftest import EXAMPLES, FIXTURES

pytestmark = [pytest.mark.slow, pytest.mark.integration]

QUESTIONS = [
    "What did Ruto say about Haiti?",
    "Multinational Security Support mission",
    "digital inclusion in Africa",
    "hostages held in Gaza",
    "Ukraine counteroffensive",
]
FILTERS = [
    Filters(),
    Filters(speaker="Ruto"),
    Filters(speaker="Harris"),
    Filters(since=dt.date(2023, 1, 1), until=dt.date(2023, 12, 31)),
    Filters(speaker="Biden", since=dt.date(2023, 6, 1)),
    Filters(statement_ids=("ruto-rubio-call", "KEN_78_2023")),
]


@pytest.fixture(scope="module")
def services(
    chroma_url: str, tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> dict[str, Service]:
    """One store on the server; a service of each backend on it, both dense-only (single-node
    Chroma has no BM25 for the chroma backend; keyword search is compared elsewhere)."""
    base: dict[str, Any] = {
        "chroma_url": chroma_url,
        "collection_prefix": f"backend{uuid.uuid4().hex}",
        "cache_dir": tmp_path_factory.mktemp("cache"),
        "hybrid": False,
        "understand_questions": False,  # the filters given are the filters applied
        "_env_file": None,
    }
    memory = build_service(load_settings(**base), embedder=embedder)
    memory.ingest(load_paths([EXAMPLES, FIXTURES / "whitehouse-sample.jsonl"]))
    chroma = build_service(load_settings(**base, search_backend="chroma"), embedder=embedder)
    reading = {**base, "understand_questions": True}
    return {
        "memory": memory,
        "chroma": chroma,
        "memory reading": build_service(load_settings(**reading), embedder=embedder),
        "chroma reading": build_service(
            load_settings(**reading, search_backend="chroma"), embedder=embedder
        ),
    }


def found(service: Service, question: str, f: Filters) -> list[tuple[str, float]]:
    result = service.search(Query(question, 10, f))
    return [(p.passage.id, p.score) for p in result.passages]


@pytest.mark.parametrize("f", FILTERS, ids=lambda f: repr(f)[8:60])
def test_chroma_finds_what_the_index_finds(services: dict[str, Service], f: Filters) -> None:
    for question in QUESTIONS:
        expected = found(services["memory"], question, f)
        got = found(services["chroma"], question, f)
        assert [pid for pid, _ in got] == [pid for pid, _ in expected], question
        # Chroma scores float32 vectors; the index keeps them in float16.
        np.testing.assert_allclose([s for _, s in got], [s for _, s in expected], atol=2e-3)


READING_QUESTIONS = [
    "What did Kenya say about Haiti in 2023?",
    "What did Harris and Ruto discuss?",
    "What did Biden tell Ruto in October 2023?",
    "What did the Vice President say about digital inclusion?",
    "What did Ruto discuss with Rubio about Congo?",
]


@pytest.mark.parametrize("question", READING_QUESTIONS)
def test_readings_of_who_and_when_rank_the_same_in_chroma(
    services: dict[str, Service], question: str
) -> None:
    """The rankings fused for a reading (people, countries, the other party of a call, the
    period) are Chroma queries with the reading's filters: the same passages come first."""
    memory = services["memory reading"].search(Query(question, 5, Filters()))
    chroma = services["chroma reading"].search(Query(question, 5, Filters()))
    assert memory.interpreted == chroma.interpreted
    assert memory.interpreted is not None and memory.interpreted.readings
    assert [p.passage.id for p in chroma.passages] == [p.passage.id for p in memory.passages]
    assert [p.fits_reading for p in chroma.passages] == [p.fits_reading for p in memory.passages]


def test_filters_hold_in_chroma(services: dict[str, Service]) -> None:
    chroma = services["chroma"]
    ruto = chroma.search(Query("Haiti", 20, Filters(speaker="Ruto")))
    assert ruto.passages and all(
        any("Ruto" in name for name in p.passage.speakers) for p in ruto.passages
    )
    in_2023 = chroma.search(
        Query("security", 20, Filters(since=dt.date(2023, 1, 1), until=dt.date(2023, 12, 31)))
    )
    assert in_2023.passages and all(
        p.passage.date is not None
        and p.passage.date.overlaps(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
        for p in in_2023.passages
    )
    nobody = chroma.search(Query("Haiti", 5, Filters(speaker="Nobody Atall")))
    assert nobody.passages == ()


def test_rows_no_record_names_are_never_found(services: dict[str, Service]) -> None:
    """A write in progress has stored its passages but not yet its record: not searchable."""
    chroma = services["chroma"]
    top = chroma.search(Query("Kenya's mission to Haiti", 1, Filters())).passages[0].passage
    vector = chroma.embedder.embed(["Kenya's mission to Haiti"])[0]
    rows = chroma.store.passages_collection
    meta = rows.get(where={"statement_id": top.statement_id}, include=["metadatas"])["metadatas"][0]
    rows.add(
        ids=[f"{top.id}@in-progress"],
        embeddings=[vector],  # closer to the question than any committed passage
        documents=["A passage of a write that has not committed."],
        metadatas=[{**meta, "write": "in-progress"}],
    )
    try:
        hits = chroma.search(Query("Kenya's mission to Haiti", 5, Filters())).passages
        assert hits and all("has not committed" not in p.passage.text for p in hits)
        assert hits[0].passage.id == top.id
    finally:
        rows.delete(ids=[f"{top.id}@in-progress"])


def test_rows_without_metadata_are_never_found(services: dict[str, Service]) -> None:
    """A row no writer of ours made (no metadata at all) is skipped, not a crash."""
    chroma = services["chroma"]
    vector = chroma.embedder.embed(["Kenya's mission to Haiti"])[0]
    rows = chroma.store.passages_collection
    rows.add(ids=["stray-row"], embeddings=[vector], documents=["A stray row about Haiti."])
    try:
        hits = chroma.search(Query("Kenya's mission to Haiti", 5, Filters())).passages
        assert hits and all(p.passage.text != "A stray row about Haiti." for p in hits)
    finally:
        rows.delete(ids=["stray-row"])


def test_the_service_answers_from_chroma(services: dict[str, Service]) -> None:
    chroma, memory = services["chroma"], services["memory"]
    answer = chroma.ask(chroma.query("What did Ruto say about Haiti?"))
    assert answer.answerable and answer.citations
    for citation in answer.citations:
        text = chroma.get_statement(citation.statement_id).text
        assert text[citation.start : citation.end] == citation.quote
    stats, expected = chroma.stats(), memory.stats()
    assert (stats.statements, stats.passages, stats.first_date, stats.last_date) == (
        expected.statements,
        expected.passages,
        expected.first_date,
        expected.last_date,
    )
    assert chroma.speakers() == memory.speakers()  # the same people, aliases and counts
    assert chroma.quotes(speaker="Ruto") == memory.quotes(speaker="Ruto")


def test_a_write_is_searchable_at_once(services: dict[str, Service]) -> None:
    chroma = services["chroma"]
    (seed,) = [s for s in load_paths([EXAMPLES]) if s.id == "ruto-rubio-call"]
    only_copy = Filters(statement_ids=("ruto-rubio-call-copy",))
    chroma.ingest([replace(seed, id="ruto-rubio-call-copy")])
    assert chroma.search(Query("UN support office", 5, only_copy)).passages
    chroma.delete("ruto-rubio-call-copy")
    assert chroma.search(Query("UN support office", 5, only_copy)).passages == ()


def test_passages_written_without_their_country_are_given_it(
    services: dict[str, Service],
) -> None:
    """Stores written before passages carried `country` get it, so country readings hold."""
    store = services["chroma"].store
    rows = store.passages_collection

    def kenyan() -> set[str]:
        return set(rows.get(where={"country": "KEN"}, include=[])["ids"])

    ids = rows.get(where={"statement_id": "KEN_78_2023"}, include=[])["ids"]
    assert ids and set(ids) <= kenyan()
    rows.update(ids=ids, metadatas=[{"country": None} for _ in ids])  # as an old write left it
    assert not set(ids) & kenyan()

    assert store.tag_passage_countries({"KEN_78_2023": "KEN"}) == len(ids)
    assert set(ids) <= kenyan()
    assert store.tag_passage_countries({"KEN_78_2023": "KEN"}) == 0
