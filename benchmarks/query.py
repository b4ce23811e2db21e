"""Retrieval latency on an existing store: p50/p95/p99 with and without filters.

    python benchmarks/retrieval.py --data-dir DIR [--questions 200] [--threads 1]

Questions are drawn from the store's own statement titles (deterministic), so
any corpus works. The first call of each kind is excluded (model warm-up). It
prints one row per filter kind, plus the index size and the time to open it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from pathlib import Path

from common import percentile

from rag.service import build_service
from rag.settings import load_settings
from rag.types import Filters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--k", type=int, default=6)
    args = parser.parse_args()

    settings = load_settings(data_dir=args.data_dir, torch_threads=args.threads, _env_file=None)
    started = time.perf_counter()
    service = build_service(settings)
    service.warm_up()
    opened = time.perf_counter() - started
    stats = service.stats()
    speakers = [e.canonical for e in service.speakers()[:50]]
    page = service.list_statements(0, 1000)
    titled = [i for i in page.statements if i.title]
    rng = random.Random(5)
    titles = [rng.choice(titled).title or "" for _ in range(args.questions)]

    def filters_for(kind: str, i: int) -> Filters:
        speaker = speakers[i % len(speakers)] if speakers else None
        year = 2021 + i % 4
        since, until = dt.date(year, 1, 1), dt.date(year, 12, 31)
        return {
            "none": Filters(),
            "speaker": Filters(speaker=speaker),
            "dates": Filters(since=since, until=until),
            "speaker+dates": Filters(speaker=speaker, since=since, until=until),
        }[kind]

    print(
        f"store: {stats.statements} statements, {stats.passages} passages, "
        f"{stats.speakers} speakers; opened and warmed up in {opened:.1f} s"
    )
    print(f"{'filters':<16}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'mean ms':>10}")
    for kind in ("none", "speaker", "dates", "speaker+dates"):
        timings: list[float] = []
        for i, title in enumerate(titles):
            query = service.query(title, args.k, filters_for(kind, i))
            t0 = time.perf_counter()
            service.search(query)
            if i:  # the first call warms caches
                timings.append((time.perf_counter() - t0) * 1000)
        print(
            f"{kind:<16}{len(timings):>6}{percentile(timings, 50):>10.1f}"
            f"{percentile(timings, 95):>10.1f}{percentile(timings, 99):>10.1f}"
            f"{statistics.mean(timings):>10.1f}"
        )


if __name__ == "__main__":
    main()
