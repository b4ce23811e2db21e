"""Query latency on existing stores: retrieval with and without filters, whole answers.

    python benchmarks/query.py --data-dir DIR [--questions 200] [--threads 1]
    python benchmarks/query.py --chroma-url URL --prefix P [--backend chroma] ...
        [--encoder auto|torch|openvino-int8] [--precision auto|fp32|bf16] [--http]

For the store it prints the index size, the time to open it and warm up, retrieval
p50/p95/p99 per filter kind (none, speaker, dates, speaker+dates), whole-answer latency
(`Service.ask` with the extractive answerer: retrieval, the decline gate, answering,
citation checks) and the process's resident memory after all that.

Questions are drawn from the store's own statement titles (deterministic), so any
corpus works; the speaker filters cycle through the store's 50 biggest speakers and the
date filters through the years 2021-2024. Every timed call embeds its question afresh:
the query-embedding cache is off. The first call of each kind is excluded (warm-up).

Common-word questions ("security cooperation and peace 7": words most passages hold, so
keyword postings are long and nothing narrows the search) are timed too, unfiltered and
with a speaker; so are common-word questions as people ask them ("What did the President
say about the economy?", unfiltered: 48 distinct ones at most), and embedding a question
alone. `--http` also starts `rag serve` on the store and times the same title, common-word
and asked questions through POST /v1/search, one at a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from common import percentile, rss_mb, running_server, server_env

from rag.interfaces.access import Scope, new_key
from rag.service import Service
from rag.settings import load_settings
from rag.types import Filters
from rag.wiring import build_service

KINDS = ("none", "speaker", "dates", "speaker+dates")
COMMON = (
    "security", "cooperation", "peace", "development", "economic", "support", "people",
    "international", "world", "countries", "government", "climate", "partnership", "future",
    "president", "united",
)  # fmt: skip


SUBJECTS = ("the President", "the Secretary-General", "the Prime Minister", "the minister")
TOPICS = (
    "the economy", "security", "peace", "climate change", "development", "trade", "the war",
    "cooperation", "human rights", "the people", "the future", "support",
)  # fmt: skip


def asked_questions(n: int) -> list[str]:
    """`n` questions of common words as people ask them ("What did the President say about
    the economy?"), none twice: no filter, and each word frequent in the corpora."""
    rng = random.Random(11)
    pairs = [(s, t) for s in SUBJECTS for t in TOPICS]
    rng.shuffle(pairs)
    forms = ("What did {} say about {}?", "What has {} said about {}?", "What did {} say on {}?")
    return [forms[i % len(forms)].format(*pairs[i % len(pairs)]) for i in range(n)]


def common_questions(n: int) -> list[str]:
    """`n` distinct questions of common words, the first the one the issue reported."""
    rng = random.Random(7)
    questions = ["security cooperation and peace 7"]
    while len(questions) < n:
        a, b, c = rng.sample(COMMON, 3)
        questions.append(f"{a} {b} and {c} {len(questions)}")
    return questions


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


def bench(
    args: argparse.Namespace, encoding: dict[str, str]
) -> tuple[list[str], list[str], list[str]]:
    questions, k = args.questions, args.k
    settings = load_settings(
        data_dir=args.data_dir or Path(".rag-data"),
        chroma_url=args.chroma_url,
        collection_prefix=args.prefix,
        search_backend=args.backend,
        torch_threads=args.threads,
        answerer="extractive",
        query_cache_size=0,
        _env_file=None,
        **encoding,
    )
    where = f"{args.chroma_url} ({args.prefix})" if args.chroma_url else args.data_dir
    where = f"{where}, {args.backend} backend"
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
        f"\n{where}: {stats.statements} statements, {stats.passages} passages, "
        f"{stats.speakers} speakers; opened and warmed up in {opened:.1f} s; "
        f"{service.encoder_description}"
    )
    print(f"{'retrieval':<16}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'mean ms':>10}")
    for kind in KINDS:
        queries = [
            service.query(t, k, filters_for(kind, i, speakers)) for i, t in enumerate(titles)
        ]
        print(row(kind, timed([lambda q=q: service.search(q) for q in queries])))
    common = common_questions(questions)
    for kind in ("none", "speaker"):
        queries = [
            service.query(c, k, filters_for(kind, i, speakers)) for i, c in enumerate(common)
        ]
        print(row(f"common, {kind}", timed([lambda q=q: service.search(q) for q in queries])))
    asked = asked_questions(min(questions, len(SUBJECTS) * len(TOPICS)))
    queries = [service.query(a, k) for a in asked]
    print(row("asked, none", timed([lambda q=q: service.search(q) for q in queries])))
    embed = service.embedder.embed
    print(row("embed question", timed([lambda t=t: embed([t]) for t in titles])))
    answers = [service.query(t, k) for t in titles]
    print(row("answer (none)", timed([lambda q=q: service.ask(q) for q in answers])))
    print(f"resident memory: {rss_mb(os.getpid()):.0f} MB")
    return titles, common, asked


def bench_http(
    args: argparse.Namespace,
    cache_dir: Path,
    lists: dict[str, list[str]],
    encoding: dict[str, str],
) -> None:
    """The same questions through `rag serve`, one request at a time (no concurrency)."""
    home = Path(tempfile.mkdtemp(prefix="rag-query-http-"))
    _, api_key = new_key("query-benchmark", Scope.READ)
    store = {"search_backend": args.backend, "collection_prefix": args.prefix}
    if args.chroma_url:
        store["chroma_url"] = args.chroma_url
    env = server_env(
        home,
        args.data_dir or Path(".rag-data").resolve(),
        api_key.entry,
        cache_dir=str(cache_dir),
        torch_threads=str(args.threads),
        query_cache_size="0",
        **store,
        **encoding,
    )
    with running_server(env, home) as server, httpx.Client(base_url=server.base) as http:
        print("\nover HTTP (rag serve, POST /v1/search, k=10, one request at a time)")
        print(f"{'search':<16}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'mean ms':>10}")
        for name, questions in lists.items():
            bodies = [{"question": q, "k": 10} for q in questions]
            calls = [lambda b=b: http.post("/v1/search", json=b).raise_for_status() for b in bodies]
            print(row(name, timed(calls)))
    shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, default=None, help="an embedded store")
    parser.add_argument("--chroma-url", default=None, help="or a Chroma server")
    parser.add_argument("--prefix", default="statements", help="its collection prefix")
    parser.add_argument("--backend", choices=["memory", "chroma"], default="memory")
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--k", type=int, default=6)
    parser.add_argument("--http", action="store_true", help="also time POST /v1/search")
    parser.add_argument("--encoder", default="auto", help="RAG_ENCODER (auto: the store's)")
    parser.add_argument("--precision", default="auto", help="RAG_EMBEDDING_PRECISION (torch)")
    args = parser.parse_args()
    if (args.data_dir is None) == (args.chroma_url is None):
        parser.error("give --data-dir or --chroma-url")
    encoding = {"encoder": args.encoder, "embedding_precision": args.precision}
    titles, common, asked = bench(args, encoding)
    if args.http:
        cache_dir = load_settings(_env_file=None).cache_dir  # where the encoder's export is
        lists = {"titles": titles, "common": common, "asked": asked}
        bench_http(args, cache_dir, lists, encoding)


if __name__ == "__main__":
    main()
