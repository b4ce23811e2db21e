"""Query latency on existing stores: retrieval with and without filters, whole answers.

    python benchmarks/query.py --data-dir DIR [--questions 200] [--threads 1]

For the store it prints the index size, the time to open it and warm up, retrieval
p50/p95/p99 per filter kind (none, speaker, dates, speaker+dates), whole-answer latency
(`Service.ask` with the extractive answerer: retrieval, the decline gate, answering,
citation checks) and the process's resident memory after all that.

Questions are drawn from the store's own statement titles (deterministic), so any
corpus works; the speaker filters cycle through the store's 50 biggest speakers and the
date filters through the years 2021-2024. Every timed call embeds its question afresh:
the query-embedding cache is off. The first call of each kind is excluded (warm-up).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from common import percentile, rss_mb

from rag.service import Service
from rag.settings import load_settings
from rag.types import Filters
from rag.wiring import build_service

KINDS = ("none", "speaker", "dates", "speaker+dates")


def filters_for(kind: str, i: int, speakers: list[str]) -> Filters:
    speaker = speakers[i % len(speakers)] if speakers else None
    year = 2021 + i % 4
    since, until = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return {
        "none": Filters(),
        "speaker": Filters(speaker=speaker),
        "dates": Filters(since=since, until=until),
        "speaker+dates": Filters(speaker=speaker, since=since, until=until),
    }[kind]


def row(name: str, timings: list[float]) -> str:
    return (
        f"{name:<16}{len(timings):>6}{percentile(timings, 50):>10.1f}"
        f"{percentile(timings, 95):>10.1f}{percentile(timings, 99):>10.1f}"
        f"{statistics.mean(timings):>10.1f}"
    )


def timed(calls: list[Callable[[], object]]) -> list[float]:
    """Milliseconds of each call but the first (which warms caches)."""
    timings = []
    for i, call in enumerate(calls):
        started = time.perf_counter()
        call()
        if i:
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def bench(data_dir: Path, questions: int, threads: int, k: int) -> None:
    settings = load_settings(
        data_dir=data_dir,
        torch_threads=threads,
        answerer="extractive",
        query_cache_size=0,
        _env_file=None,
    )
    started = time.perf_counter()
    service: Service = build_service(settings)
    service.warm_up()
    opened = time.perf_counter() - started
    stats = service.stats()
    speakers = [e.canonical for e in service.speakers()[:50]]
    titled = [i for i in service.list_statements(0, 1000).statements if i.title]
    rng = random.Random(5)
    titles = [rng.choice(titled).title or "" for _ in range(questions)]

    print(
        f"\n{data_dir}: {stats.statements} statements, {stats.passages} passages, "
        f"{stats.speakers} speakers; opened and warmed up in {opened:.1f} s"
    )
    print(f"{'retrieval':<16}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'mean ms':>10}")
    for kind in KINDS:
        queries = [
            service.query(t, k, filters_for(kind, i, speakers)) for i, t in enumerate(titles)
        ]
        print(row(kind, timed([lambda q=q: service.search(q) for q in queries])))
    answers = [service.query(t, k) for t in titles]
    print(row("answer (none)", timed([lambda q=q: service.ask(q) for q in answers])))
    print(f"resident memory: {rss_mb(os.getpid()):.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--k", type=int, default=6)
    args = parser.parse_args()
    bench(args.data_dir, args.questions, args.threads, args.k)


if __name__ == "__main__":
    main()
