"""A bigger store made from an existing one, for memory and latency at a size no one has
ingested yet: every statement is stored `--copies` times under new ids, each copy's vectors
nudged a little (so the copies are not exact duplicates for Chroma's index); nothing is
embedded. Or a smaller one: `--passages N` takes whole statements until N passages.

    python benchmarks/grow.py --from DATA_DIR --chroma-url http://127.0.0.1:8000 \\
        --prefix big --copies 4
    python benchmarks/grow.py --from DATA_DIR --chroma-url URL --prefix small --passages 1000

Retrieval quality is not measured on such a store (the copies answer alike); the eval
suites are (evals/README.md).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from rag.index.store import StatementWrite
from rag.settings import load_settings
from rag.types import passage_id
from rag.wiring import build_service

BATCH = 100
NUDGE = 0.01


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--from", dest="source", type=Path, required=True)
    parser.add_argument("--chroma-url", default=None, help="the target Chroma server")
    parser.add_argument("--to", dest="target", type=Path, default=None, help="or a data dir")
    parser.add_argument("--prefix", default="statements")
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--passages", type=int, default=None, help="stop at this many")
    args = parser.parse_args()
    source = build_service(load_settings(data_dir=args.source, _env_file=None))
    target = build_service(
        load_settings(
            data_dir=args.target or args.source / "unused",
            chroma_url=args.chroma_url,
            collection_prefix=args.prefix,
            _env_file=None,
        )
    )
    rng = np.random.default_rng(7)
    ids = sorted(source.store.all_content_hashes())
    started, written = time.perf_counter(), 0
    for copy in range(args.copies):
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            texts = {sid: s.text for sid, s in source.store.get_many(batch).items()}
            writes = []
            for loaded in source.store.read_statements(batch).found.values():
                if loaded is None:
                    continue
                sid = loaded.info.id if copy == 0 else f"{loaded.info.id}~{copy}"
                info = replace(loaded.info, id=sid)
                quotes = tuple(replace(q, statement_id=sid) for q in info.quotes)
                info = replace(info, quotes=quotes)
                passages = [
                    replace(p, id=passage_id(sid, info.content_hash, p.index), statement_id=sid)
                    for p in loaded.passages
                ]
                vectors = loaded.vectors
                if copy:
                    vectors = vectors + NUDGE * rng.standard_normal(vectors.shape, np.float32)
                    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
                writes.append(StatementWrite(info, texts[loaded.info.id], passages, vectors))
            target.store.write(writes)
            written += sum(len(w.passages) for w in writes)
            if args.passages and written >= args.passages:
                break
        if args.passages and written >= args.passages:
            break
    print(f"{written} passages written in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
