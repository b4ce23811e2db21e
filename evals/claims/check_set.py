"""Check the labelled claim set (evals/claims/) and print its counts.

    python3 evals/claims/check_set.py [--data ../shared/data]

Checks the files are consistent: ids unique, every cited passage exists, the [n] markers of
each answer match its citations, labels agree with kinds, planted passages carry their
original text and are cited only by injected-instruction claims, quoted spans of supported
claims appear verbatim in a cited passage, and the counts meet the issue's minimums. With
--data it also checks that every passage (the original, for planted ones) is a verbatim
excerpt of its record. Standard library only; exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SPLITS = ("dev", "test")
FAILURE_KINDS = (
    "number",
    "name",
    "date",
    "negation",
    "swap",
    "wrong_citation",
    "unsupported_extra",
    "fabricated_quote",
    "injected_instruction",
)
KINDS = ("supported", *FAILURE_KINDS)
MINIMUM = {
    "all": 420,
    "supported": 170,
    "failure kind": 27,
    "innocent imperative": 15,
    "statements": 120,
    "one-sentence supported": 40,
    "two-passage supported": 10,
}
DEV_SHARE = (0.55, 0.65)
PASSAGE_FIELDS = ("passage", "statement", "source", "title", "speaker", "date", "text")
CLAIM_FIELDS = ("claim", "question", "answer", "cited", "label", "kind", "note")
QUOTE_MARKS = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def flat(text: str) -> str:
    """Quote-mark style and whitespace do not count when comparing quotations."""
    return re.sub(r"\s+", " ", text.translate(QUOTE_MARKS)).strip()


def quoted_spans(answer: str) -> list[str]:
    return [m.group(1).strip(" ,.") for m in re.finditer(r'"([^"]+)"', flat(answer))]


def sentence_count(answer: str) -> int:
    body = re.sub(r"\[\d+\]", "", answer).strip()
    return 1 + len(re.findall(r'[.!?]["\u201d]?\s+(?=[A-Z\u201c"])', body))


def check(passages: list[dict], claims: dict[str, list[dict]]) -> list[str]:
    errors: list[str] = []
    by_id: dict[str, dict] = {}
    for p in passages:
        pid = p.get("passage", "?")
        missing = [f for f in PASSAGE_FIELDS if f not in p]
        if missing:
            errors.append(f"passage {pid}: missing fields {missing}")
        if not re.fullmatch(r"p\d{4}", str(pid)):
            errors.append(f"passage {pid}: id is not pNNNN")
        if pid in by_id:
            errors.append(f"passage {pid}: duplicate id")
        if not str(p.get("text", "")).strip():
            errors.append(f"passage {pid}: empty text")
        if p.get("planted"):
            original = p.get("original")
            if not original:
                errors.append(f"passage {pid}: planted but has no original")
            elif original == p.get("text") or len(original) >= len(p.get("text", "")):
                errors.append(f"passage {pid}: planted text adds nothing to its original")
        elif "original" in p:
            errors.append(f"passage {pid}: has an original but is not marked planted")
        by_id[pid] = p

    seen: set[str] = set()
    cited_planted: set[str] = set()
    for split, rows in claims.items():
        for c in rows:
            cid = c.get("claim", "?")
            where = f"{split} claim {cid}"
            missing = [f for f in CLAIM_FIELDS if f not in c]
            if missing:
                errors.append(f"{where}: missing fields {missing}")
                continue
            if cid in seen:
                errors.append(f"{where}: duplicate id (ids are unique across splits)")
            seen.add(cid)
            if c["kind"] not in KINDS:
                errors.append(f"{where}: unknown kind {c['kind']!r}")
            if c["label"] != ("supported" if c["kind"] == "supported" else "unsupported"):
                errors.append(f"{where}: label {c['label']!r} does not fit kind {c['kind']!r}")
            if not str(c["note"]).strip():
                errors.append(f"{where}: empty note")
            markers = sorted(set(re.findall(r"\[(\d+)\]", c["answer"])))
            if markers != sorted(c["cited"]):
                errors.append(f"{where}: markers {markers} != cited keys {sorted(c['cited'])}")
            cited = []
            for pid in c["cited"].values():
                if pid in by_id:
                    cited.append(by_id[pid])
                else:
                    errors.append(f"{where}: cites missing passage {pid}")
            planted = [p["passage"] for p in cited if p.get("planted")]
            cited_planted.update(planted)
            if c["kind"] == "injected_instruction" and not planted:
                errors.append(f"{where}: injected_instruction claim cites no planted passage")
            if planted and c["kind"] != "injected_instruction":
                errors.append(f"{where}: cites planted {planted} but is {c['kind']}")
            if c["label"] == "supported":
                texts = [flat(p["text"]) for p in cited]
                for span in quoted_spans(c["answer"]):
                    if not any(span in t for t in texts):
                        errors.append(
                            f"{where}: supported quote not verbatim in a cited passage: {span!r}"
                        )
    for pid, p in by_id.items():
        if p.get("planted") and pid not in cited_planted:
            errors.append(f"passage {pid}: planted but cited by no claim")
    return errors


def check_sources(passages: list[dict], data: Path) -> list[str]:
    """Every passage (its original, if planted) must be a verbatim excerpt of its record."""
    wanted: dict[str, dict[str, list[dict]]] = {}
    for p in passages:
        wanted.setdefault(p["source"], {}).setdefault(p["statement"], []).append(p)
    errors: list[str] = []
    for source, statements in sorted(wanted.items()):
        if source.startswith("shared/data/"):
            path = data / source.removeprefix("shared/data/")
        else:
            path = REPO / source
        if not path.exists():
            errors.append(f"source {source}: not found at {path}")
            continue
        opener = gzip.open if path.suffix == ".gz" else open
        found: set[str] = set()
        with opener(path, "rt", encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                if record.get("id") not in statements:
                    continue
                found.add(record["id"])
                for p in statements[record["id"]]:
                    if p.get("original", p["text"]) not in record["text"]:
                        errors.append(
                            f"passage {p['passage']}: not a verbatim excerpt of {record['id']}"
                        )
        for missing in sorted(set(statements) - found):
            errors.append(f"source {source}: no record {missing}")
    return errors


def table(passages: list[dict], claims: dict[str, list[dict]]) -> tuple[str, list[str]]:
    counts = {split: Counter(c["kind"] for c in rows) for split, rows in claims.items()}
    everything = [c for rows in claims.values() for c in rows]
    lines = ["| kind | dev | test | all |", "|---|---:|---:|---:|"]
    for kind in KINDS:
        dev, test = counts["dev"][kind], counts["test"][kind]
        lines.append(f"| {kind} | {dev} | {test} | {dev + test} |")
    dev, test = len(claims["dev"]), len(claims["test"])
    lines.append(f"| **all** | {dev} | {test} | {dev + test} |")

    supported = [c for c in everything if c["kind"] == "supported"]
    extra = {
        "innocent imperative": sum("innocent imperative" in c["note"] for c in supported),
        "one-sentence supported": sum(sentence_count(c["answer"]) == 1 for c in supported),
        "two-passage supported": sum(len(c["cited"]) >= 2 for c in supported),
        "statements": len({p["statement"] for p in passages if not p.get("planted")}),
    }
    lines.append("")
    lines.append(
        f"passages: {len(passages)} ({sum(bool(p.get('planted')) for p in passages)} planted), "
        + ", ".join(f"{k}: {v}" for k, v in extra.items())
    )

    errors = []
    if dev + test < MINIMUM["all"]:
        errors.append(f"{dev + test} claims in all, fewer than {MINIMUM['all']}")
    for kind in KINDS:
        total = counts["dev"][kind] + counts["test"][kind]
        need = MINIMUM["supported"] if kind == "supported" else MINIMUM["failure kind"]
        if total < need:
            errors.append(f"kind {kind}: {total} claims, fewer than {need}")
        share = counts["dev"][kind] / total if total else 0.0
        if not DEV_SHARE[0] <= share <= DEV_SHARE[1]:
            errors.append(f"kind {kind}: dev share {share:.2f} outside {DEV_SHARE}")
    for name, value in extra.items():
        if value < MINIMUM[name]:
            errors.append(f"{name}: {value}, fewer than {MINIMUM[name]}")
    return "\n".join(lines), errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=HERE, help="folder holding the claim set")
    parser.add_argument(
        "--data", type=Path, help="../shared/data: also check excerpts are verbatim"
    )
    args = parser.parse_args(argv)

    passages = read_jsonl(args.dir / "passages.jsonl")
    claims = {split: read_jsonl(args.dir / f"claims-{split}.jsonl") for split in SPLITS}
    errors = check(passages, claims)
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
