"""Ingest throughput next to the model's own: how close ingestion is to its compute limit.

    python benchmarks/ingest.py [--statements 400] [--threads 0] [--data ../shared/data]
        [--cache-dir DIR] [--no-reference]

It reads the White House statements and the UN General Debate speeches, takes
`--statements` of them spread evenly over both corpora (0: all of them, ~90k passages,
hours on 2 cores), and ingests them into a new temporary store with the service's real
ingester (chunk, attribute, quotations, fingerprint, embed, write to ChromaDB, index).
In the same process and with the same model and settings, it times the model alone on
exactly the texts the ingester embeds, once before the ingest and once after (their mean
is the raw rate, so drift over the run counts on both sides), with the encoder the service
chooses (RAG_ENCODER, RAG_EMBEDDING_PRECISION: openvino-int8 or the plain-torch BERT); then
`SentenceTransformer.encode` (torch fp32) on the same texts, for reference (`--no-reference`
skips it: at fp32 speed it takes longer than the rest of an int8 run). It prints

  - ingest passages/s end to end, raw encode passages/s, and their ratio (goal >= 0.9),
    and the ratio to `SentenceTransformer.encode`;
  - the time to ingest the same statements again (all unchanged: nothing is embedded)
    and how many times faster than the first ingest that is (goal >= 20);
  - peak resident memory during the ingest (ru_maxrss before the raw-encode phase).

The model is loaded before any timing starts. Where the statements of the slice come
from is printed, so a run can be repeated exactly.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import tempfile
import time
from pathlib import Path

from rag.embedding.embedder import SentenceTransformerEmbedder, bundled_model_path, embedding_text
from rag.ingest.chunking import ChunkConfig, chunk_statement
from rag.ingest.files import load_paths
from rag.settings import Settings, load_settings
from rag.text.tokens import get_tokenizer
from rag.types import Statement
from rag.wiring import build_embedder, build_service, model_wordpieces

REPO = Path(__file__).resolve().parent.parent
CORPORA = ("whitehouse/statements.jsonl.gz", "ungdc/speeches_2015_2024.jsonl.gz")


def spread(statements: list[Statement], n: int) -> list[Statement]:
    """`n` statements at even steps through the list (all of them when n is 0 or more)."""
    if not n or n >= len(statements):
        return statements
    step = len(statements) / n
    return [statements[int(i * step)] for i in range(n)]


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def sentence_transformers_seconds(texts: list[str], batch_size: int) -> float | None:
    """Seconds `SentenceTransformer.encode` takes for `texts` with the bundled model (the
    service embeds with rag.embedding.bert, which computes the same vectors)."""
    if load_settings(_env_file=None).embedding_model is not None:
        return None
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(bundled_model_path(), device="cpu")
    model.encode(texts[:batch_size], batch_size=batch_size)  # warm-up
    started = time.perf_counter()
    model.encode(texts, batch_size=batch_size, normalize_embeddings=True)
    return time.perf_counter() - started


def embedded_texts(statements: list[Statement], settings: Settings) -> list[str]:
    """What the ingester will embed for these statements (checked after the ingest)."""
    tokenizer = get_tokenizer(settings.cache_dir)
    chunking = ChunkConfig(settings.chunk_max_tokens, settings.chunk_overlap_tokens)
    unhashed = "0" * 64  # a content hash shapes passage ids only, not what is embedded
    wordpieces = model_wordpieces(settings)
    return [
        embedding_text(p)
        for s in statements
        for p in chunk_statement(s, unhashed, tokenizer, chunking, wordpieces)
    ]


def seconds_to_embed(embedder: SentenceTransformerEmbedder, texts: list[str]) -> float:
    started = time.perf_counter()
    embedder.embed(texts)
    return time.perf_counter() - started


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--statements", type=int, default=400, help="0: every statement")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch decides)")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--keep", type=Path, help="keep the store in this directory")
    parser.add_argument(
        "--cache-dir", type=Path, help="RAG_CACHE_DIR (keeps the int8 export between runs)"
    )
    parser.add_argument(
        "--no-reference", action="store_true", help="skip SentenceTransformer.encode"
    )
    args = parser.parse_args()

    statements = spread(load_paths([args.data / c for c in CORPORA]), args.statements)
    home = Path(tempfile.mkdtemp(prefix="rag-ingest-bench-"))
    data_dir = args.keep or home / "data"
    settings = load_settings(
        data_dir=data_dir,
        cache_dir=args.cache_dir or home / "cache",
        torch_threads=args.threads,
        _env_file=None,
    )
    embedder = build_embedder(settings)  # RAG_ENCODER, RAG_EMBEDDING_PRECISION as the service
    embedder.load()
    service = build_service(settings, embedder)
    print(f"machine: {machine()}")
    print(
        f"slice: {len(statements)} statements spread evenly over {', '.join(CORPORA)}; "
        f"torch threads {args.threads or 'auto'}, batch {settings.embedding_batch_size}, "
        f"{embedder.describe}"
    )

    texts = embedded_texts(statements, settings)
    raw_before = seconds_to_embed(embedder, texts)
    first = service.ingest(statements)
    peak = peak_rss_mb()
    again = service.ingest(statements)
    raw_after = seconds_to_embed(embedder, texts)
    with service.catalog.reading() as index:
        stored = [embedding_text(p) for s in statements for p, _ in index.passages_of(s.id)]
    if sorted(stored) != sorted(texts):
        raise SystemExit("the texts timed raw are not the texts the ingester embedded")
    reference = (
        None
        if args.no_reference
        else sentence_transformers_seconds(texts, settings.embedding_batch_size)
    )
    shutil.rmtree(home, ignore_errors=True)

    ingest_rate = first.passages / first.seconds
    raw_rate = 2 * len(texts) / (raw_before + raw_after)
    print(f"ingest:     {first.passages} passages in {first.seconds:.1f} s = {ingest_rate:.1f}/s")
    print(
        f"raw encode: {len(texts)} passages in {raw_before:.1f} s before the ingest and "
        f"{raw_after:.1f} s after = {raw_rate:.1f}/s"
    )
    print(f"ratio ingest/raw: {ingest_rate / raw_rate:.3f} (goal >= 0.9)")
    if reference is not None:
        st_rate = len(texts) / reference
        print(
            f"SentenceTransformer.encode: {reference:.1f} s = {st_rate:.1f}/s; "
            f"ratio ingest/that: {ingest_rate / st_rate:.3f}"
        )
    print(
        f"re-ingest unchanged: {again.unchanged} statements in {again.seconds:.2f} s, "
        f"{first.seconds / again.seconds:.0f}x faster (goal >= 20)"
    )
    print(f"peak RSS during ingest: {peak:.0f} MB")


if __name__ == "__main__":
    main()
