"""Claim checks: does each sentence of an answer say only what its cited passages say?

`citations.verify` proves each quote is really in its passage; it cannot tell whether the
sentence carrying the marker says what the quote says. "Kenya will send 5,000 officers [1]",
citing "a mission that will grow to 2,500 multinational personnel", passes verify. Here each
sentence of the answer (a claim) is compared with the texts its markers point to:

- hard checks (rag.answering.facts): every number, date and name the claim states, and a
  negation, must be in one of its cited texts. One missing makes the claim unsupported.
- support: the share of the claim's content words (stems) found in its cited texts together,
  since a claim citing [1][2] draws on both. Reporting words ("said", "noted") and titles are
  set aside; the words of facts the hard checks confirmed count as found ("United Nations"
  for "UN"). With an embedding similarity from the caller (best of its citations, rescaled)
  the support is 0.7 overlap + 0.3 similarity. Below `THRESHOLD` the claim is unsupported.

A claim with no marker is unsupported, except a lead-in: the answer's first sentence, when it
is short and states nothing to check (no number, date or name the question lacks, no content
word beyond the question's and the words answers introduce themselves with: "Ruto and Rubio
discussed several issues."). A heading over a list may also count its items ("From 3
statements:"). Without the question only a content-free lead-in passes.

The cited text of a marker should be what the model saw: the passage with its header (title,
speaker, date, as `llm.render_passages` writes it), because an answer rightly names the
speaker and the date the header gives. Fact-for-fact swaps within one passage ("$650 billion"
where the passage gives that figure for something else) and distortions that reuse its words
("most targets are on track" for "only 17%") are beyond these checks.

Weights and threshold were set on tests/fixtures/claims-dev.ndjson (70 hand-labelled claims on
real passages): without similarity, 0.65 sits between the highest-scoring unsupported claim
caught only by overlap (0.62) and the lowest-scoring supported one (0.71). MiniLM similarity
did not help there (flagging: precision 0.95, recall 0.75, against 1.00 and 0.79 without).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from rag.answering.entailment import Reading, contradiction, read_cited
from rag.answering.facts import Evidence, Fact, found, read_evidence, spelt_out, stated
from rag.text.sentences import split_sentences
from rag.text.vocabulary import ANSWER_LEAD_INS, CLAIM_FRAME
from rag.text.words import content_terms, words

Similarity = Callable[[str, str], float]
"""(claim, cited text) -> cosine similarity, supplied by the caller (an embedding model)."""

THRESHOLD = 0.6
LEXICAL_WEIGHT = 0.7
"""Share of the support that is word overlap when a similarity is given; the rest is similarity."""
SIMILARITY_RANGE = (0.3, 0.7)
"""Cosines (MiniLM, sentence against passage) mapped to 0 and 1: unrelated and paraphrase."""
LEAD_IN_WORDS = 20
KEY_LENGTH = 5
"""Stems compare on their first letters: "agreed"/"agreement", "secure"/"security"."""

MARKER = re.compile(r"\[(\d+)\]")
_MARKERS = re.compile(r"(?:[ \t]*\[\d+\])+")
# A sentence end glued to its markers and the next sentence: "…Haiti.[1] Kenya…".
_GLUED_END = re.compile(r"[.!?…][\"'”’)»]*(?:\[\d+\])+(?=\s+[\"'“‘(«]?[A-Z0-9])")


@dataclass(frozen=True, slots=True)
class ClaimCheck:
    """One sentence of an answer and how well its cited passages support it."""

    text: str
    """The sentence as the answer writes it, markers included."""
    start: int
    end: int
    """Offsets in the answer: `answer[start:end] == text`."""
    markers: tuple[int, ...]
    """Its citation markers in order: "[1][2]" -> (1, 2)."""
    support: float
    """0..1: word overlap with its cited texts, mixed with similarity when given; 0 uncited."""
    supported: bool
    missing: tuple[str, ...]
    """Numbers, dates, names (and a "not") it states that no cited text contains, as written."""
    reason: str
    """Empty when supported; else why not, for a retry prompt or a log."""


def split_claims(answer: str) -> list[tuple[int, int]]:
    """Sentence spans of `answer`; markers after the full stop belong to the sentence before.

    "…Haiti. [1] Kenya…" and "…Haiti.[1] Kenya…" split like "…Haiti [1]. Kenya…".
    """
    cuts = {0, len(answer)}
    for span in split_sentences(answer):
        markers = _MARKERS.match(answer, span.start)
        cuts.add(markers.end() if markers else span.start)
    cuts.update(m.end() for m in _GLUED_END.finditer(answer))
    spans: list[tuple[int, int]] = []
    carried: int | None = None  # markers before any sentence join the first one
    for start, end in pairwise(sorted(cuts)):
        text = answer[start:end]
        if not text.strip():
            continue
        start += len(text) - len(text.lstrip())
        end -= len(text) - len(text.rstrip())
        if _MARKERS.fullmatch(answer, start, end):
            if spans:
                spans[-1] = (spans[-1][0], end)
            else:
                carried = start if carried is None else carried
            continue
        spans.append((start if carried is None else carried, end))
        carried = None
    return spans


def _keys(text: str) -> set[str]:
    """Content-word keys of `text`: stems, shortened, without frame words or bare numbers."""
    return {
        stem[:KEY_LENGTH]
        for stem, word in content_terms(text).items()
        if word not in CLAIM_FRAME and not word.isdigit()
    }


def _overlap(claim: str, sources: Sequence[_Source], confirmed: Sequence[Fact]) -> float:
    """Share of the claim's content words found in its cited texts together.

    Words of the facts the hard checks confirmed count as found, in whatever form the passage
    wrote them: "United Nations" for "UN", "five million" for "5 million"; and so do words
    that spell out an acronym the passage writes ("continuing resolution" for "CR").
    """
    keys = _keys(claim)
    if not keys:
        return 1.0
    spelt = [w for source in sources for w in spelt_out(claim, source.evidence)]
    found_keys = set().union(
        *(source.keys for source in sources),
        *(_keys(fact.text) for fact in confirmed),
        _keys(" ".join(spelt)),
    )
    return len(keys & found_keys) / len(keys)


def _rescaled(cosine: float) -> float:
    low, high = SIMILARITY_RANGE
    return min(1.0, max(0.0, (cosine - low) / (high - low)))


def _missing(
    facts: Sequence[Fact], evidence: Sequence[Evidence], asked: Evidence | None = None
) -> list[Fact]:
    """Facts no cited text contains; a name the question gives is context, not a claim."""
    unseen = [
        f
        for f in facts
        if not any(found(f, e) for e in evidence)
        and not (asked is not None and f.kind == "name" and found(f, asked))
    ]
    first = {(f.kind, f.text.casefold()): f for f in reversed(unseen)}
    return [f for f in unseen if first[(f.kind, f.text.casefold())] is f]


def _listed(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _reason(missing: Sequence[Fact]) -> str:
    return f"states {_listed([f.text for f in missing])} which the cited passages do not contain"


def _is_lead_in(body: str, question: str) -> bool:
    """A short opening that says nothing the question did not: nothing there to cite."""
    if len(words(body)) > LEAD_IN_WORDS:
        return False
    asked = read_evidence(question)
    # A heading over a list may count its items: "From 3 statements:".
    heading = body.endswith(":")
    facts = [f for f in stated(body) if not (heading and f.kind == "number")]
    if any(not found(fact, asked) for fact in facts):
        return False
    return _keys(body) - _keys(" ".join(ANSWER_LEAD_INS)) <= _keys(question)


@dataclass(frozen=True, slots=True)
class _Source:
    """A cited text, read once for every claim that cites it."""

    text: str
    evidence: Evidence
    keys: set[str]
    reading: Reading


@dataclass(frozen=True, slots=True)
class _Checker:
    sources: Mapping[int, _Source]
    similarity: Similarity | None
    threshold: float
    question: str
    asked: Evidence | None

    def check(self, text: str, start: int, end: int, first: bool) -> ClaimCheck:
        markers = tuple(dict.fromkeys(int(n) for n in MARKER.findall(text)))
        body = _MARKERS.sub("", text).strip()

        def result(support: float, missing: Sequence[Fact] = (), reason: str = "") -> ClaimCheck:
            stated_missing = tuple(f.text for f in missing)
            return ClaimCheck(
                text, start, end, markers, support, not reason, stated_missing, reason
            )

        if not markers:
            lead_in = first and _is_lead_in(body, self.question)
            return result(0.0, reason="" if lead_in else "no citation")
        sources = [self.sources[m] for m in markers if m in self.sources]
        if not sources:
            listed = _listed([f"[{m}]" for m in markers])
            return result(0.0, reason=f"cites {listed}, which no verified citation backs")
        facts = stated(body)
        missing = _missing(facts, [source.evidence for source in sources], self.asked)
        confirmed = [f for f in facts if f not in missing]
        support = _overlap(body, sources, confirmed)
        if self.similarity is not None:
            best = max(self.similarity(body, source.text) for source in sources)
            support = LEXICAL_WEIGHT * support + (1 - LEXICAL_WEIGHT) * _rescaled(best)
        if missing:
            return result(support, missing, _reason(missing))
        flipped = contradiction(body, [source.reading for source in sources])
        if flipped:
            return result(support, reason=flipped)
        if support < self.threshold:
            return result(support, reason="little overlap with the cited text")
        return result(support)


def check_claims(
    answer: str,
    cited: Mapping[int, str],
    similarity: Similarity | None = None,
    threshold: float = THRESHOLD,
    *,
    question: str = "",
) -> tuple[ClaimCheck, ...]:
    """Check every sentence of `answer` against the texts its markers cite.

    `cited` maps a marker to the text its verified citation points to (the passage with its
    header, or the quote with its passage); markers missing from it count as uncited.
    `question` lets a lead-in sentence that only restates it go without a citation. Meant for
    answerable drafts: a refusal has no claims to check.
    """
    read = {
        text: _Source(text, read_evidence(text), _keys(text), read_cited(text))
        for text in set(cited.values())
    }
    sources = {m: read[text] for m, text in cited.items()}
    asked = read_evidence(question) if question else None
    checker = _Checker(sources, similarity, threshold, question, asked)
    spans = split_claims(answer)
    return tuple(
        checker.check(answer[start:end], start, end, first=i == 0)
        for i, (start, end) in enumerate(spans)
    )


def prune(answer: str, checks: Sequence[ClaimCheck]) -> str:
    """`answer` without its unsupported claims, spacing tidied; "" when none is supported."""
    dropped = sorted((c.start, c.end) for c in checks if not c.supported)
    pieces: list[str] = []
    at = 0
    for start, end in dropped:
        pieces.append(answer[at:start])
        at = end + len(answer[end:]) - len(answer[end:].lstrip(" \t"))
    pieces.append(answer[at:])
    text = re.sub(r"[ \t]+\n", "\n", "".join(pieces))
    text = re.sub(r"(?m)^[ \t]*(?:[-*•]|\d+\.)[ \t]*(?:\n|$)", "", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def describe(checks: Sequence[ClaimCheck]) -> tuple[str, ...]:
    """One line per unsupported claim, for the retry prompt's list of problems."""
    return tuple(f'"{c.text}": {c.reason}' for c in checks if not c.supported)
