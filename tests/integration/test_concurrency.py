"""Questions answered while statements are added and deleted, in one server process.

The app under uvicorn (an admin key configured) serves /v1/ask and /v1/search from several
client threads while two writer threads POST and DELETE overlapping statements. No request
may fail with a 5xx, every citation and passage must be the statement's exact text at its
offsets, and afterwards the store audits clean and the index holds what the store holds.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rag.ingest import load_paths
from rag.interfaces.api.app import create_app
from rag.service import Service
from tests.conftest import FIXTURES, MakeService
from tests.support.keys import ADMIN, with_keys
from tests.support.servers import running_app

pytestmark = [pytest.mark.slow, pytest.mark.integration]

SECONDS = 25.0
READERS = 3
QUESTIONS = (
    "What did Biden say about Kenya?",
    "Who leads the security mission in Haiti?",
    "What was said about Ukraine?",
    "What did the President say about the economy?",
)


def churn_records() -> list[dict[str, Any]]:
    """Statements the writers add and delete (two versions each: the text or not)."""
    lines = (FIXTURES / "quotes-sample.ndjson").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()][:6]


@pytest.fixture
def served(make_service: MakeService) -> Iterator[tuple[Service, str]]:
    service = make_service(**with_keys(rate_limit_per_minute=1_000_000))
    service.ingest(load_paths([FIXTURES / "whitehouse-sample.jsonl"]))
    with running_app(create_app(service)) as base:
        yield service, base


def test_asking_while_writing_fails_nothing_and_corrupts_nothing(
    served: tuple[Service, str],
) -> None:
    service, base = served
    texts = {s.id: s.text for s in load_paths([FIXTURES / "whitehouse-sample.jsonl"])}
    churn = churn_records()
    texts.update({r["id"]: r["text"] for r in churn})
    stop = threading.Event()
    statuses: Counter[str] = Counter()
    failures: list[str] = []
    lock = threading.Lock()

    def note(what: str, response: httpx.Response) -> None:
        with lock:
            statuses[f"{what} {response.status_code}"] += 1
            if response.status_code >= 500:
                failures.append(f"{what} {response.status_code}: {response.text[:300]}")

    def verify(spans: list[dict[str, Any]], field: str) -> None:
        for span in spans:
            exact = texts[span["statement_id"]][span["start"] : span["end"]]
            if exact != span[field]:
                with lock:
                    failures.append(f"{span['statement_id']} {span['start']}: {span[field]!r}")

    def read(n: int) -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            for question in itertools.islice(itertools.cycle(QUESTIONS), n, None):
                if stop.is_set():
                    return
                asked = client.post("/v1/ask", json={"question": question})
                note("ask", asked)
                if asked.status_code == 200:
                    verify(asked.json()["citations"], "quote")
                found = client.post("/v1/search", json={"question": question, "k": 8})
                note("search", found)
                if found.status_code == 200:
                    verify(found.json()["passages"], "text")

    def write(n: int) -> None:
        with httpx.Client(base_url=base, timeout=120, headers=ADMIN) as client:
            for round_ in itertools.count():
                if stop.is_set():
                    return
                batch = [churn[(round_ + n + i) % len(churn)] for i in range(2)]
                versions = [{**r, "revision": f"{n}-{round_}"} for r in batch]
                note("post", client.post("/v1/statements", json={"statements": versions}))
                gone = client.delete(f"/v1/statements/{batch[round_ % 2]['id']}")
                note("delete", gone)

    workers = [threading.Thread(target=read, args=(n,)) for n in range(READERS)]
    workers += [threading.Thread(target=write, args=(n,)) for n in range(2)]
    for worker in workers:
        worker.start()
    time.sleep(SECONDS)
    stop.set()
    for worker in workers:
        worker.join(timeout=300)

    print(f"\n{dict(sorted(statuses.items()))}")
    assert failures == []
    assert statuses["ask 200"] >= 5 and statuses["search 200"] >= 5, statuses
    assert statuses["post 200"] >= 3 and statuses["delete 200"] >= 1, statuses
    assert set(statuses) <= {"ask 200", "search 200", "post 200", "delete 200", "delete 404"}
    audit = service.store.audit()
    assert audit.problems == [] and audit.orphans == {}
    committed = service.store.all_content_hashes()
    with service.catalog.reading() as index:
        held = {sid: info.content_hash for sid, info in index.statements.items()}
        assert held == committed
        assert index.passage_count == audit.passages
