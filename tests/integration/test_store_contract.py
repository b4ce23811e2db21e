"""One contract for the store, run through the Service against both Chroma deployments:
the embedded PersistentClient and a real `chroma run` server."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from rag.embedding.embedder import SentenceTransformerEmbedder, embedding_text
from rag.errors import NotFoundError
from rag.index.catalog import CHECK_EVERY_SECONDS
from rag.ingest import load_paths
from rag.service import Service
from rag.types import Filters, Statement
from rag.wiring import build_service
from tests.conftest import EXAMPLES, MakeSettings

pytestmark = pytest.mark.slow

SEED = "ruto-rubio-call"
BIDEN_CALL = (
    "statements-releases/2023-10/"
    "2023-10-03-readout-of-president-bidens-call-with-president-william-ruto-of-kenya"
)
HARRIS_CALL = (
    "statements-releases/2025-01/"
    "2025-01-08-readout-of-vice-president-harriss-call-with-president-william-ruto-of-kenya"
)
UN_2023 = "KEN_78_2023"
UN_2024 = "KEN_79_2024"
# UN speeches are long; their opening paragraphs keep the suite fast and are still real text.
SPEECH_SLICE_CHARS = 1200
ALL_PASSAGES = 50  # the service's max_k; more than any statement here has


def _opening(statement: Statement) -> Statement:
    cut = statement.text.rfind("\n", 0, SPEECH_SLICE_CHARS)
    return replace(statement, text=statement.text[:cut])


@pytest.fixture(scope="module")
def statements() -> dict[str, Statement]:
    """Five real statements: the seed, two White House readouts, two UN speech openings."""
    by_id = {s.id: s for s in load_paths([EXAMPLES])}
    return {
        SEED: by_id[SEED],
        BIDEN_CALL: by_id[BIDEN_CALL],
        HARRIS_CALL: by_id[HARRIS_CALL],
        UN_2023: _opening(by_id[UN_2023]),
        UN_2024: _opening(by_id[UN_2024]),
    }


class RememberingEmbedder:
    """The real model, asked once per distinct text: every test here embeds the same few
    passages into a fresh store, and the model is what makes that slow."""

    def __init__(self, model: SentenceTransformerEmbedder) -> None:
        self._model = model
        self._vectors: dict[str, NDArray[np.float32]] = {}

    @property
    def name(self) -> str:
        return self._model.name

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        new = sorted({t for t in texts if t not in self._vectors})
        if new:
            self._vectors.update(zip(new, self._model.embed(new), strict=True))
        return np.stack([self._vectors[t] for t in texts])


@pytest.fixture(scope="module")
def remembering_embedder(embedder: SentenceTransformerEmbedder) -> RememberingEmbedder:
    return RememberingEmbedder(embedder)


MakeStoreService = Callable[[], Service]


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.integration)])
def make_store_service(
    request: pytest.FixtureRequest,
    make_settings: MakeSettings,
    remembering_embedder: RememberingEmbedder,
) -> MakeStoreService:
    """Services on one fresh store of the parametrized kind (several may open it)."""
    overrides: dict[str, Any] = {}
    if request.param == "server":
        # The server is shared by the session: each test gets its own collections.
        overrides = {
            "chroma_url": request.getfixturevalue("chroma_url"),
            "collection_prefix": f"t{uuid.uuid4().hex}",
        }

    def make() -> Service:
        return build_service(make_settings(**overrides), embedder=remembering_embedder)

    return make


@pytest.fixture
def service(make_store_service: MakeStoreService) -> Service:
    return make_store_service()


def passage_ids(service: Service, statement_id: str) -> set[str]:
    """Every passage of one statement that search can return."""
    query = service.query(
        "statement", k=ALL_PASSAGES, filters=Filters(statement_ids=(statement_id,))
    )
    return {sp.passage.id for sp in service.search(query).passages}


def searched_statement_ids(service: Service, question: str) -> set[str]:
    result = service.search(service.query(question, k=ALL_PASSAGES))
    return {sp.passage.statement_id for sp in result.passages}


def test_ingest_reports_what_it_stored(service: Service, statements: dict[str, Statement]) -> None:
    report = service.ingest(list(statements.values()))

    stored = {sid: service.get_statement(sid) for sid in statements}
    expected_passages = sum(s.info.passage_count for s in stored.values())
    assert (report.added, report.updated, report.unchanged) == (5, 0, 0)
    assert report.statements == 5
    assert report.passages == expected_passages > 5  # the seed and speeches have several
    stats = service.stats()
    assert (stats.statements, stats.passages) == (5, expected_passages)
    for sid in statements:
        assert len(passage_ids(service, sid)) == stored[sid].info.passage_count


def test_reingesting_the_same_statements_changes_nothing(
    service: Service, statements: dict[str, Statement]
) -> None:
    service.ingest(list(statements.values()))
    ids_before = {sid: passage_ids(service, sid) for sid in statements}
    stats_before = service.stats()

    # The same statements again, each twice in one batch (exact repeats are dropped).
    report = service.ingest([*statements.values(), *statements.values()])

    assert (report.added, report.updated, report.unchanged, report.passages) == (0, 0, 5, 0)
    assert {sid: passage_ids(service, sid) for sid in statements} == ids_before
    assert service.stats() == stats_before


def test_a_changed_statement_replaces_its_passages(
    service: Service, statements: dict[str, Statement]
) -> None:
    service.ingest(list(statements.values()))
    seed = statements[SEED]
    old_ids = passage_ids(service, SEED)
    old_hash = service.get_statement(SEED).info.content_hash
    other_passages = service.stats().passages - len(old_ids)
    # A new version without the closing paragraphs about the DRC.
    new_text = seed.text[: seed.text.index("The leaders also reviewed")].rstrip()
    assert "Congo" in seed.text and "Congo" not in new_text

    report = service.ingest([replace(seed, text=new_text)])

    assert (report.added, report.updated, report.unchanged) == (0, 1, 0)
    stored = service.get_statement(SEED)
    assert stored.text == new_text
    assert stored.info.content_hash != old_hash
    new_ids = passage_ids(service, SEED)
    assert len(new_ids) == stored.info.passage_count == report.passages
    assert not new_ids & old_ids
    assert service.stats().passages == other_passages + len(new_ids)
    result = service.search(service.query("the security situation in eastern Congo", k=50))
    for sp in result.passages:
        if sp.passage.statement_id == SEED:
            assert sp.passage.id in new_ids
            assert "Congo" not in sp.passage.text
            assert new_text[sp.passage.start : sp.passage.end] == sp.passage.text


def test_a_metadata_change_alone_is_an_update(
    service: Service, statements: dict[str, Statement]
) -> None:
    readout = statements[BIDEN_CALL]
    service.ingest([readout])
    old_ids = passage_ids(service, BIDEN_CALL)

    report = service.ingest([replace(readout, title="Readout: Biden and Ruto on Haiti")])

    assert (report.added, report.updated) == (0, 1)
    assert service.get_statement(BIDEN_CALL).info.title == "Readout: Biden and Ruto on Haiti"
    new_ids = passage_ids(service, BIDEN_CALL)
    assert len(new_ids) == len(old_ids) and not new_ids & old_ids
    assert service.stats().passages == len(new_ids)


def test_a_rewrite_without_a_field_removes_it_from_the_record(
    service: Service, statements: dict[str, Statement]
) -> None:
    """Chroma merges the metadata of an upsert into the old record's: a field the new
    version lacks (title, date, source, quotations) must not survive from the old one."""
    seed = statements[SEED]
    service.ingest([seed])
    assert service.get_statement(SEED).info.quotes
    first_sentence = seed.text[: seed.text.index(".") + 1]

    service.ingest([replace(seed, text=first_sentence, title=None, date=None, source_url=None)])

    info = service.get_statement(SEED).info
    assert (info.title, info.date, info.source_url, info.quotes) == (None, None, None, ())
    assert service.store.audit().problems == []


def test_delete_removes_a_statement_and_its_passages(
    service: Service, statements: dict[str, Statement]
) -> None:
    service.ingest(list(statements.values()))
    before = service.stats()
    count = service.get_statement(BIDEN_CALL).info.passage_count
    question = "Biden's call with President Ruto of Kenya"
    assert BIDEN_CALL in searched_statement_ids(service, question)

    service.delete(BIDEN_CALL)

    with pytest.raises(NotFoundError, match="no statement with id"):
        service.get_statement(BIDEN_CALL)
    assert BIDEN_CALL not in searched_statement_ids(service, question)
    assert passage_ids(service, BIDEN_CALL) == set()
    after = service.stats()
    assert (after.statements, after.passages) == (before.statements - 1, before.passages - count)
    with pytest.raises(NotFoundError, match="no statement with id"):
        service.delete(BIDEN_CALL)


def test_deleting_an_unknown_id_is_not_found(service: Service) -> None:
    with pytest.raises(NotFoundError, match="no-such-statement"):
        service.delete("no-such-statement")
    with pytest.raises(NotFoundError):
        service.get_statement("no-such-statement")


def test_get_statement_round_trips_text_and_metadata(
    service: Service, statements: dict[str, Statement]
) -> None:
    service.ingest(list(statements.values()))

    for sid, original in statements.items():
        info = service.get_statement(sid).info
        assert service.get_statement(sid).text == original.text
        assert (info.id, info.title, info.speaker, info.date, info.source_url) == (
            original.id,
            original.title,
            original.speaker,
            original.date,
            original.source_url,
        )
        assert info.metadata == original.metadata
    un = service.get_statement(UN_2023).info
    assert un.date is not None and un.date.text == "2023"  # a year, not a day
    assert un.metadata["session"] == 78 and isinstance(un.metadata["session"], int)
    assert service.get_statement(BIDEN_CALL).info.metadata["category"]
    assert service.get_statement(SEED).info.metadata["source"].startswith("news text")


def test_speakers_are_counted_and_follow_writes(
    service: Service, statements: dict[str, Statement]
) -> None:
    def ruto() -> int:
        (entry,) = service.speakers("Ruto")
        assert "Ruto" in entry.canonical
        return entry.statements

    assert service.speakers() == ()
    service.ingest(list(statements.values()))

    # Metadata names Ruto on the seed and the UN speeches; the readouts' titles name him
    # and the other party to each call.
    assert ruto() == 5
    names = {e.canonical for e in service.speakers()}
    assert "Kamala Harris" in names and any("Biden" in name for name in names)
    assert service.stats().speakers == len(service.speakers())
    result = service.search(service.query("Haiti", k=ALL_PASSAGES, filters=Filters(speaker="Ruto")))
    assert all("Ruto" in name for name in result.matched_speakers)
    assert {sp.passage.statement_id for sp in result.passages} == set(statements)

    service.delete(UN_2024)
    assert ruto() == 4
    service.ingest([replace(statements[UN_2023], speaker="H.E. William Ruto")])
    assert ruto() == 4


def test_a_store_opened_again_sees_what_was_written(
    make_store_service: MakeStoreService, statements: dict[str, Statement]
) -> None:
    service = make_store_service()
    service.ingest([statements[SEED]])

    reopened = make_store_service()

    assert reopened.get_statement(SEED).text == statements[SEED].text
    assert passage_ids(reopened, SEED) == passage_ids(service, SEED)
    assert reopened.ingest([statements[SEED]]).unchanged == 1


def test_scores_are_cosine_similarities_best_first(
    service: Service, statements: dict[str, Statement], remembering_embedder: RememberingEmbedder
) -> None:
    service.ingest(list(statements.values()))

    result = service.search(service.query("Kenya's mission to Haiti", k=ALL_PASSAGES))

    question = remembering_embedder.embed(["Kenya's mission to Haiti"])[0]
    # Ranked best first, except that passages beyond two per statement are moved down.
    ranks = [sp.rank_score for sp in result.passages]
    assert ranks[0] == max(ranks)
    for sp in result.passages:
        passage = remembering_embedder.embed([embedding_text(sp.passage)])[0]
        assert sp.score == pytest.approx(float(question @ passage), abs=1e-3)


def test_filters_select_passages_in_the_store(
    service: Service, statements: dict[str, Statement]
) -> None:
    service.ingest(list(statements.values()))

    def found(**filters: Any) -> set[str]:
        query = service.query("Haiti", k=ALL_PASSAGES, filters=Filters(**filters))
        return {sp.passage.statement_id for sp in service.search(query).passages}

    assert found(speaker="Samoei") == set(statements)  # one person: every form of Ruto's name
    assert found(speaker="Harris") == {HARRIS_CALL}
    # A year-only date is any day of its year.
    assert found(since=dt.date(2023, 10, 3), until=dt.date(2023, 10, 3)) == {BIDEN_CALL, UN_2023}
    assert found(since=dt.date(2024, 1, 1)) == {HARRIS_CALL, UN_2024}
    assert found(until=dt.date(2023, 12, 31)) == {BIDEN_CALL, UN_2023}
    assert found(statement_ids=(SEED, HARRIS_CALL)) == {SEED, HARRIS_CALL}
    assert found(speaker="Ruto", since=dt.date(2024, 1, 1), statement_ids=(UN_2024, SEED)) == {
        UN_2024
    }
    assert found(statement_ids=("no-such-statement",)) == set()


def test_a_speaker_added_by_another_service_can_be_filtered_on(
    make_store_service: MakeStoreService, statements: dict[str, Statement]
) -> None:
    reader = make_store_service()
    writer = make_store_service()
    assert reader.search(reader.query("Haiti", filters=Filters(speaker="Ruto"))).passages == ()

    writer.ingest([statements[SEED]])
    time.sleep(CHECK_EVERY_SECONDS)  # the reader looks for other writers once a second

    result = reader.search(reader.query("Haiti", filters=Filters(speaker="Ruto")))
    assert result.matched_speakers == ("William Ruto",)
    assert {sp.passage.statement_id for sp in result.passages} == {SEED}
