"""Check the holdout claim set (claims-holdout.jsonl, passages-holdout.jsonl) and print its counts.

    python3 evals/claims/check_holdout.py [--data ../shared/data]

Runs the same file checks as check_set.py (ids, citations, markers, labels, planted passages,
verbatim quotes of supported claims; with --data, excerpts verbatim in their records) and adds
what makes the set a holdout: its claim and passage ids are not used by the dev/test set, and
none of its statements (by record id, by URL slug, or by title and date) is one the dev/test
passages come from. Reads only the ids, statements and titles of the dev/test files. Standard
library only; exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

from check_set import HERE, KINDS, check, check_sources, read_jsonl, sentence_count

MINIMUM = {"all": 330, "supported": 150, "failure kind": 13}


def slug(statement: str) -> str:
    """A record id's last part without a republication suffix ("-2"); it starts with the date."""
    return re.sub(r"-\d{1,2}$", "", statement.rsplit("/", 1)[-1])


def disjoint(
    passages: list[dict], claims: list[dict], old_passages: list[dict], old_claim_ids: set[str]
) -> list[str]:
    errors = []
    old_ids = {p["passage"] for p in old_passages}
    old_statements = {p["statement"] for p in old_passages}
    old_slugs = {slug(s) for s in old_statements}
    old_titles = {(p["title"].casefold(), p["date"]) for p in old_passages}
    for p in passages:
        if p["passage"] in old_ids:
            errors.append(f"passage {p['passage']}: id already used by passages.jsonl")
        if p["statement"] in old_statements or slug(p["statement"]) in old_slugs:
            errors.append(
                f"passage {p['passage']}: statement {p['statement']} is in the dev/test set"
            )
        if (p["title"].casefold(), p["date"]) in old_titles:
            errors.append(
                f"passage {p['passage']}: {p['title']!r} of {p['date']} is in the dev/test set"
            )
    for c in claims:
        if c["claim"] in old_claim_ids:
            errors.append(f"claim {c['claim']}: id already used by claims-dev/test")
    return errors


def table(passages: list[dict], claims: list[dict]) -> tuple[str, list[str]]:
    counts = Counter(c["kind"] for c in claims)
    lines = ["| kind | holdout |", "|---|---:|"]
    lines += [f"| {kind} | {counts[kind]} |" for kind in KINDS]
    lines.append(f"| **all** | {len(claims)} |")
    supported = [c for c in claims if c["kind"] == "supported"]
    real = [p for p in passages if not p.get("planted")]
    lines.append("")
    lines.append(
        f"passages: {len(passages)} ({len(passages) - len(real)} planted), "
        f"statements: {len({p['statement'] for p in real})}, "
        f"one-sentence supported: {sum(sentence_count(c['answer']) == 1 for c in supported)}, "
        f"two-passage supported: {sum(len(c['cited']) >= 2 for c in supported)}"
    )
    errors = []
    if len(claims) < MINIMUM["all"]:
        errors.append(f"{len(claims)} claims, fewer than {MINIMUM['all']}")
    for kind in KINDS:
        need = MINIMUM["supported"] if kind == "supported" else MINIMUM["failure kind"]
        if counts[kind] < need:
            errors.append(f"kind {kind}: {counts[kind]} claims, fewer than {need}")
    return "\n".join(lines), errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=HERE, help="folder holding the claim sets")
    parser.add_argument(
        "--data", type=Path, help="../shared/data: also check excerpts are verbatim"
    )
    args = parser.parse_args(argv)

    passages = read_jsonl(args.dir / "passages-holdout.jsonl")
    claims = read_jsonl(args.dir / "claims-holdout.jsonl")
    old_passages = read_jsonl(args.dir / "passages.jsonl")
    old_claim_ids = {
        c["claim"]
        for split in ("dev", "test")
        for c in read_jsonl(args.dir / f"claims-{split}.jsonl")
    }
    errors = check(passages, {"holdout": claims})
    errors += disjoint(passages, claims, old_passages, old_claim_ids)
    text, count_errors = table(passages, claims)
    errors += count_errors
    if args.data:
        errors += check_sources(passages, args.data)
    print(text)
    for error in errors:
        print(f"FAIL {error}", file=sys.stderr)
    print(
        f"{len(errors)} problem(s)"
        if errors
        else "all checks passed" + (" (excerpts verified against the data)" if args.data else "")
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
