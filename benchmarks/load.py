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
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

from rag.access import Scope, new_key

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
CORPUS = ("whitehouse-sample.jsonl", "ungdc-sample.jsonl", "ruto-rubio-call.md")
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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


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
        async with httpx.AsyncClient(base_url=self.base, timeout=300) as http:
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
        self, http: httpx.AsyncClient, name: str, method: str, path: str, **kwargs: object
    ) -> None:
        ok = kwargs.pop("ok", (200,))
        started = time.perf_counter()
        try:
            response = await http.request(method, path, headers=self.admin, **kwargs)  # type: ignore[arg-type]
            if response.status_code not in ok:  # type: ignore[operator]
                self.errors[name].append(f"{response.status_code}: {response.text[:200]}")
        except httpx.HTTPError as exc:
            self.errors[name].append(repr(exc))
        self.latencies[name].append(time.perf_counter() - started)


async def sample_rss(pid: int, until: float, samples: list[tuple[float, float]]) -> None:
    started = time.monotonic()
    while time.monotonic() < until:
        samples.append((time.monotonic() - started, rss_mb(pid)))
        await asyncio.sleep(1.0)
    samples.append((time.monotonic() - started, rss_mb(pid)))


async def run(load: Load, clients: int, pid: int) -> list[tuple[float, float]]:
    samples: list[tuple[float, float]] = []
    sampler = asyncio.create_task(sample_rss(pid, load.deadline, samples))
    await asyncio.gather(*(load.client() for _ in range(clients)))
    await sampler
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

    rag = shutil.which("rag", path=str(Path(sys.executable).parent)) or "rag"
    home = Path(tempfile.mkdtemp(prefix="rag-load-"))
    key, api_key = new_key("load", Scope.ADMIN)
    env = {n: v for n, v in os.environ.items() if not n.startswith("RAG_")}
    env.update(
        RAG_DATA_DIR=str(args.data_dir or home / "data"),
        RAG_CACHE_DIR=str(home / "cache"),
        RAG_API_KEYS=api_key.entry,
        RAG_RATE_LIMIT_PER_MINUTE="1000000",
    )
    ingest = [rag, "ingest", *(str(FIXTURES / n) for n in CORPUS)]
    subprocess.run(ingest, env=env, cwd=home, check=True, stderr=subprocess.DEVNULL)
    port = free_port()
    server_log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [rag, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=home,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            raise SystemExit("the server did not become ready within 120 s")
        load = Load(base, key, args.seconds, args.seed)
        began = time.monotonic()
        samples = asyncio.run(run(load, args.clients, server.pid))
        elapsed = time.monotonic() - began
    finally:
        server.terminate()
        server.wait(timeout=30)
        server_log.close()
        log_lines = (home / "server.log").read_text().splitlines()
        shutil.rmtree(home, ignore_errors=True)

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
    rss = [mb for _, mb in samples]
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
        print("server log, last lines:", *log_lines[-20:], sep="\n")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
