"""Where a statement quotes: quotation marks paired across markup, paragraphs and sentences.

The corpora are markdown and HTML converted from web pages, so quotation marks also sit in tag
attributes and link titles, and a quotation may run over several paragraphs, each reopened
with “. Markup is blanked to the same length (offsets into the original text still hold) and
paragraphs are told apart whether a text is hard-wrapped (blank lines between paragraphs) or
written a paragraph to a line. Also here: telling a quoted name ("the “Take It Down Act”", a
session's theme) from quoted words.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from rag.text.sentences import split_sentences
from rag.text.vocabulary import TITLE_MINOR_WORDS

# Markup whose characters are not text: HTML tags (line breaks kept as line breaks), link
# targets, bare URLs, markdown emphasis and escapes.
_MARKUP = re.compile(
    r"<(?P<br>br|p|div|li|tr)\b[^>]*>|<[^>]*>|\]\([^)\s]*(?:\s+\"[^\"]*\")?\)"
    r"|https?://[^\s“”\"<>)\]]+|\\[\[\]#*_]|[*\[\]]"
)
_BLANK_LINE = re.compile(r"\n[ \t\xa0]*\n")
_BULLET = re.compile(r"\n[ \t\xa0]*[-•][ \t\xa0]")
_LINE_END = re.compile(r"(?<=[.!?:;”\"…)])[ \t\xa0]*\n")
_WRAPPED = 100  # mean characters a line: below it, lines are wrapped, not paragraphs
WORD = re.compile(r"[^\W_][\w’'\-]*")


def _mask(text: str) -> str:
    def blank(match: re.Match[str]) -> str:
        width = len(match.group(0))
        return "\n" + " " * (width - 1) if match.group("br") else " " * width

    return _MARKUP.sub(blank, text)


def _breaks(masked: str) -> list[int]:
    """Offsets where a paragraph (or a bullet) starts. Texts hard-wrapped at ~72 columns
    separate paragraphs with blank lines; others put a paragraph on each line, though a line
    that stops mid-sentence ("… the 2030 Agenda that¶“[c]limate …") runs on."""
    found = [m.end() for m in _BLANK_LINE.finditer(masked)]
    if len(masked) / (masked.count("\n") + 1) < _WRAPPED:
        found += [m.start() + 1 for m in _BULLET.finditer(masked)]
    else:
        found += [m.end() for m in _LINE_END.finditer(masked)]
    return sorted({0, *found})


@dataclass(frozen=True, slots=True)
class QuotedSpan:
    """Text between quotation marks: `start`/`end` inside the marks, `opening` the mark."""

    start: int
    end: int
    opening: int
    closed: bool  # False: left open, it runs on into the next paragraph's quotation (“…¶“…”)


class MarkedText:
    """One statement with its markup blanked, and its paragraphs and sentences."""

    def __init__(self, text: str) -> None:
        self.raw = text
        self.masked = _mask(text)
        self.paragraphs = _breaks(self.masked)
        self._sentences: dict[int, list[int]] = {}  # by paragraph start, split when needed

    def paragraph(self, at: int) -> tuple[int, int]:
        """The paragraph holding `at`: its start and its end, trailing space excluded."""
        i = bisect.bisect_right(self.paragraphs, at) - 1
        end = self.paragraphs[i + 1] if i + 1 < len(self.paragraphs) else len(self.masked)
        while end > at and self.masked[end - 1].isspace():
            end -= 1
        return self.paragraphs[i], end

    def _sentence_starts(self, at: int) -> tuple[list[int], int]:
        """Only paragraphs with quotations are split, which keeps long transcripts cheap."""
        start, end = self.paragraph(at)
        if start not in self._sentences:
            spans = split_sentences(self.masked[start:end])
            self._sentences[start] = [start + s.start for s in spans] or [start]
        return self._sentences[start], end

    def sentence_start(self, at: int) -> int:
        starts, _ = self._sentence_starts(at)
        return starts[max(bisect.bisect_right(starts, at) - 1, 0)]

    def sentence_end(self, at: int) -> int:
        """Where the sentence holding `at` ends (the next one starts), within its paragraph."""
        starts, end = self._sentence_starts(at)
        i = bisect.bisect_right(starts, at)
        return starts[i] if i < len(starts) else end

    def standalone(self, span: QuotedSpan) -> bool:
        """The quotation opens its paragraph (or bullet)."""
        start = self.paragraph(span.opening)[0]
        return not self.masked[start : span.opening].strip(" \t\xa0\n-•")

    def whole(self, first: QuotedSpan, last: QuotedSpan) -> bool:
        """The quotation is its paragraph(s), as a statement put in quotation marks is; a
        citation in parentheses may follow."""
        rest = self.masked[last.end + 1 : self.paragraph(last.start)[1]] if last.closed else ""
        return self.standalone(first) and not re.sub(r"\([^)]*\)", "", rest).strip(" \t\xa0\n.")

    def spans(self) -> list[QuotedSpan]:
        """Every “…” (one span a paragraph when a quotation runs on) and "…" within a
        paragraph, in order. An opening mark reopened in its own paragraph before any closing
        mark cannot be delimited and is left out."""
        masked, found = self.masked, []
        opens = [m.start() for m in re.finditer("“", masked)]
        closes = [m.start() for m in re.finditer("”", masked)]
        for i, at in enumerate(opens):
            reopen = opens[i + 1] if i + 1 < len(opens) else len(masked)
            c = bisect.bisect_right(closes, at)
            close = closes[c] if c < len(closes) else len(masked)
            if close < reopen:
                found.append(QuotedSpan(at + 1, close, at, True))
                continue
            end = self.paragraph(at)[1]
            if end >= reopen:
                continue
            runs_on = (
                reopen < len(masked) and not masked[self.paragraph(reopen)[0] : reopen].strip()
            )
            found.append(QuotedSpan(at + 1, end, at, not runs_on))
        bounds = [*self.paragraphs, len(masked)]
        for start, end in pairwise(bounds):
            marks = [start + m.start() for m in re.finditer('"', masked[start:end])]
            pairs = zip(marks[::2], marks[1::2], strict=False)
            found += [QuotedSpan(a + 1, b, a, True) for a, b in pairs]
        return sorted(found, key=lambda s: s.start)


def runs(spans: Sequence[QuotedSpan]) -> list[list[QuotedSpan]]:
    """Spans of one quotation together: a paragraph left open runs on into the next one's."""
    found: list[list[QuotedSpan]] = []
    for span in spans:
        if found and not found[-1][-1].closed:
            found[-1].append(span)
        else:
            found.append([span])
    return found


# ---- quoted names -----------------------------------------------------------------------

# "the theme of this session, “…”", "a document entitled “…”", "Goal 13, “…”", "H.R. 1815, “…”"
_NAMING_BEFORE = re.compile(
    r"(?:\b(?:themes?|entitled(?!\s+to\b)|titled|title|headlined|hashtag|dubbed|named|"
    r"so-called|known\s+as)\b[^.“”!?]{0,80}"
    r"|\b(?:Goal|Article|Section|item|Order|Act|Law|No|Resolution|resolution|Bill|H\.\s?R|S|"
    r"E\.\s?O|Proclamation|Memorandum)\.?\s*\d[\d./-]*[a-z]?\s*,?\s*(?:(?:the|on)\s+)?)\Z"
)
# "the “you collect, we buy” approach", "“A new commitment to action” — the theme we chose"
_NAMING_AFTER = re.compile(
    r"[\s,]*(?:(?:—|–|-|is|was)\s+)?(?:the\s+|our\s+|a\s+)?(?:[a-z]+\s+)?(?:theme|title|slogan|"
    r"name|event|events|initiative|program|programs|programme|report|act|campaign|summit|plan|conference|"
    r"approach|strategy|framework|guide|contracts?|series|tour|challenge|awards?|project|"
    r"policy|doctrine|movement|agenda|resolution|declaration|pledge|website|book|memo|article|"
    r"column|speech|working\s+group)\b"
)


def names_a_thing(words: Sequence[str], lead: str, after: str) -> bool:
    """A title, theme or name in quotation marks, not someone's words: every word that matters
    capitalised ("Take It Down Act"; not "the Laws of Nature …", which starts in lower case),
    or introduced or followed as a name ("the theme “…”", "the “…” approach")."""
    content = [w for w in words if w.lower() not in TITLE_MINOR_WORDS and not w[:1].isdigit()]
    has_lower = any(c.islower() for w in words for c in w)
    starts_low = bool(words) and words[0][:1].islower()
    if has_lower and content and not starts_low and all(w[:1].isupper() for w in content):
        return True
    return bool(_NAMING_BEFORE.search(lead[-120:]) or _NAMING_AFTER.match(after))
