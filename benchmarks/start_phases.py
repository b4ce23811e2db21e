"""Where a cold start's time goes: each phase of opening a store and answering, in order.

    python benchmarks/start_phases.py --data-dir DIR [--question "..."]

In one process, sequentially and with the GC on (so the phases add up; `rag ask` itself
overlaps the model with the index and turns the GC off): imports, the ChromaDB client and
collections, the search index (snapshot, or a rebuild from Chroma), the speaker and
republication indexes, the embedding model, one answer. Prints the clock at the end of each.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402 (the clock starts before the imports it measures)
from pathlib import Path  # noqa: E402

from rag.settings import load_settings  # noqa: E402
from rag.wiring import build_service  # noqa: E402


def mark(phase: str) -> None:
    print(f"{time.perf_counter() - STARTED:6.2f} s  {phase}", flush=True)


def main() -> None:
    mark("Python and rag.service imports")
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--question", default="What did the President say about Haiti?")
    args = parser.parse_args()
    settings = load_settings(data_dir=args.data_dir, answerer="extractive", _env_file=None)
    service = build_service(settings)
    mark("ChromaDB client and collections")
    with service.catalog.reading():
        pass
    mark("search index")
    service.catalog.speakers()
    service.catalog.duplicates()
    mark("speaker and republication indexes")
    service.embedder.embed(["warm up"])
    mark("embedding model")
    service.ask(service.query(args.question))
    mark("the answer")


if __name__ == "__main__":
    main()
