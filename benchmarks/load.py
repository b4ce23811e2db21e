"""Load on the HTTP API: several clients asking, searching and ingesting at once.

    python benchmarks/load.py [--seconds 300] [--clients 6] [--data-dir DIR]

It starts `rag serve` on 127.0.0.1 (a free port, an admin key it makes, a temporary store
unless --data-dir is given), ingests the test fixtures with `rag ingest`, then runs
`--clients` asyncio clients for `--seconds`. Each request is drawn at random: 45% ask, 40%
search, 15% a write (POST two statements in a new revision, or DELETE one, alternately).
It samples the server's RSS every second and prints, per endpoint, requests, errors (any
non-2xx or failed request; there should be none), p50/p95/p99 latency, then the RSS at
start, peak and end (flat memory means no leak). Exits 1 if any request failed.
Only the standard library and httpx (a dependency of the project's tests) are needed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
from common import (
    FIXTURES,
    ingest_fixtures,
    percentile,
    running_server,
    sampling_rss,
    server_env,
    timed_request,
)

from rag.interfaces.access import Scope, new_key

CHURN = FIXTURES / "quotes-sample.ndjson"
QUESTIONS = (
    "What did Ruto say about Haiti?",
    "What did Biden say about Kenya?",
    "Who leads the security mission in Haiti?",
    "What was said about Ukraine?",
    "What did Kenya say at the UN General Assembly about climate?",
    "What did the Vice President discuss?",
    "How has the position on Haiti evolved?",
    "What did France say about Africa?",
)


class Load:
    def __init__(self, base: str, admin_key: str, seconds: float, seed: int) -> None:
        self.base = base
        self.admin = {"Authorization": f"Bearer {admin_key}"}
        self.deadline = time.monotonic() + seconds
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.chance = random.Random(seed)
        lines = CHURN.read_text().splitlines()
        self.churn = [json.loads(line) for line in lines if line.strip()]
        self.writes = 0

    async def client(self) -> None:
        async with httpx.AsyncClient(base_url=self.base, headers=self.admin, timeout=300) as http:
            while time.monotonic() < self.deadline:
                roll = self.chance.random()
                question = self.chance.choice(QUESTIONS)
                if roll < 0.45:
                    await self.call(http, "ask", "POST", "/v1/ask", json={"question": question})
                elif roll < 0.85:
                    body = {"question": question, "k": 8}
                    await self.call(http, "search", "POST", "/v1/search", json=body)
                else:
                    await self.write(http)

    async def write(self, http: httpx.AsyncClient) -> None:
        self.writes += 1
        n = self.writes
        batch = [self.churn[(n + i) % len(self.churn)] for i in range(2)]
        if n % 2:
            body = {"statements": [{**r, "revision": str(n)} for r in batch]}
            await self.call(http, "ingest", "POST", "/v1/statements", json=body)
        else:
            path = f"/v1/statements/{batch[0]['id']}"
            await self.call(http, "delete", "DELETE", path, ok=(200, 404))

    async def call(
        self, http: httpx.AsyncClient, name: str, method: str, path: str, **kwargs: Any
    ) -> None:
        latency, error = await timed_request(http, method, path, **kwargs)
        if error:
            self.errors[name].append(error)
        self.latencies[name].append(latency)


async def run(load: Load, clients: int, pid: int) -> list[float]:
    async with sampling_rss(pid) as samples:
        await asyncio.gather(*(load.client() for _ in range(clients)))
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, help="default: a temporary directory")
    args = parser.parse_args()

    key, api_key = new_key("load", Scope.ADMIN)
    with tempfile.TemporaryDirectory(prefix="rag-load-", ignore_cleanup_errors=True) as tmp:
        home = Path(tmp)
        env = server_env(home, args.data_dir or home / "data", api_key.entry)
        ingest_fixtures(env, home)
        with running_server(env, home) as server:
            load = Load(server.base, key, args.seconds, args.seed)
            began = time.monotonic()
            rss = asyncio.run(run(load, args.clients, server.pid))
            elapsed = time.monotonic() - began
        log_lines = server.log_tail()

    total = sum(len(v) for v in load.latencies.values())
    failed = sum(len(v) for v in load.errors.values())
    print(
        f"{args.clients} clients, {elapsed:.0f} s, {total} requests ({total / elapsed:.1f}/s), "
        f"{failed} errors"
    )
    print(
        f"{'endpoint':<8} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    )
    for name in sorted(load.latencies):
        ms = [s * 1000 for s in load.latencies[name]]
        print(
            f"{name:<8} {len(ms):>8} {len(load.errors[name]):>6} {percentile(ms, 50):>8.0f} "
            f"{percentile(ms, 95):>8.0f} {percentile(ms, 99):>8.0f}"
        )
    print(
        f"server RSS MB: start {rss[0]:.0f}, peak {max(rss):.0f}, end {rss[-1]:.0f} "
        f"({len(rss)} samples)"
    )
    thirds = [rss[i * len(rss) // 3 : (i + 1) * len(rss) // 3] for i in range(3)]
    print("RSS mean by third: " + ", ".join(f"{sum(t) / len(t):.0f}" for t in thirds if t))
    for name, errors in load.errors.items():
        for error in errors[:5]:
            print(f"error {name}: {error}")
    if failed:
        print("server log, last lines:", *log_lines, sep="\n")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
