"""Near-duplicate statements: the same text republished, found at ingest so it is cited once.

The White House posts some statements twice (a readout on two consecutive days, a
fact sheet re-posted with a corrected sentence, a statement reissued under a new
title). Citing both copies wastes answer space and looks like two sources. A
MinHash signature over word 5-shingles estimates the Jaccard similarity of two
texts from 128 numbers; LSH banding (32 bands of 4) finds the stored signatures
worth comparing without scanning them all.

Text alone cannot tell a copy from a reissue: yearly notices continuing a national
emergency, or the same condemnation of two missile launches, repeat their words
exactly. So a copy must also be published within MAX_GAP_DAYS of the other. Both
numbers were set on the White House corpus (evals/near_duplicates.md): republished
copies score 0.94 or more, template readouts, declarations and letters that differ
in a name or a place score 0.88 or less.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from rag.errors import InputError
from rag.types import DateSpan

SHINGLE_WORDS = 5
PERMUTATIONS = 128
BANDS = 32
ROWS_PER_BAND = PERMUTATIONS // BANDS
DEFAULT_THRESHOLD = 0.9
"""Estimated Jaccard at or above which two texts are copies of one statement."""
MAX_GAP_DAYS = 14
"""Copies are published within this many days of each other; alike texts further
apart are reissues (a yearly notice, the same condemnation of a later launch)."""

_FORMAT = "mh1"  # bump when anything that changes a signature changes (seeds, shingles, text)
_SEED = 0x5EED_D0C5
_BLOCK = 1024  # shingles hashed at a time: bounds the (block x permutations) buffer
_WORD_BYTES = 32  # longer words are cut; two words sharing 32 letters hash alike
_MASK64 = (1 << 64) - 1
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_WORD_WEIGHTS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93],
    dtype=np.uint64,
)
_COMBINING = re.compile(r"[\u0300-\u036f]")
_LINK_TARGET = re.compile(r"\]\([^)\s]*\)")
_HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")  # not <https://...>
_HTML_ENTITY = re.compile(r"&(?:[a-zA-Z]+|#[0-9]+|#x[0-9a-fA-F]+);")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A text's MinHash signature: PERMUTATIONS little-endian uint32 minima.

    Bytes rather than an array keep it immutable, hashable and cheap to store;
    an empty signature (a text without words) matches nothing.
    """

    signature: bytes

    @property
    def is_empty(self) -> bool:
        return not self.signature

    def values(self) -> NDArray[np.uint32]:
        return np.frombuffer(self.signature, dtype="<u4")

    def to_string(self) -> str:
        """A short ASCII form (under 700 characters) for a Chroma metadata value."""
        return f"{_FORMAT}:{base64.b64encode(self.signature).decode('ascii')}"

    @classmethod
    def from_string(cls, text: str) -> Fingerprint:
        prefix, _, encoded = text.partition(":")
        try:
            signature = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InputError(
                "a stored fingerprint is not valid base64",
                field="fingerprint",
                hint="recompute it with fingerprint(statement text)",
            ) from exc
        if prefix != _FORMAT or len(signature) not in (0, 4 * PERMUTATIONS):
            raise InputError(
                f"a stored fingerprint has format {prefix!r} and {len(signature)} bytes,"
                f" not {_FORMAT!r} and {4 * PERMUTATIONS}",
                field="fingerprint",
                hint="recompute it with fingerprint(statement text)",
            )
        return cls(signature)


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    """Copies of one statement: the one to cite, and where else it was published."""

    canonical: str
    others: tuple[str, ...]


def normalise(text: str) -> list[str]:
    """The words that decide similarity: folded case and accents, no links or markup.

    Punctuation and whitespace are separators, so Markdown markers ("###", "\\###",
    "*emphasis*") and re-wrapped lines vanish. HTML tags left in some records
    (tables, <u>, <span style=...>) go, and so do Markdown link targets, since mail
    tracking links differ between otherwise identical copies; a bare URL stays, as it
    is what the reader sees (and all that a pointer to a PDF says).
    """
    visible = _HTML_ENTITY.sub(" ", _HTML_TAG.sub(" ", _LINK_TARGET.sub("] ", text)))
    folded = _COMBINING.sub("", unicodedata.normalize("NFKD", visible)).lower()
    return _WORD.findall(folded)


def fingerprint(text: str) -> Fingerprint:
    """The MinHash signature of `text`'s word 5-shingles (one shingle if it is shorter)."""
    shingles = _shingle_hashes(normalise(text))
    if not len(shingles):
        return Fingerprint(b"")
    multipliers, offsets = _permutations()
    minima = np.full(PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
    buffer = np.empty((min(len(shingles), _BLOCK), PERMUTATIONS), dtype=np.uint64)
    for start in range(0, len(shingles), _BLOCK):
        block = shingles[start : start + _BLOCK]
        hashed = buffer[: len(block)]
        np.multiply(block[:, None], multipliers, out=hashed)  # wraps mod 2**64, as meant
        np.add(hashed, offsets, out=hashed)
        np.minimum(minima, hashed.min(axis=0), out=minima)
    # The high half of a multiply-add hash is the well-mixed half.
    return Fingerprint((minima >> np.uint64(32)).astype("<u4").tobytes())


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets (0 when either is empty)."""
    if a.is_empty or b.is_empty:
        return 0.0
    return float(np.count_nonzero(a.values() == b.values())) / PERMUTATIONS


def group_of(statement_ids: Iterable[str], dates: Mapping[str, DateSpan | None]) -> DuplicateGroup:
    """The copy to cite is the first published (earliest date, then the shortest id).

    Undated copies come after dated ones; the id breaks remaining ties so the
    choice never depends on the order the copies arrived in.
    """
    ordered = sorted(set(statement_ids), key=lambda sid: _publication_order(sid, dates))
    if not ordered:
        raise ValueError("a duplicate group needs at least one statement id")
    return DuplicateGroup(ordered[0], tuple(ordered[1:]))


class DuplicateIndex:
    """Stored fingerprints with LSH buckets, so a lookup compares a handful, not all.

    Two texts share a bucket in some band with probability 1 - (1 - J**4)**32:
    87% at J = 0.5, 99.99% at 0.7, so at the thresholds used nothing is missed in
    practice, while unrelated statements (J near 0) never meet. Publication dates,
    when given, keep apart texts that are alike but issued far apart in time.
    """

    def __init__(self) -> None:
        self._fingerprints: dict[str, Fingerprint] = {}
        self._dates: dict[str, DateSpan | None] = {}
        self._buckets: list[dict[bytes, set[str]]] = [{} for _ in range(BANDS)]

    def __len__(self) -> int:
        return len(self._fingerprints)

    def __contains__(self, statement_id: object) -> bool:
        return statement_id in self._fingerprints

    def get(self, statement_id: str) -> Fingerprint | None:
        return self._fingerprints.get(statement_id)

    def add(self, statement_id: str, fp: Fingerprint, published: DateSpan | None = None) -> None:
        """Store (or replace) a statement's fingerprint and publication date."""
        self.remove(statement_id)
        self._fingerprints[statement_id] = fp
        self._dates[statement_id] = published
        for buckets, key in zip(self._buckets, _band_keys(fp), strict=False):
            buckets.setdefault(key, set()).add(statement_id)

    def remove(self, statement_id: str) -> None:
        fp = self._fingerprints.pop(statement_id, None)
        self._dates.pop(statement_id, None)
        if fp is None:
            return
        for buckets, key in zip(self._buckets, _band_keys(fp), strict=False):
            members = buckets[key]
            members.discard(statement_id)
            if not members:
                del buckets[key]

    def candidates(self, fp: Fingerprint) -> set[str]:
        """Stored statements sharing at least one band with `fp` (before any threshold)."""
        found: set[str] = set()
        for buckets, key in zip(self._buckets, _band_keys(fp), strict=False):
            found |= buckets.get(key, set())
        return found

    def matches(
        self,
        fp: Fingerprint,
        threshold: float = DEFAULT_THRESHOLD,
        *,
        published: DateSpan | None = None,
        max_gap_days: int | None = MAX_GAP_DAYS,
        exclude: str | None = None,
    ) -> list[tuple[str, float]]:
        """Stored statements at or above `threshold`, best first (then by id).

        With `published`, a stored statement dated more than `max_gap_days` away is
        not a copy however alike (None lifts the limit); `exclude` leaves out one
        id, so a stored statement can look for its own copies.
        """
        found = sorted(
            sid
            for sid in self.candidates(fp) - {exclude}
            if max_gap_days is None or _days_apart(published, self._dates[sid]) <= max_gap_days
        )
        if not found:
            return []
        stacked = np.stack([self._fingerprints[sid].values() for sid in found])
        scores = np.count_nonzero(stacked == fp.values(), axis=1) / PERMUTATIONS
        hits = [(sid, float(s)) for sid, s in zip(found, scores, strict=True) if s >= threshold]
        return sorted(hits, key=lambda hit: (-hit[1], hit[0]))

    def pairs(
        self, threshold: float = DEFAULT_THRESHOLD, *, max_gap_days: int | None = MAX_GAP_DAYS
    ) -> list[tuple[str, str, float]]:
        """Every stored pair (a < b) at or above `threshold`, best first."""
        found: list[tuple[str, str, float]] = []
        for a in sorted(self._fingerprints):
            for b, score in self.matches(
                self._fingerprints[a],
                threshold,
                published=self._dates[a],
                max_gap_days=max_gap_days,
                exclude=a,
            ):
                if a < b:
                    found.append((a, b, score))
        return sorted(found, key=lambda pair: (-pair[2], pair[0], pair[1]))

    def groups(
        self, threshold: float = DEFAULT_THRESHOLD, *, max_gap_days: int | None = MAX_GAP_DAYS
    ) -> list[DuplicateGroup]:
        """Copies of one statement, each group with the copy to cite first.

        Linking is transitive (A~B and B~C put A, B, C together), since a copy
        edited twice may have drifted from the first yet still be the same statement.
        """
        parent: dict[str, str] = {}

        def root(sid: str) -> str:
            while parent[sid] != sid:
                sid = parent[sid]
            return sid

        for a, b, _ in self.pairs(threshold, max_gap_days=max_gap_days):
            parent.setdefault(a, a)
            parent.setdefault(b, b)
            ra, rb = root(a), root(b)
            parent[max(ra, rb)] = min(ra, rb)
        members: dict[str, list[str]] = {}
        for sid in parent:
            members.setdefault(root(sid), []).append(sid)
        found = [group_of(ids, self._dates) for ids in members.values()]
        return sorted(found, key=lambda group: _publication_order(group.canonical, self._dates))


def _days_apart(a: DateSpan | None, b: DateSpan | None) -> int:
    """Days between two publication dates (0 when they overlap or either is unknown)."""
    if a is None or b is None:
        return 0
    return max(0, (a.first - b.last).days, (b.first - a.last).days)


def _publication_order(
    sid: str, dates: Mapping[str, DateSpan | None]
) -> tuple[bool, str, int, str]:
    date = dates.get(sid)
    return (date is None, date.first.isoformat() if date else "", len(sid), sid)


def _band_keys(fp: Fingerprint) -> list[bytes]:
    width = 4 * ROWS_PER_BAND
    return [fp.signature[i : i + width] for i in range(0, len(fp.signature), width)]


def _shingle_hashes(words: list[str]) -> NDArray[np.uint64]:
    """One 64-bit hash per window of SHINGLE_WORDS words, order-sensitive."""
    if not words:
        return np.zeros(0, dtype=np.uint64)
    letters = np.array(words, dtype=f"S{_WORD_BYTES}").view(np.uint64)
    letters = letters.reshape(len(words), _WORD_BYTES // 8)
    word_hashes = _mix((letters * _WORD_WEIGHTS).sum(axis=1, dtype=np.uint64))
    width = min(SHINGLE_WORDS, len(words))
    count = len(words) - width + 1
    hashes = word_hashes[:count].copy()
    for offset in range(1, width):
        hashes = _mix(hashes * _MIX1 + word_hashes[offset : offset + count])
    return hashes


def _mix(x: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """splitmix64's finaliser: every input bit flips about half the output bits."""
    x = x ^ (x >> np.uint64(30))
    x = x * _MIX1
    x = x ^ (x >> np.uint64(27))
    x = x * _MIX2
    return x ^ (x >> np.uint64(31))


@cache
def _permutations() -> tuple[NDArray[np.uint64], NDArray[np.uint64]]:
    """Fixed multiply-add hash parameters, derived from _SEED by splitmix64.

    Computed in plain integers so they never depend on a numpy random stream.
    """
    state = _SEED
    numbers = []
    for _ in range(2 * PERMUTATIONS):
        state = (state + 0x9E3779B97F4A7C15) & _MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
        numbers.append(z ^ (z >> 31))
    multipliers = np.array([n | 1 for n in numbers[:PERMUTATIONS]], dtype=np.uint64)
    offsets = np.array(numbers[PERMUTATIONS:], dtype=np.uint64)
    return multipliers, offsets
