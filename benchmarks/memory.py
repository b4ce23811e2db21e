"""Memory of `rag serve`: after statements ingested over HTTP, next to the same statements
loaded from the index snapshot and rebuilt from Chroma; and bytes per passage.

    python benchmarks/memory.py [--statements 1000] [--max-chars 2500] [--seed 7]

Draws `--statements` White House statements (../shared/data, at most `--max-chars` each),
then, each time on a fresh `rag serve` (embedded store, defaults otherwise) asking the same
questions (titles of the statements) and sampling its RSS:

1. an empty store (the baseline: model, libraries, thread pools);
2. the statements POSTed over HTTP, ten at a time, while a client asks questions;
3. the same store after a restart: the index loaded from the snapshot saved at shutdown;
4. again without the snapshot: the index rebuilt from Chroma.

Each RSS is taken after the questions, once the server has been idle for a few seconds.
"Bytes per passage" is (RSS - baseline RSS) / passages. Then, in this process, the index
itself (no model): traced bytes per passage (tracemalloc) loaded from the snapshot and
rebuilt from Chroma.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import gzip
import json
import random
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import httpx
from common import REPO, rss_mb, running_server, sampling_rss, server_env

from rag.interfaces.access import Scope, new_key

SHARED = next(
    (p for p in (REPO.parent / "shared", REPO.parent.parent / "shared") if p.exists()),
    REPO.parent / "shared",
)
DATA = SHARED / "data" / "whitehouse" / "statements.jsonl.gz"
BATCH = 10
SETTLE_SECONDS = 5.0


def draw(path: Path, count: int, max_chars: int, seed: int) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        records = [r for r in map(json.loads, f) if len(r["text"]) <= max_chars]
    return random.Random(seed).sample(records, count)


async def ask_all(base: str, questions: list[str]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        for question in questions:
            response = await http.post("/v1/ask", json={"question": question})
            response.raise_for_status()


def rss_parts_mb(pid: int) -> dict[str, float]:
    """RssAnon (heap, arrays, tensors) and RssFile (pages of mapped files: the libraries'
    code and data, the model file) of the process, MB."""
    parts = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("RssAnon", "RssFile"):
            parts[name] = int(value.split()[0]) / 1024
    return parts


async def settled_rss(pid: int) -> float:
    await asyncio.sleep(SETTLE_SECONDS)
    return rss_mb(pid)


async def ingest_while_asking(
    base: str, admin: dict[str, str], records: list[dict[str, Any]], questions: list[str]
) -> None:
    async def post_all() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=600, headers=admin) as http:
            for start in range(0, len(records), BATCH):
                body = {"statements": records[start : start + BATCH]}
                (await http.post("/v1/statements", json=body)).raise_for_status()

    async def ask_meanwhile(done: asyncio.Event) -> None:
        while not done.is_set():
            await ask_all(base, questions[:5])

    done = asyncio.Event()
    asking = asyncio.create_task(ask_meanwhile(done))
    await post_all()
    done.set()
    await asking


def run_server(
    env: dict[str, str],
    home: Path,
    questions: list[str],
    records: list[dict[str, Any]] | None = None,
    admin_key: str = "",
) -> dict[str, float]:
    with running_server(env, home) as server:
        started = rss_mb(server.pid)
        admin = {"Authorization": f"Bearer {admin_key}"}

        async def go() -> dict[str, float]:
            async with sampling_rss(server.pid) as samples:
                if records:
                    await ingest_while_asking(server.base, admin, records, questions)
                await ask_all(server.base, questions)
                rss = await settled_rss(server.pid)
                parts = rss_parts_mb(server.pid)
            stats = httpx.get(f"{server.base}/v1/stats", timeout=60).json()
            return {
                "rss_start_mb": started,
                "rss_peak_mb": max(samples),
                "rss_mb": rss,
                "passages": stats["passages"],
                "anon_mb": parts.get("RssAnon", 0.0),
                "file_mb": parts.get("RssFile", 0.0),
            }

        return asyncio.run(go())


def traced_index(data_dir: Path, snapshot: bool) -> float:
    """Bytes per passage the index holds (and the speaker index built with it), traced
    while it loads in this process; the store's client is opened before tracing starts."""
    from rag.settings import load_settings
    from rag.wiring import build_service

    settings = load_settings(data_dir=data_dir, _env_file=None)
    service = build_service(settings)
    if not snapshot:
        for path in data_dir.glob("index-*.pickle"):
            path.unlink()
    gc.collect()
    tracemalloc.start()
    passages = service.stats().passages
    gc.collect()
    traced, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if not snapshot:
        service.persist_index()
    return traced / passages


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--statements", type=int, default=1000)
    parser.add_argument("--max-chars", type=int, default=2500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--data", type=Path, default=DATA, help="White House statements")
    parser.add_argument(
        "--ingest-only", action="store_true", help="only the empty store and the HTTP ingests"
    )
    args = parser.parse_args()
    records = draw(args.data, args.statements, args.max_chars, args.seed)
    questions = [r["title"] for r in random.Random(args.seed).sample(records, args.questions)]
    key, entry = new_key("bench", Scope.ADMIN)
    home = Path(tempfile.mkdtemp(prefix="rag-memory-"))
    try:
        data_dir = home / "data"
        env = server_env(home, data_dir, entry.entry)
        empty = run_server({**env, "RAG_DATA_DIR": str(home / "empty")}, home, questions)
        ingested = run_server(env, home, questions, records, key)
        runs = {"empty store": empty, "after HTTP ingests": ingested}
        if not args.ingest_only:
            runs["index from the snapshot"] = loaded = run_server(env, home, questions)
            for path in data_dir.glob("index-*.pickle"):
                path.unlink()
            runs["index rebuilt from Chroma"] = rebuilt = run_server(env, home, questions)
        passages = ingested["passages"]
        print(f"{len(records)} statements, {passages} passages; RSS MB after the questions")
        for name, run in runs.items():
            per = (run["rss_mb"] - empty["rss_mb"]) * 2**20 / passages
            print(
                f"{name:28} start {run['rss_start_mb']:7.0f}  peak {run['rss_peak_mb']:7.0f}  "
                f"settled {run['rss_mb']:7.0f} (anon {run['anon_mb']:.0f}, files "
                f"{run['file_mb']:.0f})  ({per:,.0f} B per passage over empty)"
            )
        if args.ingest_only:
            return
        print(f"ratio HTTP ingests / snapshot: {ingested['rss_mb'] / loaded['rss_mb']:.2f}")
        print(f"ratio rebuild / snapshot: {rebuilt['rss_mb'] / loaded['rss_mb']:.2f}")
        started = time.perf_counter()
        from_snapshot = traced_index(data_dir, snapshot=True)
        from_rebuild = traced_index(data_dir, snapshot=False)
        print(
            f"index, traced: {from_snapshot:,.0f} B per passage from the snapshot, "
            f"{from_rebuild:,.0f} from a rebuild ({time.perf_counter() - started:.0f} s)"
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
