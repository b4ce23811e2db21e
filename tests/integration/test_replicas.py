"""Three real `rag serve` replicas on one real `chroma run`, with writers racing each other.

Writer threads add, rewrite and delete statements through the replicas at random (a few
hot ids take half the operations, so writes and deletes of one statement race), while
reader threads ask, search and read quotations and timelines. Midway one replica is
stopped cleanly and restarted (it resumes from its snapshot and the change log), and
later killed with SIGKILL right after a batch write, while it applies it, and restarted.
When the writers are done, every replica must hold exactly what Chroma holds within
CONVERGE_SECONDS: the same statements and the same passages (by id, text and offsets);
and from then on nothing any replica returns (search, ask, quotes, timeline) may be stale.

The replicas embed with the real bundled model; the statements are real (the White House
and quotation fixtures), cut to a few paragraphs so a write embeds little.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from rag.embedding.embedder import SentenceTransformerEmbedder
from rag.index.store import ChromaStore, open_client
from tests.conftest import FIXTURES
from tests.support.keys import ADMIN, KEYS
from tests.support.servers import free_port, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.integration]

RAG = Path(sys.executable).parent / "rag"
SEED = int(os.environ.get("REPLICAS_SEED", "7"))
OPERATIONS = int(os.environ.get("REPLICAS_OPERATIONS", "520"))
WRITERS = 3
READERS = 2
IDS = 48
HOT = 8  # ids that take half the operations
BATCH = 24  # statements in the batch write the kill follows
CONVERGE_SECONDS = 2.0
MAX_CHARS = 900
READ_PAUSE_SECONDS = 0.25
LEASE_SECONDS = 5  # a write killed midway is read again by the others after this


def base_records() -> list[dict[str, Any]]:
    """Real statements, each cut at a paragraph break to at most MAX_CHARS."""
    records = []
    for name in ("whitehouse-sample.jsonl", "quotes-sample.ndjson"):
        for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                text = record["text"]
                if len(text) > MAX_CHARS:
                    cut = text.rfind("\n", 0, MAX_CHARS)
                    text = text[: cut if cut > 200 else MAX_CHARS]
                records.append({**record, "text": text})
    return records


@dataclass
class Replica:
    name: str
    home: Path
    env: dict[str, str]
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    up: threading.Event = field(default_factory=threading.Event)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.port = free_port()
        log = (self.home / f"{self.name}.log").open("ab")
        self.process = subprocess.Popen(
            [str(RAG), "-v", "serve", "--port", str(self.port)],
            cwd=self.home,
            env=self.env,
            stdout=log,
            stderr=log,
        )

    def wait_ready(self) -> None:
        wait_until(
            lambda: httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200, 120, self.name
        )
        self.up.set()

    def stop(self, sig: signal.Signals) -> None:
        self.up.clear()
        assert self.process is not None
        self.process.send_signal(sig)
        self.process.wait(timeout=60)

    def log_text(self) -> str:
        return (self.home / f"{self.name}.log").read_text(errors="replace")


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    operations: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    reads: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def wrote(self, kind: str, count: int, status: int) -> None:
        with self.lock:
            self.operations[kind] += count
            self.statuses[status] += 1

    def failed(self, what: str) -> None:
        with self.lock:
            self.failures.append(what)


@pytest.fixture
def replicas(chroma_url: str, tmp_path: Path) -> Iterator[list[Replica]]:
    prefix = f"replicas{SEED}x{random.randrange(1 << 30)}"
    env = {n: v for n, v in os.environ.items() if not n.startswith("RAG_")}
    env.update(
        RAG_CHROMA_URL=chroma_url,
        RAG_COLLECTION_PREFIX=prefix,
        RAG_API_KEYS=",".join(KEYS),
        RAG_RATE_LIMIT_PER_MINUTE="0",
        RAG_TORCH_THREADS="1",
        RAG_WRITE_LEASE_SECONDS=str(LEASE_SECONDS),
    )
    started = []
    for name in ("a", "b", "c"):
        home = tmp_path / name
        home.mkdir()
        replica = Replica(name, home, {**env, "RAG_CACHE_DIR": str(home / "cache")})
        replica.start()
        started.append(replica)
    for replica in started:
        replica.wait_ready()
    yield started
    for replica in started:
        if replica.process is not None and replica.process.poll() is None:
            replica.stop(signal.SIGTERM)


def truth_store(chroma_url: str, tmp_path: Path, prefix: str) -> ChromaStore:
    client, location = open_client(tmp_path, chroma_url)
    model = SentenceTransformerEmbedder(None).name
    return ChromaStore(client, location, prefix, model, exclusive=False)


class Workload:
    """Seeded random writes: adds, text rewrites, metadata rewrites, deletes."""

    def __init__(self, replicas: list[Replica], tally: Tally, seed: int) -> None:
        self.replicas = replicas
        self.tally = tally
        self.records = base_records()
        self.ids = [f"replica-test/{n:02d}" for n in range(IDS)]
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.remaining = OPERATIONS

    def statement(self, rng: random.Random, sid: str) -> dict[str, Any]:
        record = dict(rng.choice(self.records))
        paragraphs = [p for p in record["text"].split("\n") if p.strip()]
        keep = rng.randint(1, len(paragraphs))
        record.update(
            id=sid,
            text="\n".join(paragraphs[:keep]),
            revision=f"r{rng.randrange(1000)}",
        )
        return record

    def take(self, count: int) -> bool:
        with self.lock:
            self.remaining -= count
            return self.remaining + count > 0

    def target(self, rng: random.Random) -> Replica:
        while True:
            up = [r for r in self.replicas if r.up.is_set()]
            if up:
                return rng.choice(up)
            time.sleep(0.05)

    def write(self, rng: random.Random) -> bool:
        """One request: a delete, or a POST of 1-4 statements (new or rewritten)."""
        kind = rng.choices(["add", "metadata", "delete"], [0.4, 0.25, 0.35])[0]
        count = 1 if kind == "delete" else rng.randint(1, 4)
        if not self.take(count):
            return False
        ids = {rng.choice(self.ids[:HOT] if rng.random() < 0.5 else self.ids) for _ in range(count)}
        if kind == "delete":
            self.send(rng, kind, ids.pop())
            return True
        records = [self.statement(rng, sid) for sid in sorted(ids)]
        if kind == "metadata":  # the first paragraph only: often a text stored before
            for record in records:
                record["text"] = record["text"].split("\n")[0]
        self.send(rng, kind, records)
        return True

    def send(self, rng: random.Random, kind: str, payload: Any) -> None:
        for _ in range(20):
            replica = self.target(rng)
            try:
                if kind == "delete":
                    response = httpx.delete(
                        f"{replica.base}/v1/statements/{payload}", headers=ADMIN, timeout=60
                    )
                else:
                    response = httpx.post(
                        f"{replica.base}/v1/statements",
                        json={"statements": payload},
                        headers=ADMIN,
                        timeout=60,
                    )
            except httpx.TransportError:
                if replica.up.is_set():
                    raise
                continue  # it was stopped under us: another replica
            if response.status_code >= 500 and not replica.up.is_set():
                continue
            count = 1 if kind == "delete" else len(payload)
            self.tally.wrote(kind, count, response.status_code)
            if response.status_code not in (200, 404):
                self.tally.failed(f"{kind} on {replica.name}: {response.status_code}")
            return
        self.tally.failed(f"{kind}: no replica answered")

    def writer(self, seed: int) -> None:
        rng = random.Random(seed)
        try:
            while self.write(rng):
                pass
        except Exception as exc:
            self.tally.failed(f"writer: {exc!r}")

    def reader(self, seed: int, stop: threading.Event) -> None:
        rng = random.Random(seed)
        while not stop.is_set():
            replica = self.target(rng)
            try:
                kind, response = read_once(replica, rng)
            except httpx.TransportError:
                if replica.up.is_set():
                    self.tally.failed(f"read on {replica.name}: connection failed")
                continue
            with self.tally.lock:
                self.tally.reads[kind] += 1
            if response.status_code >= 500 and replica.up.is_set():
                self.tally.failed(f"{kind} on {replica.name}: {response.status_code}")
            stop.wait(READ_PAUSE_SECONDS)  # readers are there to race the writes, not to load


QUESTIONS = [
    "What did Biden discuss with Ruto?",
    "What did the President say about Haiti?",
    "Readout of the call with the Prime Minister",
    "What was said about Ukraine?",
    "statement on climate",
]


def read_once(replica: Replica, rng: random.Random) -> tuple[str, httpx.Response]:
    kind = rng.choice(["ask", "search", "quotes", "timeline"])
    if kind in ("ask", "search"):
        body = {"question": rng.choice(QUESTIONS), "k": 8}
        return kind, httpx.post(f"{replica.base}/v1/{kind}", json=body, timeout=60)
    if kind == "quotes":
        return kind, httpx.get(f"{replica.base}/v1/quotes", params={"limit": 50}, timeout=60)
    params = {"speaker": rng.choice(["Biden", "Ruto", "Harris"]), "topic": "Haiti"}
    return kind, httpx.get(f"{replica.base}/v1/timeline", params=params, timeout=60)


@dataclass(frozen=True)
class Truth:
    """What Chroma holds: statement id -> (content hash, text, {passage id: (start, end, text)})."""

    statements: dict[str, tuple[str, str, dict[str, tuple[int, int, str]]]]
    passages: int
    head: int


def read_truth(store: ChromaStore) -> Truth:
    hashes = store.all_content_hashes()
    reads = store.read_statements(sorted(hashes))
    assert not reads.unsettled
    texts = {sid: s.text for sid, s in store.get_many(sorted(hashes)).items()}
    statements = {}
    for sid, loaded in reads.found.items():
        assert loaded is not None
        rows = {p.id: (p.start, p.end, p.text) for p in loaded.passages}
        statements[sid] = (loaded.info.content_hash, texts[sid], rows)
    return Truth(statements, sum(len(s[2]) for s in statements.values()), store.log.head())


def caught_up(replica: Replica, truth: Truth) -> bool:
    stats = httpx.get(f"{replica.base}/v1/stats", timeout=10).json()
    return (
        stats["statements"] == len(truth.statements)
        and stats["passages"] == truth.passages
        and stats["changes_applied"] == truth.head
    )


def held_passages(replica: Replica, sid: str) -> dict[str, tuple[int, int, str]]:
    body = {"question": "statement", "k": 50, "filters": {"statement_ids": [sid]}}
    response = httpx.post(f"{replica.base}/v1/search", json=body, timeout=60)
    assert response.status_code == 200, response.text
    return {p["passage_id"]: (p["start"], p["end"], p["text"]) for p in response.json()["passages"]}


def stale(truth: Truth, sid: str, passage_id: str | None, start: int, end: int, text: str) -> bool:
    """Whether something a replica returned is not what Chroma holds now."""
    held = truth.statements.get(sid)
    if held is None:
        return True
    content_hash, statement_text, _ = held
    if passage_id is not None and passage_id.rsplit(":", 1)[0] != f"{sid}#{content_hash[:12]}":
        return True
    return statement_text[start:end] != text


def stale_results(replica: Replica, truth: Truth, rng: random.Random) -> tuple[int, int]:
    """(results checked, stale ones) over one round of every kind of read."""
    checked = found_stale = 0
    for kind in ("ask", "search", "quotes", "timeline"):
        for _ in range(3):
            _, response = read_once_kind(replica, rng, kind)
            assert response.status_code == 200, response.text
            data = response.json()
            items: list[tuple[str, str | None, int, int, str]] = []
            if kind == "search":
                items = [
                    (p["statement_id"], p["passage_id"], p["start"], p["end"], p["text"])
                    for p in data["passages"]
                ]
            elif kind == "quotes":
                items = [
                    (q["statement_id"], None, q["start"], q["end"], q["text"])
                    for q in data["quotes"]
                ]
            else:
                items = [
                    (c["statement_id"], c["passage_id"], c["start"], c["end"], c["quote"])
                    for c in data["citations"]
                ]
            checked += len(items)
            found_stale += sum(stale(truth, *item) for item in items)
    return checked, found_stale


def read_once_kind(replica: Replica, rng: random.Random, kind: str) -> tuple[str, httpx.Response]:
    while True:
        got_kind, response = read_once(replica, rng)
        if got_kind == kind:
            return got_kind, response


def test_replicas_converge_with_racing_writers_and_a_killed_replica(
    replicas: list[Replica], chroma_url: str, tmp_path: Path
) -> None:
    a, _b, c = replicas
    prefix = a.env["RAG_COLLECTION_PREFIX"]
    truth_of = truth_store(chroma_url, tmp_path, prefix)
    tally = Tally()
    work = Workload(replicas, tally, SEED)
    stop_reading = threading.Event()
    rng = random.Random(SEED)
    writers = [threading.Thread(target=work.writer, args=(SEED * 100 + n,)) for n in range(WRITERS)]
    readers = [
        threading.Thread(target=work.reader, args=(SEED * 200 + n, stop_reading))
        for n in range(READERS)
    ]
    started = time.monotonic()
    for thread in writers + readers:
        thread.start()

    # A clean stop and restart: the replica resumes from its snapshot and the log.
    wait_until(lambda: work.remaining < OPERATIONS * 3 // 4, 600, "a quarter of the writes")
    c.stop(signal.SIGTERM)
    assert any((c.home / "cache" / "index").glob("*.pickle")), "no snapshot was saved"
    c.start()
    c.wait_ready()

    # SIGKILL while it applies a batch another replica just wrote.
    wait_until(lambda: work.remaining < OPERATIONS // 2, 600, "half of the writes")
    batch = [work.statement(rng, f"replica-test/batch-{n:02d}") for n in range(BATCH)]
    work.send(rng, "add", batch)
    batch_logged = truth_of.log.head()
    time.sleep(rng.uniform(0.0, 0.25))
    c.stop(signal.SIGKILL)
    since_start = c.log_text().rsplit("Application startup complete", 1)[-1]
    applied = [int(n) for n in re.findall(r"change log to entry (\d+) applied", since_start)]
    killed_before_applying_batch = not applied or max(applied) < batch_logged
    c.start()
    c.wait_ready()

    for thread in writers:
        thread.join()
    writes_done = time.monotonic()
    truth = read_truth(truth_of)
    converged: dict[str, float] = {}
    for replica in replicas:
        wait_until(lambda r=replica: caught_up(r, truth), 30, f"replica {replica.name}")
        converged[replica.name] = time.monotonic() - writes_done
    stop_reading.set()
    for thread in readers:
        thread.join()

    # Every replica holds exactly Chroma's statements and passages, and nothing else.
    every_id = set(work.ids) | {f"replica-test/batch-{n:02d}" for n in range(BATCH)}
    divergent = set()
    for replica in replicas:
        for sid in sorted(every_id):
            expected = truth.statements[sid][2] if sid in truth.statements else {}
            if held_passages(replica, sid) != expected:
                divergent.add(replica.name)
    check_rng = random.Random(SEED + 1)
    checked = found_stale = 0
    for _ in range(3):
        for replica in replicas:
            got = stale_results(replica, truth, check_rng)
            checked, found_stale = checked + got[0], found_stale + got[1]
    audit = truth_of.audit()

    summary = {
        "operations": dict(tally.operations),
        "statuses": dict(tally.statuses),
        "reads_during_writes": dict(tally.reads),
        "seconds_writing": round(writes_done - started, 1),
        "converged_seconds": {k: round(v, 2) for k, v in converged.items()},
        "statements": len(truth.statements),
        "passages": truth.passages,
        "log_entries": truth.head,
        "divergent_replicas": sorted(divergent),
        "results_checked_after_convergence": checked,
        "stale_results": found_stale,
        "killed_before_logging_the_batch_applied": killed_before_applying_batch,
        "orphan_rows": sum(audit.orphans.values()),
    }
    print(json.dumps(summary, indent=1))
    assert tally.failures == []
    assert sum(tally.operations.values()) >= 500
    assert audit.problems == []
    assert divergent == set()
    assert found_stale == 0 and checked > 0
    assert max(converged.values()) <= CONVERGE_SECONDS, converged
