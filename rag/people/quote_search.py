"""Finding quotations: by who said them, when, and what they are about."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from rag.index.keyword_index import keyword_terms
from rag.people.speakers import same_person
from rag.types import DateSpan, QuoteRecord


def search_quotes(
    quotes: Iterable[QuoteRecord],
    speaker_names: Sequence[str] | None,
    since: dt.date | None,
    until: dt.date | None,
    text: str | None,
    idf: Callable[[Sequence[str]], dict[str, float]],
    limit: int,
) -> list[QuoteRecord]:
    """Quotations that pass the filters; with `text`, the best matches first (words weighted
    by rarity), else the newest first. A quotation must hold at least half of the weight."""
    kept = [
        q
        for q in quotes
        if (speaker_names is None or same_person(q.speaker, speaker_names))
        and _in_period(q.date, since, until)
    ]
    terms = list(dict.fromkeys(keyword_terms(text or "")))
    if not terms:
        return sorted(kept, key=lambda q: (q.date or "", q.statement_id), reverse=True)[:limit]
    weights = idf(terms)
    total = sum(weights.values()) or 1.0
    scored = []
    for q in kept:
        found = set(keyword_terms(q.text))
        score = sum(w for t, w in weights.items() if t in found) / total
        if score >= 0.5:
            scored.append((score, q))
    scored.sort(key=lambda pair: (-pair[0], pair[1].date or "", pair[1].statement_id))
    return [q for _, q in scored[:limit]]


def _in_period(date: str | None, since: dt.date | None, until: dt.date | None) -> bool:
    if since is None and until is None:
        return True
    return date is not None and DateSpan.parse(date).overlaps(since, until)
