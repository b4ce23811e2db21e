"""Direct quotations in a statement, and who the text says spoke them.

A citation that quotes words should say whose words they are, and official texts quote other
people all the time: a statement by one person quotes another, a readout quotes both sides, a
speech quotes a poet, a fact sheet quotes an Executive Order. So a quotation is never given to
the statement's own speaker by default; its speaker comes from the cue beside it (read by
rag.people.quote_cues), tried from the closest to the loosest:

1. after the closing mark: "“…,” Ruto stated", "“…,” said President Ruto", "“…,” he said";
2. before the opening mark, in its sentence: "Ruto said, “…”", "As X put it in her words, “…”",
   "**Mark Bristow, CEO, Barrick:** “…”", "I said, “…”" (in a transcript: the turn's speaker);
3. the quotation it continues: the second half of a split quote, the next of a run of bullets;
4. the paragraph above a quotation that opens its own paragraph ("… released the following
   statement:", "**Vice President JD Vance** reported …");
5. a statement in quotation marks paragraph by paragraph is its author's (or, read out by a
   delegate, the head of state's it was delivered for);
6. in a transcript, a turn that is nothing but the quotation is its speaker's.

A cue that names nobody ("my dad would say", "the annex noted") gives None and stops there.
Only regular expressions and word lists, linear in the text: it runs on every statement at
ingest (a few milliseconds for a typical one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from rag.people.quote_cues import Cue, CueReader, Said
from rag.people.quote_marks import WORD, MarkedText, QuotedSpan, names_a_thing, runs
from rag.people.statement_people import statement_context

__all__ = ["MIN_WORDS", "Cue", "Quote", "find_quotes"]

MIN_WORDS = 4
"""Shorter quoted spans are scare quotes or names ("so-called “conversion therapy”")."""
_CONTINUES_WORDS = 3  # words between two quotations that still make one ("“…” (Laughter.) “…”")
_SAME_SENTENCE_WORDS = 12  # "… “represents the best of America,” while it “reminds us …”"
_HEADING_WORDS = 40  # a paragraph short enough to head the quotations under it


@dataclass(frozen=True, slots=True)
class Quote:
    """Words a statement quotes directly: `start`/`end` inside the quotation marks, `text`
    the exact words there, `speaker` the display name the cue gives (None when the text does
    not say who) and `cue` how it was found: "said-after", "said-before", "colon", "turn",
    "pronoun" (he/she: the person named last; I: whoever speaks), "statement" (a statement in
    quotation marks is its author's) or "none"."""

    start: int
    end: int
    text: str
    speaker: str | None
    cue: Cue
    kind: Literal["verbatim"] = "verbatim"


def find_quotes(text: str, title: str | None, speaker: str | None) -> tuple[Quote, ...]:
    """Direct quotations of four words or more, names of things left out, each with the
    speaker its cue gives; split quotations and quotations running over several paragraphs
    give one Quote a part, all with the same speaker."""
    if "“" not in text and '"' not in text:
        return ()
    marked = MarkedText(text)
    spans = marked.spans()
    if not spans:
        return ()
    cues = CueReader(marked, statement_context(marked.masked, title, speaker))
    quotes: list[Quote] = []
    previous: tuple[QuotedSpan, Said | None] | None = None
    for run in runs(spans):
        found = _attribute(cues, run, previous)
        said = found or Said("none", None)
        if said.speaker and not said.narrator:
            cues.said.append((run[0].opening, said.speaker))
        previous = (run[-1], found)
        quotes += [quote for span in run if (quote := _quote(marked, span, said))]
    return tuple(quotes)


def _attribute(
    cues: CueReader, run: list[QuotedSpan], previous: tuple[QuotedSpan, Said | None] | None
) -> Said | None:
    """The rules of the module docstring, in order, for one quotation."""
    marked, first, last = cues.text, run[0], run[-1]
    found = cues.after(last) if last.closed else None
    found = found or cues.before(first, previous[0].end + 1 if previous else 0)
    if found is None and previous is not None and previous[1] is not None:
        prior_span, prior = previous[0], previous[1]
        gap = marked.masked[max(prior_span.end + 1, prior.end) : first.opening]
        words = len(WORD.findall(re.sub(r"\([^)]*\)", " ", gap)))
        same_sentence = marked.sentence_start(first.opening) <= prior_span.end
        if words <= _CONTINUES_WORDS or (same_sentence and words <= _SAME_SENTENCE_WORDS):
            found = Said(prior.cue, prior.speaker, narrator=prior.narrator)
    if found is None and marked.standalone(first):
        found = _heading(cues, first)
    if found is None and cues.voice and marked.whole(first, last) and not cues.turns():
        found = Said("statement", cues.voice)
    turn = cues.turn(first.opening) if found is None else None
    if turn is not None and turn.speaker and marked.whole(first, last):
        body = marked.masked[turn.start : first.opening]
        if not body[body.find(":") + 1 :].strip():
            found = Said("turn", turn.speaker)
    return found


def _heading(cues: CueReader, first: QuotedSpan) -> Said | None:
    """The cue in the paragraph above a quotation that opens its own paragraph."""
    marked = cues.text
    start, end = marked.paragraph(marked.paragraph(first.opening)[0] - 1)
    heading = marked.masked[start:end]
    introduces = heading.rstrip(" *_").endswith(":")
    if end > first.opening or not (introduces or len(WORD.findall(heading)) <= _HEADING_WORDS):
        return None
    found = cues.lead(heading, start)
    if found is not None and found.speaker is None and found.cue != "colon":
        return None  # a name-less cue in a paragraph of its own says nothing of this one
    return found


def _quote(marked: MarkedText, span: QuotedSpan, said: Said) -> Quote | None:
    text, start, end = marked.raw, span.start, span.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    words = WORD.findall(marked.masked[start:end])
    if len(words) < MIN_WORDS:
        return None
    lead = marked.masked[max(0, span.opening - 120) : span.opening]
    after = marked.masked[span.end + 1 : span.end + 60] if span.closed else ""
    if names_a_thing(words, lead, after):
        return None
    return Quote(start, end, text[start:end], said.speaker, said.cue)
