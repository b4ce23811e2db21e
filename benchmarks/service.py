"""Throughput and latency of the HTTP API under concurrency: /v1/search, then /v1/ask.

    python benchmarks/service.py [--data-dir DIR] [--clients 16] [--seconds 60]
                                 [--endpoints search,ask] [--threads N] [--seed 7]
                                 [--setting NAME=VALUE ...]

It starts `rag serve` on 127.0.0.1 (a free port, an admin key it makes, no rate limit,
RAG_TORCH_THREADS=N when --threads is given). With --data-dir it serves that store as it
is: nothing is ingested and only reads are sent (opening it, as any `rag` command does,
still lets Chroma rewrite its own files, and the server rewrites its index snapshot there
when it stops). Without, it ingests the test fixtures into a temporary store first.
Questions are drawn with a seeded RNG from the store's own statement titles and speakers
("What did {speaker} say about {title}?" and plain titles), so any corpus works. Each
endpoint has its own phase: a few warm-up requests, not counted, then `--clients` asyncio
clients sending requests back to back until `--seconds` have passed (default k, no
filters).

It prints the machine (cores, CPU model), the store's size, then per endpoint: clients,
seconds, requests, requests/s, errors (any non-2xx or failed request; there should be
none), p50/p95/p99 latency; then the server's RSS at start, peak and end. Exits 1 if any
request failed. Only the standard library and httpx are needed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from common import (
    Server,
    ingest_fixtures,
    percentile,
    running_server,
    sampling_rss,
    server_env,
    timed_request,
)

from rag.interfaces.access import Scope, new_key

ENDPOINTS = {"search": "/v1/search", "ask": "/v1/ask"}
SUCCESS = range(200, 300)
QUESTIONS = 200
TITLE_WORDS = 10
SPEAKERS = 50
WARM_UP_REQUESTS = 3
TIMEOUT_SECONDS = 300


@dataclass
class Phase:
    endpoint: str
    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class Results:
    stats: dict[str, Any]
    answerers: set[str]
    phases: list[Phase]
    rss: list[float]


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def draw_questions(statements: list[dict[str, Any]], speakers: list[str], seed: int) -> list[str]:
    """Every other question names a speaker (the statement's own, else one from the index)
    and asks about the statement's title; the rest are plain titles."""
    rng = random.Random(seed)
    titled = [s for s in statements if s.get("title")]
    if not titled:
        if not speakers:
            raise SystemExit("the store has no titled statements or speakers to ask about")
        return [f"What did {rng.choice(speakers)} say?" for _ in range(QUESTIONS)]
    questions = []
    for i in range(QUESTIONS):
        statement = rng.choice(titled)
        topic = " ".join(statement["title"].split()[:TITLE_WORDS])
        speaker = statement.get("speaker") or (rng.choice(speakers) if speakers else None)
        if i % 2 and speaker:
            questions.append(f"What did {speaker} say about {topic}?")
        else:
            questions.append(topic)
    return questions


async def warm_up(http: httpx.AsyncClient, path: str, questions: list[str]) -> set[str]:
    """A few requests first, not counted (first calls pay for lazy loading); the answerers
    that replied, for /v1/ask."""
    answerers = set()
    for question in questions[:WARM_UP_REQUESTS]:
        response = await http.post(path, json={"question": question})
        if response.status_code not in SUCCESS:
            raise SystemExit(f"warm-up {path}: {response.status_code}: {response.text[:500]}")
        if answerer := response.json().get("answerer"):
            answerers.add(answerer)
    return answerers


async def measure(
    base: str, headers: dict[str, str], phase: Phase, questions: list[str], seconds: float
) -> None:
    path = ENDPOINTS[phase.endpoint]
    deadline = time.monotonic() + seconds

    async def client(first: int) -> None:
        async with httpx.AsyncClient(
            base_url=base, headers=headers, timeout=TIMEOUT_SECONDS
        ) as http:
            i = first
            while time.monotonic() < deadline:
                body = {"question": questions[i % len(questions)]}
                latency, error = await timed_request(http, "POST", path, SUCCESS, json=body)
                phase.latencies.append(latency)
                if error:
                    phase.errors.append(error)
                i += phase.clients

    began = time.monotonic()
    await asyncio.gather(*(client(c) for c in range(phase.clients)))
    phase.seconds = time.monotonic() - began


async def run(
    server: Server, admin_key: str, endpoints: list[str], clients: int, seconds: float, seed: int
) -> Results:
    headers = {"Authorization": f"Bearer {admin_key}"}
    async with httpx.AsyncClient(
        base_url=server.base, headers=headers, timeout=TIMEOUT_SECONDS
    ) as http:
        stats = (await http.get("/v1/stats")).raise_for_status().json()
        page = (await http.get("/v1/statements", params={"limit": 1000})).raise_for_status()
        index = (await http.get("/v1/speakers", params={"limit": SPEAKERS})).raise_for_status()
        speakers = [s["canonical"] for s in index.json()["speakers"]]
        questions = draw_questions(page.json()["statements"], speakers, seed)
        phases = [Phase(endpoint, clients) for endpoint in endpoints]
        answerers: set[str] = set()
        async with sampling_rss(server.pid) as rss:
            for phase in phases:
                answerers |= await warm_up(http, ENDPOINTS[phase.endpoint], questions)
                await measure(server.base, headers, phase, questions, seconds)
    return Results(stats, answerers, phases, rss)


def report(results: Results, threads: int | None) -> None:
    stats = results.stats
    print(f"machine: {os.cpu_count()} cores, {cpu_model()}")
    print(
        f"store: {stats['statements']} statements, {stats['passages']} passages, "
        f"{stats['speakers']} speakers, {stats['first_date']} to {stats['last_date']}"
    )
    answerers = ", ".join(sorted(results.answerers)) or "-"
    torch = threads if threads is not None else "default"
    print(f"server: torch threads {torch}, answerer {answerers}")
    print(
        f"{'endpoint':<8} {'clients':>7} {'seconds':>7} {'requests':>8} {'req/s':>7} "
        f"{'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    )
    for phase in results.phases:
        ms = [s * 1000 for s in phase.latencies] or [float("nan")]
        print(
            f"{phase.endpoint:<8} {phase.clients:>7} {phase.seconds:>7.1f} "
            f"{len(phase.latencies):>8} {len(phase.latencies) / phase.seconds:>7.1f} "
            f"{len(phase.errors):>6} {percentile(ms, 50):>8.0f} {percentile(ms, 95):>8.0f} "
            f"{percentile(ms, 99):>8.0f}"
        )
    rss = results.rss
    print(
        f"server RSS MB: start {rss[0]:.0f}, peak {max(rss):.0f}, end {rss[-1]:.0f} "
        f"({len(rss)} samples)"
    )
    for phase in results.phases:
        for error in phase.errors[:5]:
            print(f"error {phase.endpoint}: {error}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, help="an existing store, only read")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60, help="per endpoint")
    parser.add_argument("--endpoints", default="search,ask", help="of: search, ask")
    parser.add_argument("--threads", type=int, help="RAG_TORCH_THREADS for the server")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="another server setting, as RAG_NAME (repeatable), e.g. query_cache_size=0",
    )
    args = parser.parse_args()
    endpoints = [e.strip() for e in args.endpoints.split(",") if e.strip()]
    if not endpoints or not set(endpoints) <= ENDPOINTS.keys():
        parser.error(f"--endpoints: a comma-separated list of {', '.join(ENDPOINTS)}")
    if args.clients < 1 or args.seconds <= 0:
        parser.error("--clients must be at least 1 and --seconds more than 0")
    if args.data_dir and not args.data_dir.is_dir():
        parser.error(f"--data-dir: {args.data_dir} is not a directory")

    key, api_key = new_key("service-benchmark", Scope.ADMIN)
    rag = {"torch_threads": str(args.threads)} if args.threads is not None else {}
    rag.update(setting.split("=", 1) for setting in args.setting)
    with tempfile.TemporaryDirectory(prefix="rag-service-", ignore_cleanup_errors=True) as tmp:
        home = Path(tmp)
        env = server_env(home, args.data_dir or home / "data", api_key.entry, **rag)
        if args.data_dir is None:
            ingest_fixtures(env, home)
        with running_server(env, home) as server:
            measuring = run(server, key, endpoints, args.clients, args.seconds, args.seed)
            results = asyncio.run(measuring)
        log_lines = server.log_tail()

    report(results, args.threads)
    failed = sum(len(phase.errors) for phase in results.phases)
    if failed:
        print("server log, last lines:", *log_lines, sep="\n")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
