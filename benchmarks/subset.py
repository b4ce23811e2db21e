"""A smaller store cut from a bigger one, vectors and all (nothing is embedded again).

    python benchmarks/subset.py --from BIG_DATA_DIR --to NEW_DATA_DIR --passages 10000

Whole statements are taken at even steps through the big store's statement ids until
about `--passages` passages are copied, so the subset mixes the corpora as the big
store does. The query benchmark runs on both to show how latency grows with size.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rag.index.catalog import Catalog
from rag.index.store import StatementWrite
from rag.settings import load_settings
from rag.wiring import build_service

BATCH = 100


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--from", dest="source", type=Path, required=True)
    parser.add_argument("--to", dest="target", type=Path, required=True)
    parser.add_argument("--passages", type=int, default=10_000)
    args = parser.parse_args()
    if args.target.exists():
        raise SystemExit(f"{args.target} exists; give a new directory")

    source = build_service(load_settings(data_dir=args.source, _env_file=None))
    target = build_service(load_settings(data_dir=args.target, _env_file=None))
    with source.catalog.reading() as index:
        sizes = {sid: info.passage_count for sid, info in sorted(index.statements.items())}
    wanted = max(1, round(len(sizes) * args.passages / max(1, sum(sizes.values()))))
    step = len(sizes) / wanted
    chosen = [list(sizes)[int(i * step)] for i in range(wanted)]
    copied = 0
    for start in range(0, len(chosen), BATCH):
        copied += copy(source.catalog, target.catalog, chosen[start : start + BATCH])
    target.persist_index()
    print(f"copied {len(chosen)} statements, {copied} passages to {args.target}")


def copy(source: Catalog, target: Catalog, statement_ids: list[str]) -> int:
    texts = {sid: stored.text for sid, stored in source.store.get_many(statement_ids).items()}
    writes = [
        StatementWrite(loaded.info, texts[loaded.info.id], loaded.passages, loaded.vectors)
        for loaded in source.store.read_statements(statement_ids).found.values()
        if loaded is not None
    ]
    target.write(writes)
    return sum(len(w.passages) for w in writes)


if __name__ == "__main__":
    main()
