"""Check a store from a fresh process: `python -m tests.support.store_check` with
RAG_DATA_DIR (and RAG_CACHE_DIR) set prints a JSON report.

The store's own audit (every committed statement complete, offsets exact, orphans counted)
plus the in-memory index a service builds on opening it: the same statements and passages,
each found by keyword and by its vector. No model is loaded, so a check takes seconds."""

from __future__ import annotations

import json
import sys

import numpy as np

from rag.index.search_index import RowFilter
from rag.settings import load_settings
from rag.wiring import build_service


def check() -> dict[str, object]:
    service = build_service(load_settings(_env_file=None))
    audit = service.store.audit()
    problems = list(audit.problems)
    committed = service.store.all_content_hashes()
    with service.catalog.reading() as index:
        if set(index.statements) != set(committed):
            problems.append(
                f"index holds {len(index.statements)} statements, the store {len(committed)}"
            )
        if index.passage_count != audit.passages:
            problems.append(f"index holds {index.passage_count} passages, store {audit.passages}")
        everything = index.mask(RowFilter())
        for sid, info in index.statements.items():
            if committed.get(sid) != info.content_hash:
                problems.append(f"{sid}: index holds another version than the store")
            rows = index.passages_of(sid)
            if len(rows) != info.passage_count:
                problems.append(f"{sid}: index holds {len(rows)} of {info.passage_count}")
            for passage, vector in rows[:2]:
                by_words = index.keyword(passage.text, everything, 5)
                if passage.id not in {index.passage(hit.row).id for hit in by_words}:
                    problems.append(f"{passage.id}: not found by its own words")
                best = index.dense(np.asarray(vector, dtype=np.float32), everything, 1)
                if not best or best[0].score < 0.999:
                    problems.append(f"{passage.id}: not found by its own vector")
    return {
        "statements": audit.statements,
        "passages": audit.passages,
        "orphans": audit.orphans,
        "problems": problems,
    }


if __name__ == "__main__":
    json.dump(check(), sys.stdout)
