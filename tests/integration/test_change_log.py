"""rag/index/change_log.py against real Chroma (embedded, and a `chroma run` server): writers
appending at once each get a number of their own, the numbers have no holes, and a reader
sees every entry in order, or is told it fell behind a trim."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rag.index.change_log import BEGIN, END, ChangeLog
from rag.index.store import open_client

WRITERS = 4
APPENDS = 15

OpenLog = Callable[..., ChangeLog]


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.integration)])
def open_log(request: pytest.FixtureRequest, tmp_path: Path) -> OpenLog:
    """Opens the same log again, each time with a client of its own (a process of its own,
    as far as the server can tell)."""
    url = request.getfixturevalue("chroma_url") if request.param == "server" else None
    name = f"t{uuid.uuid4().hex}_changes"

    def make(**options: Any) -> ChangeLog:
        client, _ = open_client(tmp_path, url)
        entries = client.get_or_create_collection(name, embedding_function=None)
        return ChangeLog(entries, f"writer-{uuid.uuid4().hex[:6]}", **options)

    return make


def test_writers_appending_at_once_take_every_number_once(open_log: OpenLog) -> None:
    taken: list[tuple[int, int]] = []  # (begin, end) per write
    failed: list[BaseException] = []
    lock = threading.Lock()

    def write(n: int, log: ChangeLog) -> None:
        try:
            for i in range(APPENDS):
                begin = log.begin([f"s{n}-{i}", "shared"], lease_seconds=60)
                end = log.end(begin, {f"s{n}-{i}": "h", "shared": ""})
                with lock:
                    taken.append((begin.seq, end.seq))
        except BaseException as exc:
            failed.append(exc)

    logs = [open_log() for _ in range(WRITERS)]  # opening a client is not for threads
    threads = [threading.Thread(target=write, args=(n, log)) for n, log in enumerate(logs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failed

    numbers = sorted(s for pair in taken for s in pair)
    assert numbers == list(range(1, 2 * WRITERS * APPENDS + 1))  # each once, no holes
    reader = open_log()
    assert reader.head() == len(numbers)
    entries = []
    while batch := reader.read(len(entries), limit=7):
        entries += batch
    assert [e.seq for e in entries] == numbers
    ends = {e.begin: e for e in entries if e.kind == END}
    begins = [e for e in entries if e.kind == BEGIN]
    assert len(begins) == len(ends) == WRITERS * APPENDS
    for begin in begins:
        assert ends[begin.seq].seq > begin.seq
        assert set(ends[begin.seq].statements) == set(begin.statements)
    assert reader.read(len(entries)) == []  # caught up: nothing more


def test_a_reader_behind_a_trim_is_told_so(open_log: OpenLog) -> None:
    log = open_log(keep=6, trim_every=4)
    for i in range(8):  # numbers 1..16; taking 12 and 16 trims below 6 and below 10
        log.end(log.begin([f"s{i}"], lease_seconds=60), {f"s{i}": "h"})

    reader = open_log(keep=6, trim_every=4)
    assert reader.head() == 16
    assert reader.read(0) is None  # entries 1..9 are gone
    assert reader.read(8) is None
    assert [e.seq for e in reader.read(9) or []] == list(range(10, 17))


def test_open_writes_are_the_begins_whose_lease_has_not_run_out(open_log: OpenLog) -> None:
    log = open_log()
    short = log.begin(["a"], lease_seconds=0.5)
    long = log.begin(["b"], lease_seconds=600)
    log.end(short, {"a": "h"})
    time.sleep(0.6)

    assert [c.seq for c in log.open_writes(time.time())] == [long.seq]
    assert open_log().open_writes(time.time())[0].statements == {"b": None}
