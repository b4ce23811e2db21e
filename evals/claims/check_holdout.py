"""Check a holdout claim set (claims-holdout*.jsonl, passages-holdout*.jsonl) and print its counts.

    python3 evals/claims/check_holdout.py [--set holdout|holdout2|holdout3] [--data ../shared/data]

Runs the same file checks as check_set.py (ids, citations, markers, labels, planted passages,
verbatim quotes of supported claims; with --data, excerpts verbatim in their records) and adds
what makes the set a holdout: its claim and passage ids are not used by any earlier set (the
dev/test set and every holdout written before it), and none of its statements (by record id,
by URL slug, or by title and date) is one an earlier set's passages come from. Reads only the
ids, statements and titles of the earlier sets. Standard library only; exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from check_set import HERE, KINDS, check, check_sources, read_jsonl, sentence_count


@dataclass(frozen=True)
class ClaimFiles:
    """One labelled set: its passages file and its claims files."""

    name: str
    passages: str
    claims: tuple[str, ...]


DEV_TEST = ClaimFiles("dev/test", "passages.jsonl", ("claims-dev.jsonl", "claims-test.jsonl"))
HOLDOUT = ClaimFiles("holdout", "passages-holdout.jsonl", ("claims-holdout.jsonl",))
HOLDOUT2 = ClaimFiles("holdout2", "passages-holdout2.jsonl", ("claims-holdout2.jsonl",))
HOLDOUT3 = ClaimFiles("holdout3", "passages-holdout3.jsonl", ("claims-holdout3.jsonl",))
# Each holdout, the sets written before it (it shares nothing with them), and its minimums
# ("failure kind" for every failure kind not named on its own).
HOLDOUTS = {
    "holdout": (HOLDOUT, (DEV_TEST,), {"all": 330, "supported": 150, "failure kind": 13}),
    "holdout2": (HOLDOUT2, (DEV_TEST, HOLDOUT), {"all": 300, "supported": 135, "failure kind": 13}),
    "holdout3": (
        HOLDOUT3,
        (DEV_TEST, HOLDOUT, HOLDOUT2),
        {
            "all": 380,
            "supported": 170,
            "failure kind": 13,
            "swap": 40,
            "negation": 40,
            "injected_instruction": 40,
        },
    ),
}


def slug(statement: str) -> str:
    """A record id's last part without a republication suffix ("-2"); it starts with the date."""
    return re.sub(r"-\d{1,2}$", "", statement.rsplit("/", 1)[-1])


def disjoint(
    passages: list[dict],
    claims: list[dict],
    earlier: str,
    old_passages: list[dict],
    old_claim_ids: set[str],
) -> list[str]:
    """What the set shares with the earlier set named `earlier`: ids, statements, titles."""
    errors = []
    old_ids = {p["passage"] for p in old_passages}
    old_statements = {p["statement"] for p in old_passages}
    old_slugs = {slug(s) for s in old_statements}
    old_titles = {(p["title"].casefold(), p["date"]) for p in old_passages}
    for p in passages:
        if p["passage"] in old_ids:
            errors.append(f"passage {p['passage']}: id already used by the {earlier} set")
        if p["statement"] in old_statements or slug(p["statement"]) in old_slugs:
            errors.append(
                f"passage {p['passage']}: statement {p['statement']} is in the {earlier} set"
            )
        if (p["title"].casefold(), p["date"]) in old_titles:
            errors.append(
                f"passage {p['passage']}: {p['title']!r} of {p['date']} is in the {earlier} set"
            )
    for c in claims:
        if c["claim"] in old_claim_ids:
            errors.append(f"claim {c['claim']}: id already used by the {earlier} set")
    return errors


def table(
    name: str, passages: list[dict], claims: list[dict], minimum: dict[str, int]
) -> tuple[str, list[str]]:
    counts = Counter(c["kind"] for c in claims)
    lines = [f"| kind | {name} |", "|---|---:|"]
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
    if len(claims) < minimum["all"]:
        errors.append(f"{len(claims)} claims, fewer than {minimum['all']}")
    for kind in KINDS:
        need = minimum.get(kind, minimum["failure kind"])
        if counts[kind] < need:
            errors.append(f"kind {kind}: {counts[kind]} claims, fewer than {need}")
    return "\n".join(lines), errors


def read_set(folder: Path, files: ClaimFiles) -> tuple[list[dict], list[dict]]:
    claims = [c for name in files.claims for c in read_jsonl(folder / name)]
    return read_jsonl(folder / files.passages), claims


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=HERE, help="folder holding the claim sets")
    parser.add_argument("--set", choices=sorted(HOLDOUTS), default="holdout", help="which holdout")
    parser.add_argument(
        "--data", type=Path, help="../shared/data: also check excerpts are verbatim"
    )
    args = parser.parse_args(argv)

    files, earlier_sets, minimum = HOLDOUTS[args.set]
    passages, claims = read_set(args.dir, files)
    errors = check(passages, {files.name: claims})
    for earlier in earlier_sets:
        old_passages, old_claims = read_set(args.dir, earlier)
        old_claim_ids = {c["claim"] for c in old_claims}
        errors += disjoint(passages, claims, earlier.name, old_passages, old_claim_ids)
    text, count_errors = table(files.name, passages, claims, minimum)
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
