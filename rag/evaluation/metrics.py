"""Per-case results and the suite metrics computed from them (defined in evals/README.md)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rag.evaluation.reading import ReadingCheck

RANK_CUTOFF = 10


@dataclass(frozen=True, slots=True)
class CaseResult:
    id: str
    question: str
    answerable: bool
    gold_doc_ids: tuple[str, ...]
    ranked_statement_ids: tuple[str, ...]
    """Statements in the order their first passage was retrieved (up to RANK_CUTOFF)."""
    gold_rank: int | None
    """1-based rank of the first gold statement, None if not in ranked_statement_ids."""
    gold_quotes_covered: int
    gold_quotes_total: int
    predicted_answerable: bool
    answer: str
    cited_statement_ids: tuple[str, ...]
    citations_checked: int
    citations_failing_check: int
    """Returned citations whose quote is not statement.text[start:end] (must stay 0)."""
    citations_dropped: int
    """Citations the answerer proposed that the service rejected."""
    must_include_found: int
    must_include_total: int
    retrieval_seconds: float
    answer_seconds: float
    claims_first: int = 0
    """Sentences of the answerer's first draft (when it claimed an answer)."""
    claims_first_unsupported: int = 0
    """Of those, the ones the claim checks found unsupported by their citations."""
    claims_shown: int = 0
    """Sentences of the answer as shown, re-checked independently against its citations."""
    claims_shown_supported: int = 0
    attempts: int = 1
    fallback: bool = False
    reading: ReadingCheck | None = None
    """How the question was read, against the case's `reading` label (reading suites)."""


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _share(rows: Sequence[CaseResult], test: Callable[[CaseResult], bool]) -> float | None:
    return _mean([1.0 if test(r) else 0.0 for r in rows])


def compute(rows: Sequence[CaseResult]) -> dict[str, float | None]:
    """All metrics of a suite run. None where a metric has no cases to speak of."""
    answerable = [r for r in rows if r.answerable]
    unanswerable = [r for r in rows if not r.answerable]
    answered = [r for r in answerable if r.predicted_answerable]
    with_quotes = [r for r in rows if r.gold_quotes_total]
    with_must = [r for r in answerable if r.must_include_total]
    with_citations = [r for r in rows if r.citations_checked]
    cited = [sid for r in answered for sid in r.cited_statement_ids]
    gold_cited = [sid for r in answered for sid in r.cited_statement_ids if sid in r.gold_doc_ids]

    def hit(k: int) -> float | None:
        return _share(answerable, lambda r: r.gold_rank is not None and r.gold_rank <= k)

    return {
        "cases": float(len(rows)),
        "hit@1": hit(1),
        "hit@5": hit(5),
        "hit@10": hit(10),
        "mrr@10": _mean(
            [1.0 / r.gold_rank if r.gold_rank and r.gold_rank <= 10 else 0.0 for r in answerable]
        ),
        "passage_recall": _mean([r.gold_quotes_covered / r.gold_quotes_total for r in with_quotes]),
        "citations_verified": _share(with_citations, lambda r: r.citations_failing_check == 0),
        "citations_dropped": float(sum(r.citations_dropped for r in rows)),
        "citation_precision": len(gold_cited) / len(cited) if cited else None,
        "citation_recall": _share(
            answerable, lambda r: any(s in r.gold_doc_ids for s in r.cited_statement_ids)
        ),
        "must_include_recall": (
            sum(r.must_include_found for r in with_must)
            / sum(r.must_include_total for r in with_must)
            if with_must
            else None
        ),
        "answerable_answered": _share(answerable, lambda r: r.predicted_answerable),
        "unanswerable_declined": _share(unanswerable, lambda r: not r.predicted_answerable),
        "claim_support_rate": _ratio(
            sum(r.claims_shown_supported for r in answered), sum(r.claims_shown for r in answered)
        ),
        "unsupported_before": _ratio(
            sum(r.claims_first_unsupported for r in rows), sum(r.claims_first for r in rows)
        ),
        "unsupported_after": _ratio(
            sum(r.claims_shown - r.claims_shown_supported for r in answered),
            sum(r.claims_shown for r in answered),
        ),
        "retried": _share(answered, lambda r: r.attempts > 1),
        "fell_back": _share(answered, lambda r: r.fallback),
        "retrieval_p50_ms": _ms(percentile([r.retrieval_seconds for r in rows], 50)),
        "retrieval_p95_ms": _ms(percentile([r.retrieval_seconds for r in rows], 95)),
        "answer_p50_ms": _ms(percentile([r.answer_seconds for r in rows], 50)),
        "answer_p95_ms": _ms(percentile([r.answer_seconds for r in rows], 95)),
        "answered": float(len(answered)),
        **_reading_metrics(rows),
    }


def _reading_metrics(rows: Sequence[CaseResult]) -> dict[str, float | None]:
    """Over cases with a `reading` label: readings applied wrongly or missed, and
    unanswerable cases declined with a true reason (evals/README.md)."""
    read = [r for r in rows if r.reading is not None]
    if not read:
        return {}
    checks = [r.reading for r in read if r.reading is not None]
    reasons = [c.true_reason for c in checks if c.true_reason is not None]
    return {
        "reading_cases": float(len(read)),
        "wrong_who_applied": _mean([1.0 if c.wrong_who else 0.0 for c in checks]),
        "wrong_date_applied": _mean([1.0 if c.wrong_date else 0.0 for c in checks]),
        "missed_who": _mean([1.0 if c.missed_who else 0.0 for c in checks]),
        "missed_date": _mean([1.0 if c.missed_date else 0.0 for c in checks]),
        "declined_true_reason": _mean([1.0 if ok else 0.0 for ok in reasons]),
    }


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1000


HIGHER_IS_BETTER = frozenset(
    """hit@1 hit@5 hit@10 mrr@10 passage_recall citations_verified citation_precision
    citation_recall must_include_recall answerable_answered unanswerable_declined
    claim_support_rate declined_true_reason""".split()
)
