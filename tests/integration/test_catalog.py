"""rag/index/catalog.py through the service: the index snapshot, reconciling with Chroma (the
truth) at start-up and after other services write, and reusing vectors on re-ingest."""

from __future__ import annotations

import json
import logging
import pickle
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

import rag.index.catalog
import rag.index.store
from rag.embedding.embedder import SentenceTransformerEmbedder
from rag.index.catalog import CHECK_EVERY_SECONDS
from rag.index.change_log import Change, ChangeLog
from rag.index.store import ChromaStore
from rag.ingest import load_paths, statement_from_record
from rag.service import Service
from rag.types import Filters, Statement, StoreStats
from rag.wiring import build_service
from tests.conftest import FIXTURES, MakeSettings

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
ZELENSKYY_MEETING = (
    "statements-releases/2023-07/"
    "2023-07-12-readout-of-president-joe-bidens-meeting-with-president-volodymyr-zelenskyy-of-ukraine"
)
QUESTIONS = [
    "Kenya's mission to Haiti",
    "Ukraine's counteroffensive",
    "digital inclusion in Africa",
    "What did Harris discuss with Ruto?",
]
ALL_PASSAGES = 50


@pytest.fixture(scope="module")
def statements() -> dict[str, Statement]:
    """The seed (three passages) and three one-passage White House readouts."""
    lines = (FIXTURES / "whitehouse-sample.jsonl").read_text(encoding="utf-8").splitlines()
    records = {r["id"]: r for r in map(json.loads, lines)}
    readouts = [
        statement_from_record(records[i], "fixture")
        for i in (BIDEN_CALL, HARRIS_CALL, ZELENSKYY_MEETING)
    ]
    (seed,) = load_paths([FIXTURES / "ruto-rubio-call.md"])
    return {s.id: s for s in [seed, *readouts]}


class RememberingEmbedder:
    """The real model, asked once per distinct text: the tests here embed the same few
    passages and questions into fresh stores, and the model is what makes that slow."""

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
def remembering(embedder: SentenceTransformerEmbedder) -> RememberingEmbedder:
    return RememberingEmbedder(embedder)


MakeService = Callable[..., Service]


@pytest.fixture
def make_service(make_settings: MakeSettings, remembering: RememberingEmbedder) -> MakeService:
    """conftest's `make_service` (one fresh temporary store), with the remembering model."""

    def make(**overrides: Any) -> Service:
        return build_service(make_settings(**overrides), embedder=remembering)

    return make


Results = list[list[tuple[str, float]]]


def results(service: Service) -> Results:
    """Passage ids and scores for a few searches, one of them with an explicit filter."""
    found = []
    for question in QUESTIONS:
        result = service.search(service.query(question, k=8))
        found.append([(sp.passage.id, round(sp.score, 5)) for sp in result.passages])
    harris = service.search(service.query("Haiti", k=8, filters=Filters(speaker="Harris")))
    found.append([(sp.passage.id, round(sp.score, 5)) for sp in harris.passages])
    return found


def held(service: Service) -> StoreStats:
    """What a service's index holds (not how far it has read the change log: a writer's
    own writes are in its index before it reads their entries)."""
    return replace(service.stats(), changes_applied=0)


def statement_ids(service: Service) -> set[str]:
    result = service.search(service.query("statement", k=ALL_PASSAGES))
    return {sp.passage.statement_id for sp in result.passages}


def passage_texts(service: Service, statement_id: str) -> set[str]:
    query = service.query(
        "statement", k=ALL_PASSAGES, filters=Filters(statement_ids=(statement_id,))
    )
    return {sp.passage.text for sp in service.search(query).passages}


def snapshots(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.pickle"))


def loaded_from_store(caplog: pytest.LogCaptureFixture) -> int:
    """Statements the index loaded from Chroma (not from the snapshot), as logged."""
    counts = [
        int(match.group(1))
        for record in caplog.records
        if record.name == "rag.index.catalog"
        and (match := re.search(r"(\d+) statements loaded", record.getMessage()))
    ]
    return sum(counts)


# ---- the snapshot ---------------------------------------------------------------------


def test_a_saved_snapshot_is_loaded_by_the_next_service(
    make_service: MakeService,
    make_settings: MakeSettings,
    statements: dict[str, Statement],
    caplog: pytest.LogCaptureFixture,
) -> None:
    first = make_service()
    first.ingest(list(statements.values()))
    data_dir = make_settings().data_dir
    assert snapshots(data_dir) == []
    expected = results(first)

    first.persist_index()

    assert len(snapshots(data_dir)) == 1
    caplog.set_level(logging.INFO, logger="rag.index.catalog")
    second = make_service()
    assert results(second) == expected
    assert held(second) == held(first)
    assert loaded_from_store(caplog) == 0  # everything came from the snapshot


def _garbage(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 8)


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _not_an_index(path: Path) -> None:
    path.write_bytes(pickle.dumps({"statements": []}))


def _another_model(path: Path) -> None:
    version, _, cursor, pending, index = pickle.loads(path.read_bytes())
    path.write_bytes(pickle.dumps((version, "another-model", cursor, pending, index)))


def _another_version(path: Path) -> None:
    # What the release before quotes and fingerprints wrote: version 1, and its objects had
    # fewer fields (loading them would fail later, on use).
    _, model, cursor, pending, index = pickle.loads(path.read_bytes())
    path.write_bytes(pickle.dumps((1, model, cursor, pending, index)))


def _another_layout(path: Path) -> None:
    layout, model, cursor, pending, index = pickle.loads(path.read_bytes())
    older = layout.replace(",fingerprint", "")
    path.write_bytes(pickle.dumps((older, model, cursor, pending, index)))


@pytest.mark.parametrize(
    ("damage", "warned"),
    [
        pytest.param(_garbage, True, id="garbage"),
        pytest.param(_truncated, True, id="truncated"),
        pytest.param(_empty, True, id="empty"),
        pytest.param(_not_an_index, True, id="not-an-index"),
        pytest.param(_another_model, False, id="another-model"),
        pytest.param(_another_version, False, id="another-version"),
        pytest.param(_another_layout, False, id="another-layout"),
    ],
)
def test_an_unusable_snapshot_is_ignored_and_the_index_rebuilt_from_chroma(
    make_service: MakeService,
    make_settings: MakeSettings,
    statements: dict[str, Statement],
    caplog: pytest.LogCaptureFixture,
    damage: Callable[[Path], None],
    warned: bool,
) -> None:
    first = make_service()
    first.ingest(list(statements.values()))
    first.persist_index()
    expected = results(first)
    (snapshot,) = snapshots(make_settings().data_dir)
    damage(snapshot)
    caplog.set_level(logging.INFO, logger="rag.index.catalog")

    second = make_service()

    assert results(second) == expected
    assert loaded_from_store(caplog) == len(statements)
    warnings = [
        r for r in caplog.records if r.name == "rag.index.catalog" and r.levelno == logging.WARNING
    ]
    assert bool(warnings) == warned
    if warned:
        assert "ignoring the index snapshot" in warnings[0].getMessage()
    second.persist_index()  # a good snapshot replaces the damaged one
    caplog.clear()
    assert results(make_service()) == expected
    assert loaded_from_store(caplog) == 0


def test_a_stale_snapshot_is_reconciled_with_chroma_at_start_up(
    make_service: MakeService,
    statements: dict[str, Statement],
    caplog: pytest.LogCaptureFixture,
) -> None:
    first = make_service()
    first.ingest([statements[SEED], statements[BIDEN_CALL], statements[HARRIS_CALL]])
    first.persist_index()
    # Another service changes the store after the snapshot was saved.
    other = make_service()
    other.ingest([statements[ZELENSKYY_MEETING]])
    other.delete(BIDEN_CALL)
    seed = statements[SEED]
    other.ingest([replace(seed, text=seed.text.replace("global challenges", "shared challenges"))])
    caplog.set_level(logging.INFO, logger="rag.index.catalog")

    started = make_service()

    assert statement_ids(started) == {SEED, HARRIS_CALL, ZELENSKYY_MEETING}
    assert any("shared challenges" in t for t in passage_texts(started, SEED))
    assert not any("global challenges" in t for t in passage_texts(started, SEED))
    assert held(started) == held(other)
    assert results(started) == results(other)
    assert loaded_from_store(caplog) == 2  # the new statement and the changed seed


# ---- other services' writes -----------------------------------------------------------


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.integration)])
def store_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings of a fresh store of the parametrized kind."""
    if request.param == "embedded":
        return {}
    # The server is shared by the session: each test gets its own collections.
    return {
        "chroma_url": request.getfixturevalue("chroma_url"),
        "collection_prefix": f"t{uuid.uuid4().hex}",
    }


def test_a_snapshot_of_an_unchanged_store_is_used_without_reading_every_record(
    make_service: MakeService,
    statements: dict[str, Statement],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = make_service()
    first.ingest(list(statements.values()))
    first.persist_index()
    expected = results(first)
    reads: list[int] = []
    read_all = ChromaStore.all_content_hashes

    def counted(store: ChromaStore) -> dict[str, str]:
        reads.append(1)
        return read_all(store)

    monkeypatch.setattr(ChromaStore, "all_content_hashes", counted)

    started = make_service()

    assert results(started) == expected
    assert reads == []  # the store's generation token matched the snapshot's


def test_a_write_killed_before_logging_its_end_is_seen_by_the_next_start(
    make_service: MakeService,
    statements: dict[str, Statement],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A write that committed its statement record but died before logging its end must
    not be hidden by a snapshot saved before it: its `begin` entry names the statement."""
    first = make_service()
    first.ingest([statements[SEED], statements[BIDEN_CALL]])
    first.persist_index()

    class Killed(BaseException):
        pass

    def dies(log: ChangeLog, begin: Change, statements: object) -> Change:
        raise Killed

    monkeypatch.setattr(ChangeLog, "end", dies)
    with pytest.raises(Killed):
        make_service().ingest([statements[ZELENSKYY_MEETING]])
    monkeypatch.undo()

    started = make_service()

    assert statement_ids(started) == {SEED, BIDEN_CALL, ZELENSKYY_MEETING}


def test_passages_a_killed_write_stored_before_its_records_are_swept_by_the_next_ingest(
    make_service: MakeService,
    statements: dict[str, Statement],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A write killed after storing its passages and before committing their records leaves
    rows no record names, for a changed statement and for a new one. Ingesting the same
    statements again writes both anew, and must leave none of those rows behind."""
    service = make_service()
    service.ingest([statements[SEED]])
    changed = replace(statements[SEED], metadata={**statements[SEED].metadata, "revision": "2"})

    class Killed(BaseException):
        pass

    def dies(*args: object) -> dict[str, Any]:
        raise Killed

    monkeypatch.setattr(rag.index.store, "_statement_metadata", dies)
    with pytest.raises(Killed):
        make_service().ingest([changed, statements[HARRIS_CALL]])
    monkeypatch.undo()
    killed = service.store.audit()
    assert set(killed.orphans) == {SEED, HARRIS_CALL}, killed  # what the kill left

    make_service().ingest([changed, statements[HARRIS_CALL]])

    audit = service.store.audit()
    assert audit.problems == [] and audit.orphans == {}, audit
    assert audit.statements == 2


def test_a_readers_index_follows_another_services_writes(
    make_service: MakeService,
    store_overrides: dict[str, Any],
    statements: dict[str, Statement],
) -> None:
    reader = make_service(**store_overrides)
    writer = make_service(**store_overrides)
    writer.ingest([statements[SEED], statements[BIDEN_CALL]])
    assert statement_ids(reader) == {SEED, BIDEN_CALL}  # the first read loads the store

    seed = statements[SEED]
    writer.ingest(
        [
            statements[ZELENSKYY_MEETING],
            replace(seed, text=seed.text.replace("global challenges", "shared challenges")),
        ]
    )
    writer.delete(BIDEN_CALL)
    time.sleep(CHECK_EVERY_SECONDS)  # the reader looks for other writers once a second

    assert statement_ids(reader) == {SEED, ZELENSKYY_MEETING}
    assert passage_texts(reader, SEED) == passage_texts(writer, SEED)
    assert held(reader) == held(writer)
    assert results(reader) == results(writer)
    assert [e.canonical for e in reader.speakers("Zelenskyy")] == ["Volodymyr Zelenskyy"]


def test_a_write_does_not_hide_another_services_earlier_write(
    make_service: MakeService,
    store_overrides: dict[str, Any],
    statements: dict[str, Statement],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = make_service(**store_overrides)
    second = make_service(**store_overrides)
    first.ingest([statements[SEED]])
    assert statement_ids(second) == {SEED}
    # Both writes land within one check interval of `second`'s last look at the store:
    # made certain here by lengthening the interval instead of racing the clock.
    monkeypatch.setattr(rag.index.catalog, "CHECK_EVERY_SECONDS", 3600.0)
    first.ingest([statements[BIDEN_CALL]])
    second.ingest([statements[HARRIS_CALL]])
    monkeypatch.setattr(rag.index.catalog, "CHECK_EVERY_SECONDS", CHECK_EVERY_SECONDS)
    time.sleep(CHECK_EVERY_SECONDS)

    assert statement_ids(first) == {SEED, BIDEN_CALL, HARRIS_CALL}
    assert statement_ids(second) == {SEED, BIDEN_CALL, HARRIS_CALL}


# ---- reusing vectors ------------------------------------------------------------------


class CountingEmbedder:
    """The model, recording every text the service asks it to embed."""

    def __init__(self, model: RememberingEmbedder) -> None:
        self._model = model
        self.texts: list[str] = []

    @property
    def name(self) -> str:
        return self._model.name

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.texts.extend(texts)
        return self._model.embed(texts)


def test_reingesting_embeds_only_passages_whose_embedded_text_changed(
    make_settings: MakeSettings,
    remembering: RememberingEmbedder,
    statements: dict[str, Statement],
) -> None:
    counting = CountingEmbedder(remembering)
    service = build_service(make_settings(), embedder=counting)
    seed, readout = statements[SEED], statements[BIDEN_CALL]
    report = service.ingest([seed, readout])
    assert len(counting.texts) == report.passages == 4
    vectors = service.catalog.known_vectors([SEED])
    expected = results(service)

    # Metadata the embedded header does not carry: a new version, no new vectors.
    counting.texts.clear()
    report = service.ingest([replace(seed, metadata={**seed.metadata, "checked": "2025-06-01"})])
    assert (report.updated, report.passages) == (1, 3)
    assert counting.texts == []
    assert service.get_statement(SEED).info.metadata["checked"] == "2025-06-01"
    reused = service.catalog.known_vectors([SEED])
    assert reused.keys() == vectors.keys()
    for text, vector in vectors.items():
        np.testing.assert_array_equal(reused[text], vector)
    assert results(service) != expected  # the passages have new ids (a new content hash)
    assert [[score for _, score in r] for r in results(service)] == [
        [score for _, score in r] for r in expected
    ]

    # A changed last sentence: only the passage holding it is embedded again.
    counting.texts.clear()
    changed = seed.text.replace("emerging global challenges", "emerging regional challenges")
    service.ingest([replace(seed, text=changed)])
    new_texts = service.catalog.known_vectors([SEED]).keys() - vectors.keys()
    assert len(new_texts) == 1
    assert counting.texts == list(new_texts)
    assert "emerging regional challenges" in counting.texts[0]

    # A new title is in every passage's header: all of them are embedded again.
    counting.texts.clear()
    service.ingest([replace(seed, text=changed, title="Ruto and Rubio on Haiti")])
    assert len(counting.texts) == service.get_statement(SEED).info.passage_count == 3
    assert all(text.startswith("Ruto and Rubio on Haiti") for text in counting.texts)
