"""Build evals/corpora/seed.jsonl: the seed statement, related real statements, distractors.

    python evals/build_seed_corpus.py [--data ../shared/data]

Deterministic. The questions in evals/seed.jsonl are written by hand against this corpus.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from pathlib import Path

RELATED = {
    # Kenya, Haiti and the Multinational Security Support mission
    "statements-releases/2023-10/2023-10-02-statement-by-national-security-advisor-jake-sullivan-on-un-security-council-resolution-authorizing-a-multinational-security-support-mission-for-haiti",
    "statements-releases/2023-10/2023-10-03-readout-of-president-bidens-call-with-president-william-ruto-of-kenya",
    "statements-releases/2024-06/2024-06-25-statement-by-president-joe-biden-on-the-deployment-of-the-multinational-security-support-mission-to-haiti",
    "statements-releases/2025-01/2025-01-08-readout-of-vice-president-harriss-call-with-president-william-ruto-of-kenya",
    # Hard distractors: other statements that mention Haiti
    "statements-releases/2024-09/2024-09-17-readout-of-principal-deputy-national-security-advisor-jon-finers-call-with-president-irfaan-ali-of-guyana-2",
    "statements-releases/2024-01/2024-01-11-readout-of-senior-advisor-to-the-president-and-director-of-the-office-of-intergovernmental-affairs-tom-perezs-visit-to-the-dominican-republic",
    "statements-releases/2024-05/2024-05-21-readout-of-vice-president-kamala-harris-meeting-with-prime-minister-trudeau-of-canada",
    "statements-releases/2023-08/2023-08-10-readout-of-national-security-advisor-jake-sullivans-meeting-with-secretary-of-foreign-affairs-of-mexico-alicia-barcena-ibarra",
}
UN_SPEECHES = {"KEN_78_2023", "KEN_79_2024", "HTI_78_2023", "JAM_78_2023", "USA_78_2023"}
RANDOM_DISTRACTORS = 30
SEED_RECORD = {
    "id": "ruto-rubio-call",
    "title": "President Ruto on his call with US Secretary of State Marco Rubio",
    "speaker": "William Ruto",
    "source": "news text given with the project brief (shared/data/seed/ruto-rubio-call.txt)",
}


def _records(path: Path) -> list[dict[str, object]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("evals/corpora/seed.jsonl"))
    args = parser.parse_args()

    seed_text = (args.data / "seed" / "ruto-rubio-call.txt").read_text(encoding="utf-8")
    corpus = [{**SEED_RECORD, "text": seed_text}]
    statements = _records(args.data / "whitehouse" / "statements.jsonl.gz")
    corpus += [r for r in statements if r["id"] in RELATED]
    others = sorted(
        (r for r in statements if r["id"] not in RELATED and len(str(r["text"])) < 4000),
        key=lambda r: str(r["id"]),
    )
    corpus += random.Random(17).sample(others, RANDOM_DISTRACTORS)
    speeches = _records(args.data / "ungdc" / "speeches_2015_2024.jsonl.gz")
    corpus += [r for r in speeches if r["id"] in UN_SPEECHES]
    missing = (RELATED | UN_SPEECHES) - {str(r["id"]) for r in corpus}
    if missing:
        raise SystemExit(f"not found in {args.data}: {sorted(missing)}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        for record in corpus:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(corpus)} statements -> {args.out}")


if __name__ == "__main__":
    main()
