"""Build the corpus shared by the hand-written suites (questions-hard, reading) from ../shared/data.

The corpus holds every gold statement named by those suites (White House, UN, or the seed
statement in evals/corpora/seed.jsonl) plus a fixed random sample of White
House statements, White House remarks and UN General Debate speeches as distractors. A case may
list `absent_ids`: statements its question is about that must NOT be in the store (a speech the
question names but the store does not hold); those are left out even when drawn as distractors.
Records are copied verbatim from the source files, in source order; the generator is seeded, so a
rebuild from the same suites gives the same bytes.

    python evals/build_hard_corpus.py [--data ../shared/data] [--statements 600] [--remarks 200]
        [--speeches 400] [--seed 29]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from pathlib import Path

EVALS_DIR = Path(__file__).resolve().parent
DEFAULT_DATA = EVALS_DIR.parent.parent / "shared" / "data"
SUITES = (
    "questions-hard.jsonl",
    "questions-hard-test.jsonl",
    "reading.jsonl",
    "reading-test.jsonl",
)
CORPUS_PATH = EVALS_DIR / "corpora" / "hard.jsonl.gz"
# The seed statement (President Ruto on his call with Secretary Rubio) is drawn only when gold.
SEED_PATH = EVALS_DIR / "corpora" / "seed.jsonl"
SOURCES = (
    ("statements", "whitehouse/statements.jsonl.gz"),
    ("remarks", "whitehouse/remarks.jsonl.gz"),
    ("speeches", "ungdc/speeches_2015_2024.jsonl.gz"),
)


def _suite_ids() -> tuple[set[str], set[str]]:
    """Gold ids every suite needs, and ids some case needs absent."""
    gold: set[str] = set()
    absent: set[str] = set()
    for name in SUITES:
        path = EVALS_DIR / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            gold.update(case.get("gold_doc_ids") or ())
            absent.update(case.get("absent_ids") or ())
    clash = gold & absent
    if clash:
        raise SystemExit(f"ids both gold and absent: {sorted(clash)}")
    return gold, absent


def build(data: Path, sizes: dict[str, int], seed: int) -> tuple[list[str], set[str]]:
    gold, absent = _suite_ids()
    rng = random.Random(seed)
    lines: list[str] = []
    found: set[str] = set()
    for kind, relative in (*SOURCES, ("seed", None)):
        path = SEED_PATH if relative is None else data / relative
        opener = open if relative is None else gzip.open
        with opener(path, "rt", encoding="utf-8") as handle:
            source = [line.rstrip("\n") for line in handle if line.strip()]
        ids = [json.loads(line)["id"] for line in source]
        drawn = set(rng.sample(range(len(source)), sizes.get(kind, 0)))
        for index, (line, record_id) in enumerate(zip(source, ids, strict=True)):
            # evals/corpora/seed.jsonl repeats some White House and UN records: keep one copy.
            if record_id in absent or record_id in found:
                continue
            if index in drawn or record_id in gold:
                lines.append(line)
                found.add(record_id)
    return lines, gold - found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--statements", type=int, default=600)
    parser.add_argument("--remarks", type=int, default=200)
    parser.add_argument("--speeches", type=int, default=400)
    parser.add_argument("--seed", type=int, default=29)
    args = parser.parse_args()
    sizes = {"statements": args.statements, "remarks": args.remarks, "speeches": args.speeches}
    lines, missing = build(args.data, sizes, args.seed)
    if missing:
        raise SystemExit(f"gold ids not in the source files: {sorted(missing)}")
    CORPUS_PATH.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(CORPUS_PATH, "wb", mtime=0) as out:
        out.write(("\n".join(lines) + "\n").encode("utf-8"))
    print(f"{CORPUS_PATH}: {len(lines)} statements")


if __name__ == "__main__":
    main()
