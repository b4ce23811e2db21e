"""Text for the team-chat renderers (Slack, Discord): long answers cut into pieces a platform
accepts, [n] markers formatted, and safe links to what a citation quotes.

A piece ends between sentences, never inside a quotation or a [n] marker, and a marker stays
with the sentence it follows. Only a single sentence longer than the limit is cut elsewhere
(at a space, then anywhere but inside a marker). Limits are on the rendered text: `size`
measures a piece as the platform will see it (escaped, markers turned into links).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import quote, urlencode, urlsplit

from rag.text.sentences import split_sentences
from rag.types import Answer, Citation

MARKER = re.compile(r"\[(\d+)\]")
_MARKERS_AND_SPACE = re.compile(r"(?:\[\d+\][.,;:!?]*\s*)+")
_OPENERS, _CLOSERS = "“«", "”»"
_URL_UNSAFE = re.compile(r"[\s<>|()\[\]\"'`\\]")


def pieces(text: str, limit: int, size: Callable[[str], int] = len) -> list[str]:
    """`text` cut into pieces of at most `limit` by `size`, in order."""
    rest = text.strip()
    out: list[str] = []
    while rest and size(rest) > limit:
        cut = _cut(rest, limit, size)
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        out.append(rest)
    return out


def _cut(text: str, limit: int, size: Callable[[str], int]) -> int:
    """Where the first piece of `text` ends: the last allowed cut that fits."""

    def fits(at: int) -> bool:
        return size(text[:at].rstrip()) <= limit

    sentence_ends = [at for at in _sentence_cuts(text) if at > 0]
    for candidates in (
        [at for at in sentence_ends if not _in_quotation(text, at)],
        sentence_ends,
        [m.start() for m in re.finditer(r"\s\S", text)],
    ):
        found = _last_fitting(candidates, fits)
        if found is not None:
            return found
    at = 1
    while at < len(text) and fits(at + 1):
        at += 1
    inside = next((m for m in MARKER.finditer(text) if m.start() < at < m.end()), None)
    return inside.start() if inside is not None and inside.start() > 0 else at


def _last_fitting(candidates: list[int], fits: Callable[[int], bool]) -> int | None:
    """The largest of the (ascending) candidates that fits; the size grows with the offset."""
    low, high, found = 0, len(candidates) - 1, None
    while low <= high:
        middle = (low + high) // 2
        if fits(candidates[middle]):
            found, low = candidates[middle], middle + 1
        else:
            high = middle - 1
    return found


def _sentence_cuts(text: str) -> Iterator[int]:
    """Offsets where a sentence starts; a marker after a sentence's end stays with it, so the
    cut moves past the markers ("…Haiti.” [1] He spoke" is cut before "He")."""
    for span in split_sentences(text)[1:]:
        at = span.start
        while (marker := _MARKERS_AND_SPACE.match(text, at)) is not None and marker.end() > at:
            at = marker.end()
        if at < len(text):
            yield at


def _in_quotation(text: str, at: int) -> bool:
    before = text[:at]
    curly_open = sum(before.count(c) for c in _OPENERS) > sum(before.count(c) for c in _CLOSERS)
    return curly_open or before.count('"') % 2 == 1


def format_markers(text: str, escape: Callable[[str], str], marker: Callable[[int], str]) -> str:
    """`text` escaped for a platform, each [n] marker written by `marker`."""
    out: list[str] = []
    last = 0
    for match in MARKER.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(marker(int(match.group(1))))
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def safe_url(url: str | None) -> str | None:
    """An http(s) URL with the characters that would break a chat link percent-encoded;
    None for anything else (javascript:, data:, a bare path)."""
    if not url:
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return _URL_UNSAFE.sub(lambda m: quote(m.group(0), safe=""), url)


def quote_url(base_url: str | None, citation: Citation) -> str | None:
    """The web page with the statement open and the quoted words highlighted."""
    if not base_url:
        return None
    query = urlencode(
        {"statement": citation.statement_id, "start": citation.start, "end": citation.end}
    )
    return safe_url(f"{base_url.rstrip('/')}/?{query}")


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a space with an ellipsis when it must be cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip() + "…"


def answer_notes(answer: Answer) -> str:
    """What a reader should know about how the answer was made (degraded, fallback)."""
    if answer.degraded:
        return (
            f"The language model could not answer ({answer.degraded_reason}); "
            "these sentences are quoted from the statements."
        )
    if answer.fallback:
        return "The model's answer failed the checks; these sentences are quoted instead."
    return ""
