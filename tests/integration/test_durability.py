"""Killing `rag ingest` (SIGKILL) at random points never leaves a half-stored statement.

A real `rag ingest` subprocess is killed after a seeded random delay, again and again, on one
store; after each kill a fresh process opens the store and checks it (tests/support/
store_check.py): every statement record present has all its passages, with exact offsets and
quotations, and the index a service builds finds them. Passages no record names (orphans) are
allowed between runs, only for statements of the corpus, which the next ingest rewrites or
sweeps. Finally an ingest of the version the last run was killed in, run to completion, must
give exactly the statements and passages a clean ingest gave, and no orphans.

The runs alternate two versions of the corpus that differ in metadata only: each run has every
statement to rewrite, without model time (vectors are reused), so the kills land among the
writes. DURABILITY_KILLS=100 runs the long version (docs/reliability.md has its result).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, REPO
from tests.support.rag_serve import rag_env

pytestmark = [pytest.mark.slow, pytest.mark.integration]

RAG = Path(sys.executable).parent / "rag"
CORPUS = ("whitehouse-sample.jsonl", "quotes-sample.ndjson", "remarks-sample.ndjson")
KILLS = int(os.environ.get("DURABILITY_KILLS", "8"))
SEED = int(os.environ.get("DURABILITY_SEED", "7"))
GROUP_PASSAGES = 12  # several groups per run, so kills fall between and inside writes
STARTED = "ingesting "  # the log line `rag -v ingest` writes when it starts storing


@dataclass
class Run:
    """One `rag -v ingest` subprocess; the time it logged that storing began."""

    process: subprocess.Popen[str]
    started: threading.Event = field(default_factory=threading.Event)
    log: list[str] = field(default_factory=list)

    def follow(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line)
            if STARTED in line:
                self.started.set()
        self.started.set()  # it ended without starting: nothing to wait for


class Home:
    def __init__(self, path: Path) -> None:
        self.path = path

    def env(self) -> dict[str, str]:
        env = rag_env(self.path, {})
        env["RAG_INGEST_GROUP_PASSAGES"] = str(GROUP_PASSAGES)
        return env

    def start_ingest(self, corpus: Path) -> Run:
        process = subprocess.Popen(
            [str(RAG), "-v", "ingest", str(corpus)],
            cwd=self.path,  # no .env from the repository
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        run = Run(process)
        threading.Thread(target=run.follow, daemon=True).start()
        return run

    def ingest(self, corpus: Path) -> float:
        """Ingest to completion; seconds from the start of storing to the exit."""
        run = self.start_ingest(corpus)
        run.started.wait(timeout=300)
        began = time.monotonic()
        assert run.process.wait(timeout=300) == 0, "".join(run.log)
        assert run.process.stdout is not None
        assert " statements (" in run.process.stdout.read()
        return time.monotonic() - began

    def check(self) -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, "-m", "tests.support.store_check"],
            cwd=REPO,
            env={
                **self.env(),
                "PYTHONPATH": os.pathsep.join(
                    filter(None, [str(REPO), os.environ.get("PYTHONPATH")])
                ),
            },
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        report: dict[str, Any] = json.loads(done.stdout)
        return report


def write_corpus(path: Path, revision: str | None) -> Path:
    """The corpus as one JSONL file; `revision` (extra metadata) makes every statement
    change its content hash, but not its text, so its vectors are reused."""
    with path.open("w") as out:
        for name in CORPUS:
            for line in (FIXTURES / name).read_text().splitlines():
                if line.strip():
                    record = json.loads(line)
                    if revision:
                        record["revision"] = revision
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def test_killed_ingests_leave_every_statement_whole_or_absent(tmp_path: Path) -> None:
    home = Home(tmp_path)
    versions = [write_corpus(tmp_path / "a.jsonl", None), write_corpus(tmp_path / "b.jsonl", "b")]
    corpus_ids = {
        json.loads(line)["id"] for line in versions[0].read_text().splitlines() if line.strip()
    }

    home.ingest(versions[0])
    clean = home.check()
    assert clean["problems"] == [] and clean["orphans"] == {}, clean
    assert clean["statements"] == len(corpus_ids) >= 35
    rewrite = home.ingest(versions[1])  # how long storing every statement again takes

    chance = random.Random(SEED)
    outcomes = {"killed": 0, "finished first": 0, "orphans after kill": 0}
    for i in range(KILLS):
        run = home.start_ingest(versions[i % 2])
        assert run.started.wait(timeout=300)
        time.sleep(chance.uniform(0, rewrite * 1.1))
        if run.process.poll() is None:
            run.process.send_signal(signal.SIGKILL)
            outcomes["killed"] += 1
        else:
            outcomes["finished first"] += 1
        run.process.wait(timeout=60)
        report = home.check()
        assert report["problems"] == [], (i, report)
        assert set(report["orphans"]) <= corpus_ids, (i, report)
        assert report["statements"] <= len(corpus_ids)
        outcomes["orphans after kill"] += bool(report["orphans"])

    # The version the last run was killed in: what it committed is unchanged now, so any
    # passages its kill left behind must be swept, not rewritten away.
    home.ingest(versions[(KILLS - 1) % 2])
    final = home.check()
    print(
        f"\n{KILLS} runs (seed {SEED}): {outcomes}; final: {final['statements']} statements, "
        f"{final['passages']} passages, orphans {final['orphans']}"
    )
    assert final == clean  # the two versions differ in metadata only: the same counts
    assert outcomes["killed"] >= KILLS // 2
