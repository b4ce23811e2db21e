"""Resident memory of a `rag serve` replica on stores of two sizes, same questions.

    python benchmarks/replica_memory.py --chroma-url URL --small PREFIX --big PREFIX \\
        [--backend chroma] [--questions 200]

For each store (collection prefix on the Chroma server), a fresh replica starts, answers
`--questions` questions (`/v1/ask`: titles of the small store's statements, or what its
speaker said for an untitled speech; with and without a speaker filter), is left idle a few
seconds, and its RSS is read. With RAG_SEARCH_BACKEND=chroma the replica keeps nothing
per passage, so the two should be close.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
from pathlib import Path

import httpx
from common import rss_mb, running_server, sampling_rss, server_env

from rag.interfaces.access import Scope, new_key

SETTLE_SECONDS = 5.0


async def ask(base: str, questions: list[tuple[str, str | None]]) -> int:
    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        for question, speaker in questions:
            body: dict[str, object] = {"question": question}
            if speaker:
                body["filters"] = {"speaker": speaker}
            (await http.post("/v1/ask", json=body)).raise_for_status()
        stats = (await http.get("/v1/stats")).json()
        return int(stats["passages"])


def measure(env: dict[str, str], home: Path, questions: list[tuple[str, str | None]]) -> str:
    with running_server(env, home) as server:
        started = rss_mb(server.pid)

        async def go() -> tuple[int, float, float]:
            async with sampling_rss(server.pid) as samples:
                passages = await ask(server.base, questions)
                await asyncio.sleep(SETTLE_SECONDS)
            return passages, max(samples), rss_mb(server.pid)

        passages, peak, settled = asyncio.run(go())
    return (
        f"{passages:>8} passages: RSS start {started:.0f} MB, peak {peak:.0f}, "
        f"settled {settled:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--chroma-url", required=True)
    parser.add_argument("--small", required=True, help="collection prefix of the small store")
    parser.add_argument("--big", required=True, help="collection prefix of the big store")
    parser.add_argument("--backend", choices=["memory", "chroma"], default="chroma")
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args()
    from rag.settings import load_settings
    from rag.wiring import build_service

    small = build_service(
        load_settings(
            chroma_url=args.chroma_url,
            collection_prefix=args.small,
            search_backend="chroma",
            _env_file=None,
        )
    )
    # Titles as questions; a speech without one (UN debate) asks what its speaker said.
    titled = [
        i.title or f"What did {i.speaker} say about security and development?"
        for i in small.list_statements(0, 1000).statements
        if i.title or i.speaker
    ]
    speakers = [e.canonical for e in small.speakers()[:20]]
    rng = random.Random(3)
    questions = [
        (rng.choice(titled), rng.choice(speakers) if i % 2 else None) for i in range(args.questions)
    ]
    _, entry = new_key("bench", Scope.ADMIN)
    home = Path(tempfile.mkdtemp(prefix="rag-replica-"))
    env = server_env(home, home / "unused", entry.entry, open_read="true")
    env.update(RAG_CHROMA_URL=args.chroma_url, RAG_SEARCH_BACKEND=args.backend)
    print(f"{args.backend} backend, {len(questions)} questions each")
    for prefix in (args.small, args.big):
        line = measure({**env, "RAG_COLLECTION_PREFIX": prefix}, home, questions)
        print(f"{prefix:>12}: {line}")


if __name__ == "__main__":
    main()
